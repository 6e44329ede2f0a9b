"""The explorer's form: what a strategist typed, the choices offered, and a message per wrong field.

KAM example: a strategist picks the small portfolio, types -1 complaint
handlers and asks for a single replication; the form says what is wrong, field by field,
and nothing runs until she fixes it::

    from kamsim.explorer import ExplorerState      # an ExplorerForm that can also run
    state = ExplorerState(dataset="small")
    state.set("complaints.handlers", -1)           # "Complaint handlers must be a whole number from 1 to ..."
    state.set("replications", 1)                   # "Replications must be between 2 and 10000 (a confidence ..."
    state.validate()                               # {field: message} for every wrong field
    state.scenario()                               # once fixed: the base scenario with the knobs applied

:class:`ExplorerForm` holds the form values, offers the shipped datasets, the
policy bundles and the locales, checks each field (a portfolio folder is read
once and kept while it is unchanged) and takes the :class:`~kamsim.explorer.run.Job`
snapshot a run starts from.  :class:`~kamsim.explorer.state.ExplorerState` adds the run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from kamsim._random import check_seed
from kamsim.explorer.fields import Knob, get_path, parse_int, parse_number, scenario_knobs
from kamsim.explorer.run import Job
from kamsim.experiment.inputs import MAX_REPLICATIONS
from kamsim.portfolio import Portfolio
from kamsim.scenario import Scenario


class ExplorerForm:
    """The form of one explorer session: its values, the choices offered and the checks.

    Parameters and form fields as :class:`~kamsim.explorer.state.ExplorerState`, which
    adds the run and its result.

    Raises
    ------
    ValueError
        If the scenario file cannot be read or is invalid, or ``dataset`` is unknown.
    """

    #: Where the portfolio comes from.
    SOURCES: tuple[str, ...] = ("dataset", "generated", "folder")
    #: Form fields other than the knobs.
    FIELDS: tuple[str, ...] = (
        "source", "dataset", "gen_accounts", "gen_seed", "gen_locale", "gen_history_months", "folder",
        "policies", "baseline", "replications", "workers", "seed",
    )
    #: Upper bounds that keep a browser session reasonable.
    MAX_ACCOUNTS = 100_000
    MAX_REPLICATIONS = MAX_REPLICATIONS  # the experiments' own limit
    MAX_HISTORY_MONTHS = 120

    def __init__(
        self,
        dataset: str | None = None,
        portfolio_dir: str | os.PathLike[str] | None = None,
        scenario: Scenario | str | os.PathLike[str] | None = None,
    ) -> None:
        from kamsim import datasets

        if scenario is None:
            self.base_scenario = Scenario()
            self.scenario_file: str | None = None
        elif isinstance(scenario, Scenario):
            self.base_scenario = scenario
            self.scenario_file = None
        else:
            self.base_scenario = Scenario.from_file(scenario)
            self.scenario_file = str(scenario)
        names = datasets.available()
        if dataset is not None and dataset not in names:
            raise ValueError(f"unknown dataset {dataset!r}; available: {', '.join(names)}")
        self.knobs, self.knob_notes = scenario_knobs()
        # form values
        self.source: str = "folder" if portfolio_dir is not None else "dataset"
        self.dataset: str = dataset or ("small" if "small" in names else (names[0] if names else ""))
        self.folder: str = "" if portfolio_dir is None else str(portfolio_dir)
        self.gen_accounts: Any = 200
        self.gen_seed: Any = 1
        self.gen_locale: str = "en_US"
        self.gen_history_months: Any = 12
        self.knob_values: dict[str, Any] = {k.path: get_path(self.base_scenario, k.path) for k in self.knobs}
        bundles = list(self.bundles()["name"])
        self.policies: list[str] = [p for p in ("status_quo", "risk_targeted") if p in bundles] or bundles[:2]
        self.baseline: str | None = None
        self.replications: Any = 10
        self.workers: Any = 1
        self.seed: Any = 1
        self.errors: dict[str, str] = {}
        self._folder_cache: dict[tuple[str, int], Portfolio] = {}
        if self.source == "folder":
            self.check("folder")

    # ------------------------------------------------------------------ choices offered by the form

    @staticmethod
    def bundles() -> pd.DataFrame:
        """Registered policy bundles: ``name, description``."""
        from kamsim.policies import available

        return available("bundle")[["name", "description"]].reset_index(drop=True)

    @staticmethod
    def dataset_choices() -> dict[str, str]:
        """Shipped dataset name -> description."""
        from kamsim.datasets import DATASETS, available

        return {name: DATASETS[name].description for name in available()}

    @staticmethod
    def locales() -> tuple[str, ...]:
        """Locales a generated portfolio can have."""
        from kamsim.generators.tables import LOCALES

        return tuple(LOCALES)

    def knob(self, path: str) -> Knob:
        """The :class:`Knob` of a dotted Scenario path."""
        for knob in self.knobs:
            if knob.path == path:
                return knob
        raise KeyError(f"no scenario knob {path!r}; knobs: {', '.join(k.path for k in self.knobs)}")

    @property
    def locale(self) -> str:
        """Locale of the chosen portfolio (``zh_CN`` shows Chinese KPI labels)."""
        if self.source == "generated":
            return str(self.gen_locale)
        if self.source == "dataset":
            from kamsim.datasets import DATASETS

            spec = DATASETS.get(self.dataset)
            return spec.locale if spec is not None else "en_US"
        portfolio = self._cached_folder()
        return str(portfolio.meta.get("locale", "en_US")) if portfolio is not None else "en_US"

    def ordered_policies(self) -> list[str]:
        """The chosen policies in registry order, without duplicates."""
        order = {name: i for i, name in enumerate(self.bundles()["name"])}
        chosen = list(dict.fromkeys(self.policies or []))
        return sorted(chosen, key=lambda p: order.get(p, len(order)))

    def effective_baseline(self) -> str | None:
        """The baseline: the one chosen if it is among the policies, else the first policy."""
        policies = self.ordered_policies()
        if self.baseline in policies:
            return self.baseline
        return policies[0] if policies else None

    # ------------------------------------------------------------------ setting and checking fields

    def set(self, name: str, value: Any) -> str | None:
        """Set form field ``name`` (a :attr:`FIELDS` name or a knob path) and check it; return its message."""
        if name in (k.path for k in self.knobs):
            self.knob_values[name] = value
        elif name in self.FIELDS:
            if name == "policies":
                value = [] if value is None else list(value)
            setattr(self, name, value)
        else:
            raise KeyError(f"unknown form field {name!r}")
        if name == "source":  # messages of fields no longer shown go away
            for other in ("dataset", "folder", "gen_accounts", "gen_seed", "gen_locale", "gen_history_months"):
                self.errors.pop(other, None)
        if name == "policies":
            self.check("baseline")
        return self.check(name)

    def check(self, name: str) -> str | None:
        """Check one field; store and return its message (``None`` if fine)."""
        message = self._message(name)
        if message:
            self.errors[name] = message
        else:
            self.errors.pop(name, None)
        return message

    def validate(self) -> dict[str, str]:
        """Check every field; return ``{field: message}`` (empty when the form can run)."""
        self.errors = {}
        for name in (*self.FIELDS, *(k.path for k in self.knobs)):
            self.check(name)
        return dict(self.errors)

    def _active(self, name: str) -> bool:
        if name == "dataset":
            return self.source == "dataset"
        if name == "folder":
            return self.source == "folder"
        if name.startswith("gen_"):
            return self.source == "generated"
        return True

    def _message(self, name: str) -> str | None:
        if not self._active(name):
            return None
        if name in self.knob_values:
            return self._scenario_messages().get(name)
        if name == "source":
            if self.source not in self.SOURCES:
                return f"choose one of {', '.join(self.SOURCES)}"
            return None
        if name == "dataset":
            choices = self.dataset_choices()
            if self.dataset not in choices:
                return f"choose a shipped dataset: {', '.join(choices)}"
            from kamsim.datasets import datasets_dir

            if not (datasets_dir() / self.dataset).is_dir():
                return f"dataset folder {datasets_dir() / self.dataset} is missing (run tools/make_datasets.py)"
            return None
        if name == "folder":
            return self._folder_message()
        if name == "gen_accounts":
            return parse_int(self.gen_accounts, "Accounts", 1, self.MAX_ACCOUNTS)[1]
        if name in ("gen_seed", "seed"):
            number, error = parse_number(getattr(self, name), "int")
            if error:
                return f"Seed: {error}"
            try:
                check_seed(number, "Seed")
            except ValueError as exc:
                return str(exc)
            return None
        if name == "gen_locale":
            if self.gen_locale not in self.locales():
                return f"choose one of {', '.join(self.locales())}"
            return None
        if name == "gen_history_months":
            return parse_int(self.gen_history_months, "History", 0, self.MAX_HISTORY_MONTHS)[1]
        if name == "policies":
            known = set(self.bundles()["name"])
            unknown = [p for p in self.policies or [] if p not in known]
            if unknown:
                return f"unknown policy bundle(s) {', '.join(map(str, unknown))}; see `kamsim policies`"
            if len(self.ordered_policies()) < 2:
                return "pick at least two policy bundles to compare"
            return None
        if name == "baseline":
            if self.baseline is not None and self.baseline not in self.ordered_policies():
                return f"the baseline {self.baseline!r} is not one of the chosen policies"
            return None
        if name == "replications":
            return parse_int(
                self.replications, "Replications", 2, self.MAX_REPLICATIONS, " (a confidence interval needs at least 2)"
            )[1]
        if name == "workers":
            cores = max(1, os.cpu_count() or 1)
            return parse_int(self.workers, "Workers", 1, cores, f" (this machine has {cores} cores)")[1]
        raise KeyError(f"unknown form field {name!r}")

    def _scenario_messages(self) -> dict[str, str]:
        """Messages per knob: parse each value, then let the Scenario's own validation judge them all."""
        messages: dict[str, str] = {}
        changes: dict[str, Any] = {}
        for knob in self.knobs:
            value, error = parse_number(self.knob_values.get(knob.path), knob.kind, knob.optional)
            if error:
                messages[knob.path] = f"{knob.label}: {error}; it must be {knob.requirement()}"
            else:
                changes[knob.path] = value
        data = self.base_scenario.to_dict()
        for path, value in changes.items():
            node = data
            parts = path.split(".")
            for part in parts[:-1]:
                node = node[part]
            node[parts[-1]] = value
        try:
            Scenario.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(x) for x in err["loc"])
                knob = next((k for k in self.knobs if loc == k.path or loc.startswith(k.path + ".")), None)
                if knob is None:
                    messages.setdefault("scenario", f"{loc}: {err['msg']}")
                elif knob.path not in messages:
                    messages[knob.path] = (
                        f"{knob.label} must be {knob.requirement()}; got {self.knob_values.get(knob.path)!r}"
                    )
        return messages

    def scenario(self) -> Scenario:
        """The base scenario with the knobs applied.

        Raises
        ------
        ValueError
            If a knob is invalid; the message names the knobs.
        """
        messages = self._scenario_messages()
        if messages:
            raise ValueError("; ".join(messages.values()))
        changes = {k.path: parse_number(self.knob_values.get(k.path), k.kind, k.optional)[0] for k in self.knobs}
        return self.base_scenario.updated(changes)

    def _cached_folder(self) -> Portfolio | None:
        key = self._folder_key()
        return self._folder_cache.get(key) if key is not None else None

    def _folder_key(self) -> tuple[str, int] | None:
        path = Path(str(self.folder or "")).expanduser()
        try:
            stamp = max((p.stat().st_mtime_ns for p in path.iterdir() if p.is_file()), default=0)
            return str(path.resolve()), stamp
        except OSError:
            return None

    def _folder_message(self) -> str | None:
        text = str(self.folder or "").strip()
        if not text:
            return "enter the path of a portfolio folder (written by `kamsim generate` or `kamsim calibrate`)"
        path = Path(text).expanduser()
        if not path.exists():
            return f"cannot read {text}: no such folder"
        if not path.is_dir():
            return f"cannot read {text}: not a folder"
        if not os.access(path, os.R_OK | os.X_OK):
            return f"cannot read {text}: permission denied"
        key = self._folder_key()
        if key is None:
            return f"cannot read {text}: the folder cannot be listed"
        if key in self._folder_cache:
            return None
        try:
            portfolio = Portfolio.from_dir(path)
        except (ValueError, OSError) as exc:
            return f"cannot read {text} as a kamsim portfolio: {exc}"
        self._folder_cache = {key: portfolio}
        return None

    def snapshot(self) -> Job:
        """The form as it stands, for a run (call after :meth:`validate` found nothing wrong)."""
        policies = tuple(self.ordered_policies())
        return Job(
            scenario=self.scenario(),
            policies=policies,
            baseline=self.effective_baseline() or policies[0],
            replications=int(parse_number(self.replications, "int")[0]),
            workers=int(parse_number(self.workers, "int")[0]),
            seed=int(parse_number(self.seed, "int")[0]),
            source=self.source,
            dataset=self.dataset,
            folder=str(self.folder),
            generated=(
                int(parse_number(self.gen_accounts, "int")[0] or 0),
                int(parse_number(self.gen_seed, "int")[0] or 0),
                str(self.gen_locale),
                int(parse_number(self.gen_history_months, "int")[0] or 0),
            ),
            locale=self.locale,
            portfolio=self._cached_folder() if self.source == "folder" else None,
        )
