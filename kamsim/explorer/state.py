"""The policy explorer's state: form values, their checks, the run in the background, the results.

This module is the explorer without a user interface.  :class:`ExplorerState`
holds what a strategist typed into the form, checks it field by field (a
message per field, nothing runs while one is wrong), turns it into a
:class:`~kamsim.scenario.Scenario`, a portfolio and a policy list, runs
:func:`kamsim.experiment.compare` in a background thread with a progress count
and a cancel switch, and keeps the result: the comparison, a readable paired
table, a figure and a zip of the results folder that ``kamsim compare``
reproduces.  It imports no Panel, so it is tested without a browser
(``tests/test_explorer_state.py``); :mod:`kamsim.explorer.app` binds Panel
widgets to it, one state object per browser session.

KAM example::

    from kamsim.explorer import ExplorerState
    state = ExplorerState(dataset="small")
    state.set("months", 12)
    state.set("policies", ["status_quo", "risk_targeted"])
    state.set("replications", 5)
    if state.start():           # False, with state.errors per field, if the form is wrong
        state.wait()
        state.result.table()    # paired differences vs status_quo, readable KPI names

The scenario knobs and their units and ranges come from the pydantic fields of
:class:`~kamsim.scenario.Scenario` (:func:`scenario_knobs`); a knob the Scenario
does not have is left out and explained in :attr:`ExplorerState.knob_notes`.
"""

from __future__ import annotations

import concurrent.futures as cf
import io
import math
import multiprocessing
import os
import shlex
import shutil
import sys
import tempfile
import threading
import time
import types
import typing
import weakref
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from kamsim._random import check_seed
from kamsim.portfolio import Portfolio
from kamsim.scenario import Scenario

# ----------------------------------------------------------------------------- the scenario knobs

#: The knobs the form offers: (label, candidate dotted Scenario paths; the first that exists is used).
KNOB_CANDIDATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Months simulated", ("months",)),
    ("Manager capacity", ("managers.capacity_multiplier",)),
    ("Complaint handlers", ("complaints.handlers",)),
    ("Discount on list price", ("orders.base_discount",)),
    ("Retention budget", ("retention.budget_hours", "retention.budget")),
)

#: Why a knob without a Scenario field is left out (shown under the scenario knobs).
MISSING_KNOB_NOTES: dict[str, str] = {
    "Retention budget": (
        "Retention budget: the Scenario has no such field; a retention budget belongs to a retention "
        "policy (e.g. the budget_hours of the value_risk and win_back bundles), so it is left out here."
    ),
}


@dataclass(frozen=True)
class Knob:
    """One scenario parameter of the form, described by the Scenario's own field metadata.

    Attributes
    ----------
    path : str
        Dotted Scenario path, e.g. ``"complaints.handlers"``; also the form field name.
    label, description, unit : str
        Short label (the explorer's), the field's description and unit (the Scenario's).
    kind : {"int", "float"}
        Number type of the field.
    optional : bool
        The field accepts ``None`` (an empty input).
    minimum, maximum : float or None
        Bounds from the field's ``ge``/``gt`` and ``le``/``lt`` constraints.
    min_exclusive, max_exclusive : bool
        True for ``gt``/``lt`` bounds.
    """

    path: str
    label: str
    description: str
    unit: str
    kind: str
    optional: bool
    minimum: float | None
    maximum: float | None
    min_exclusive: bool = False
    max_exclusive: bool = False

    def range_text(self) -> str:
        """Valid values in words, e.g. ``"1 to 1200"``, ``">= 0"``, ``"> 0"``."""
        def fmt(v: float) -> str:
            return str(int(v)) if float(v).is_integer() else f"{v:g}"

        low = None if self.minimum is None else (">" if self.min_exclusive else ">=") + " " + fmt(self.minimum)
        high = None if self.maximum is None else ("<" if self.max_exclusive else "<=") + " " + fmt(self.maximum)
        if low and high and not self.min_exclusive and not self.max_exclusive:
            text = f"{fmt(self.minimum)} to {fmt(self.maximum)}"  # type: ignore[arg-type]
        else:
            text = " and ".join(t for t in (low, high) if t) or "any number"
        if self.kind == "int":
            text += ", whole number"
        if self.optional:
            text += "; empty = automatic"
        return text

    def requirement(self) -> str:
        """What a valid value is, for a message: ``"a whole number from 1 to 1200 [months]"``."""
        def fmt(v: float) -> str:
            return str(int(v)) if float(v).is_integer() else f"{v:g}"

        parts = []
        if self.minimum is not None and self.maximum is not None and not (self.min_exclusive or self.max_exclusive):
            parts.append(f"from {fmt(self.minimum)} to {fmt(self.maximum)}")
        else:
            if self.minimum is not None:
                parts.append(f"{'>' if self.min_exclusive else '>='} {fmt(self.minimum)}")
            if self.maximum is not None:
                parts.append(f"{'<' if self.max_exclusive else '<='} {fmt(self.maximum)}")
        text = ("a whole number " if self.kind == "int" else "a number ") + " and ".join(parts)
        text = f"{text.strip()} [{self.unit}]"
        return text + (", or empty for automatic" if self.optional else "")

    def help_text(self) -> str:
        """Description, unit and valid range for the form."""
        return f"{self.description}. Valid: {self.range_text()}."


def _field_info(path: str) -> Any | None:
    """The pydantic FieldInfo of a dotted Scenario path, or ``None`` if the Scenario has no such field."""
    model: Any = Scenario
    parts = path.split(".")
    for part in parts[:-1]:
        info = getattr(model, "model_fields", {}).get(part)
        if info is None or not (isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)):
            return None
        model = info.annotation
    return getattr(model, "model_fields", {}).get(parts[-1])


def _number_kind(annotation: Any) -> tuple[str, bool] | None:
    """``("int"|"float", optional)`` for a numeric annotation, ``None`` for anything else."""
    args = typing.get_args(annotation)
    optional = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        optional = type(None) in args
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            return None
        annotation = rest[0]
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if annotation is int:
        return "int", optional
    if annotation is float:
        return "float", optional
    return None


def _knob(path: str, label: str) -> Knob | None:
    info = _field_info(path)
    if info is None:
        return None
    kind = _number_kind(info.annotation)
    if kind is None:
        return None
    minimum = maximum = None
    min_excl = max_excl = False
    for item in info.metadata:
        for attr, is_min, excl in (("ge", True, False), ("gt", True, True), ("le", False, False), ("lt", False, True)):
            value = getattr(item, attr, None)
            if value is None:
                continue
            if is_min:
                minimum, min_excl = float(value), excl
            else:
                maximum, max_excl = float(value), excl
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    description = (info.description or "").rsplit(" [", 1)[0]
    return Knob(path, label, description, str(extra.get("unit", "")), kind[0], kind[1], minimum, maximum, min_excl, max_excl)


def scenario_knobs() -> tuple[list[Knob], list[str]]:
    """The knobs of :data:`KNOB_CANDIDATES` the Scenario has, and a note for each one it has not."""
    knobs: list[Knob] = []
    notes: list[str] = []
    for label, paths in KNOB_CANDIDATES:
        found = next((k for k in (_knob(p, label) for p in paths) if k is not None), None)
        if found is None:
            notes.append(MISSING_KNOB_NOTES.get(label, f"{label}: not a Scenario field, left out."))
        else:
            knobs.append(found)
    return knobs, notes


def _get_path(scenario: Scenario, path: str) -> Any:
    value: Any = scenario
    for part in path.split("."):
        value = getattr(value, part)
    return value


# ----------------------------------------------------------------------------- parsing form values


def _parse_number(value: Any, kind: str, optional: bool = False) -> tuple[Any, str | None]:
    """``(number, None)`` or ``(None, message)`` for a form value (number, text or empty)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, (None if optional else "enter a value")
    if isinstance(value, bool):
        return None, f"enter a number, got {value!r}"
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text) if kind == "int" else float(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                return None, f"enter a {'whole ' if kind == 'int' else ''}number, got {text!r}"
    if not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        return None, f"enter a number, got {value!r}"
    number = float(value)
    if not math.isfinite(number):
        return None, f"enter a finite number, got {value!r}"
    if kind == "int":
        if not number.is_integer():
            return None, f"enter a whole number, got {value!r}"
        return int(number), None
    return number, None


def _parse_int(value: Any, label: str, minimum: int, maximum: int | None = None, why: str = "") -> tuple[int | None, str | None]:
    number, error = _parse_number(value, "int")
    if error:
        return None, f"{label}: {error}"
    if number < minimum or (maximum is not None and number > maximum):
        bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        return None, f"{label} must be {bounds}{why}, got {number}"
    return number, None


# ----------------------------------------------------------------------------- running in the background


class RunCancelled(Exception):
    """Raised inside a run when the user pressed cancel."""


def _pool_context() -> Any:
    """``forkserver`` where it works (no fork of a process running a web server's threads), else the default.

    A forkserver child re-imports the ``__main__`` script; when that is no file (``python -`` reading
    stdin) it cannot, and the platform default is used instead.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    main = sys.modules.get("__main__")
    spec_name = getattr(getattr(main, "__spec__", None), "name", None)
    path = getattr(main, "__file__", None)
    if spec_name or path is None or os.path.isfile(path):
        context = multiprocessing.get_context("forkserver")
        # the server process imports the engine once; each worker forks from it ready to simulate
        context.set_forkserver_preload(["kamsim.experiment.runner", "kamsim.engine", "kamsim.policies"])
        return context
    return None


class _TrackedExecutor(cf.Executor):
    """The executor handed to :func:`compare`: counts finished replications and honours cancel.

    ``workers == 1`` runs each replication when it is submitted, in the calling (background)
    thread; ``workers > 1`` forwards them to a process pool (``forkserver`` start method where
    available: safe in a process that runs a web server's threads).  Every future handed
    back is a proxy, so that cancel can mark the pending ones cancelled *and* wake
    ``concurrent.futures.as_completed`` at once.  Results are the same either way:
    ``compare`` puts them back in task order.
    """

    def __init__(self, workers: int, cancel_event: threading.Event, on_done: Any) -> None:
        self._cancel = cancel_event
        self._on_done = on_done
        self._lock = threading.RLock()
        self._proxies: list[tuple[cf.Future[Any], cf.Future[Any]]] = []
        self._pool: cf.ProcessPoolExecutor | None = None
        if workers > 1:
            self._pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context())

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        if self._cancel.is_set():
            raise RunCancelled("cancelled")
        proxy: cf.Future[Any] = cf.Future()
        if self._pool is None:
            proxy.set_running_or_notify_cancel()
            try:
                proxy.set_result(fn(*args, **kwargs))
            except Exception as exc:  # handed to compare() like a pool would
                proxy.set_exception(exc)
            self._on_done()
            return proxy
        inner = self._pool.submit(fn, *args, **kwargs)
        with self._lock:
            self._proxies.append((proxy, inner))
        inner.add_done_callback(lambda done, p=proxy: self._relay(done, p))
        return proxy

    def _relay(self, inner: cf.Future[Any], proxy: cf.Future[Any]) -> None:
        with self._lock:
            if proxy.done():
                return
            if inner.cancelled():
                proxy.cancel()
                proxy.set_running_or_notify_cancel()
                return
            proxy.set_running_or_notify_cancel()
            exc = inner.exception()
            if exc is not None:
                proxy.set_exception(exc)
            else:
                proxy.set_result(inner.result())
        self._on_done()

    def cancel(self) -> None:
        """Stop submitting; cancel every pending replication (running ones finish)."""
        self._cancel.set()
        with self._lock:
            for proxy, _inner in self._proxies:
                if not proxy.done() and proxy.cancel():
                    proxy.set_running_or_notify_cancel()  # wakes as_completed
            inners = [inner for _proxy, inner in self._proxies]
        for inner in inners:  # outside the lock: a cancelled inner future calls _relay at once
            inner.cancel()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


@dataclass(frozen=True)
class _Job:
    """A snapshot of the form taken when a run starts (later edits do not change it)."""

    scenario: Scenario
    policies: tuple[str, ...]
    baseline: str
    replications: int
    workers: int
    seed: int
    source: str
    dataset: str
    folder: str
    generated: tuple[int, int, str, int]
    locale: str
    portfolio: Portfolio | None  # a folder already loaded by the check


@dataclass
class RunResult:
    """A finished comparison and everything needed to show, download and reproduce it.

    Attributes
    ----------
    comparison : Comparison
        What :func:`kamsim.experiment.compare` returned.
    scenario : Scenario
        The scenario simulated (the form's knobs applied).
    policies, baseline, replications, workers, seed
        The run settings.
    portfolio_dir : Path
        Folder holding the portfolio simulated (copied into the download).
    portfolio_label : str
        Where the portfolio came from, in words.
    locale : str
        Locale of the portfolio; ``zh_CN`` gives Chinese labels.
    elapsed_s : float
        Wall time of the simulations (seconds).
    plot_png : bytes
        The paired-difference figure (:func:`kamsim.explorer.figures.paired_plot_png`).
    """

    comparison: Any
    scenario: Scenario
    policies: tuple[str, ...]
    baseline: str
    replications: int
    workers: int
    seed: int
    portfolio_dir: Path
    portfolio_label: str
    locale: str
    elapsed_s: float
    plot_png: bytes = b""
    _zip: bytes | None = field(default=None, repr=False)

    def paired(self) -> pd.DataFrame:
        """``Comparison.paired()``: the table that ``paired.csv`` holds."""
        return self.comparison.paired()

    def table(self, locale: str | None = None) -> pd.DataFrame:
        """Paired differences with readable KPI names and headers (Chinese for ``zh_CN``).

        Columns: policy, KPI, unit, baseline mean, difference, CI low, CI high, difference %,
        CI excludes 0 ("yes"/"no"); one row per policy other than the baseline and KPI.
        """
        from kamsim.explorer.labels import column_label, kpi_label, kpi_unit

        loc = self.locale if locale is None else locale
        paired = self.paired()
        frame = pd.DataFrame(
            {
                "policy": paired["policy"].astype(str).to_numpy(),
                "kpi": [kpi_label(k, loc) for k in paired["kpi"]],
                "unit": [kpi_unit(k) for k in paired["kpi"]],
                "baseline_mean": paired["baseline_mean"].to_numpy(dtype=float),
                "diff_mean": paired["diff_mean"].to_numpy(dtype=float),
                "ci_low": paired["ci_low"].to_numpy(dtype=float),
                "ci_high": paired["ci_high"].to_numpy(dtype=float),
                "rel_diff_pct": paired["rel_diff_pct"].to_numpy(dtype=float),
                "significant": [
                    "yes" if (lo > 0 or hi < 0) else "no"
                    for lo, hi in zip(paired["ci_low"].to_numpy(float), paired["ci_high"].to_numpy(float))
                ],
            }
        )
        return frame.rename(columns={c: column_label(c, loc) for c in frame.columns})

    def command(self, out: str = "results") -> str:
        """The ``kamsim compare`` command that reproduces this run from inside the unzipped download."""
        args = [
            "kamsim", "compare",
            "--scenario", "scenario.yaml",
            "--portfolio", "portfolio",
            "--policies", ",".join(self.policies),
            "--baseline", self.baseline,
            "--replications", str(self.replications),
            "--workers", str(self.workers),
            "--seed", str(self.seed),
            "--out", out,
        ]
        return " ".join(shlex.quote(a) for a in args)

    def readme(self) -> str:
        """README.md of the download: what was compared and the command that reproduces it."""
        conf = round(100 * self.comparison.confidence)
        return "\n".join(
            [
                "# kamsim policy comparison (made with `kamsim explore`)",
                "",
                f"- policies: {', '.join(self.policies)} (baseline {self.baseline})",
                f"- portfolio: {self.portfolio_label} (copied to `portfolio/`)",
                f"- scenario: `scenario.yaml` ({self.scenario.months} months)",
                f"- {self.replications} replications per policy, master seed {self.seed}, "
                f"common random numbers, {conf}% confidence intervals",
                "",
                "Files: `paired.csv` (difference vs the baseline with CI), `summary.csv`, `replications.csv`,",
                "`comparison.json`, `comparison.png`, `paired_relative.png` (as written by `kamsim compare`),",
                "`explorer.png` and `paired_readable.csv` (the figure and table shown in the explorer).",
                "",
                "Reproduce (run in this folder; writes the same CSV files to `results/`):",
                "",
                f"    {self.command()}",
                "",
            ]
        )

    def zip_bytes(self) -> bytes:
        """The results folder as a zip: ``kamsim_comparison/`` with CSV, PNG, scenario, portfolio, README."""
        if self._zip is None:
            import dataclasses

            with tempfile.TemporaryDirectory(prefix="kamsim-explore-") as tmp:
                folder = Path(tmp) / "kamsim_comparison"
                comparison = dataclasses.replace(
                    self.comparison,
                    meta={**self.comparison.meta, "scenario_file": "scenario.yaml", "portfolio_dir": "portfolio",
                          "workers": self.workers, "made_with": "kamsim explore"},
                )
                comparison.to_dir(folder)
                self.scenario.to_yaml(folder / "scenario.yaml")
                (folder / "README.md").write_text(self.readme(), encoding="utf-8")
                (folder / "explorer.png").write_bytes(self.plot_png)
                self.table().to_csv(folder / "paired_readable.csv", index=False, encoding="utf-8")
                target = folder / "portfolio"
                target.mkdir()
                for item in sorted(self.portfolio_dir.iterdir()):
                    if item.is_file():
                        shutil.copy2(item, target / item.name)
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                    for item in sorted(folder.rglob("*")):
                        if item.is_file():
                            archive.write(item, item.relative_to(folder.parent).as_posix())
                self._zip = buffer.getvalue()
        return self._zip


# ----------------------------------------------------------------------------- the state


class ExplorerState:
    """Everything one explorer session knows: the form, its checks, the run and the result.

    Parameters
    ----------
    dataset
        Shipped dataset preselected (``kamsim.datasets.available()``).
    portfolio_dir
        A portfolio folder to preselect instead (source ``"folder"``).
    scenario
        The base scenario: a :class:`Scenario`, a YAML/TOML file, or ``None`` (defaults).
        The knobs start from its values; every other parameter is taken from it unchanged.

    Raises
    ------
    ValueError
        If the scenario file cannot be read or is invalid, or ``dataset`` is unknown.

    Notes
    -----
    Form fields (:attr:`FIELDS`) are set with :meth:`set`, which checks that field and keeps
    the message in :attr:`errors`; :meth:`validate` checks them all.  The knob fields are
    named by their dotted Scenario path (``"months"``, ``"complaints.handlers"``, ...).
    Every object is independent: a web app creates one per browser session.
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
    MAX_REPLICATIONS = 10_000
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
        self.knob_values: dict[str, Any] = {k.path: _get_path(self.base_scenario, k.path) for k in self.knobs}
        bundles = list(self.bundles()["name"])
        self.policies: list[str] = [p for p in ("status_quo", "risk_targeted") if p in bundles] or bundles[:2]
        self.baseline: str | None = None
        self.replications: Any = 10
        self.workers: Any = 1
        self.seed: Any = 1
        self.errors: dict[str, str] = {}
        # the run
        self._lock = threading.Lock()
        self.status: str = "idle"  # idle | running | cancelling | done | cancelled | error
        self.message: str = "Ready."
        self.done: int = 0
        self.total: int = 0
        self.result: RunResult | None = None
        self._thread: threading.Thread | None = None
        self._cancel_event = threading.Event()
        self._executor: _TrackedExecutor | None = None
        self._folder_cache: dict[tuple[str, int], Portfolio] = {}
        self._generated: dict[tuple[int, int, str, int], tuple[Portfolio, Path]] = {}
        self._tmp: Path | None = None  # generated portfolios of this session; removed by close() or at exit
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
            return _parse_int(self.gen_accounts, "Accounts", 1, self.MAX_ACCOUNTS)[1]
        if name in ("gen_seed", "seed"):
            number, error = _parse_number(getattr(self, name), "int")
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
            return _parse_int(self.gen_history_months, "History", 0, self.MAX_HISTORY_MONTHS)[1]
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
            return _parse_int(
                self.replications, "Replications", 2, self.MAX_REPLICATIONS, " (a confidence interval needs at least 2)"
            )[1]
        if name == "workers":
            cores = max(1, os.cpu_count() or 1)
            return _parse_int(self.workers, "Workers", 1, cores, f" (this machine has {cores} cores)")[1]
        raise KeyError(f"unknown form field {name!r}")

    def _scenario_messages(self) -> dict[str, str]:
        """Messages per knob: parse each value, then let the Scenario's own validation judge them all."""
        messages: dict[str, str] = {}
        changes: dict[str, Any] = {}
        for knob in self.knobs:
            value, error = _parse_number(self.knob_values.get(knob.path), knob.kind, knob.optional)
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
        changes = {k.path: _parse_number(self.knob_values.get(k.path), k.kind, k.optional)[0] for k in self.knobs}
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

    # ------------------------------------------------------------------ running

    @property
    def running(self) -> bool:
        """True while a run (or its cancelling) is under way."""
        return self.status in ("running", "cancelling")

    @property
    def progress(self) -> float:
        """Share of the replications finished, 0 to 1."""
        return self.done / self.total if self.total else 0.0

    def start(self) -> bool:
        """Check the form and start the comparison in a background thread.

        Returns False, running nothing, if a field is wrong (see :attr:`errors`) or a run is
        under way.
        """
        if self.running:
            self.message = "A comparison is already running."
            return False
        if self.validate():
            self.status = "idle"
            self.message = "Fix the fields marked in red; nothing was run."
            return False
        policies = tuple(self.ordered_policies())
        job = _Job(
            scenario=self.scenario(),
            policies=policies,
            baseline=self.effective_baseline() or policies[0],
            replications=int(_parse_number(self.replications, "int")[0]),
            workers=int(_parse_number(self.workers, "int")[0]),
            seed=int(_parse_number(self.seed, "int")[0]),
            source=self.source,
            dataset=self.dataset,
            folder=str(self.folder),
            generated=(
                int(_parse_number(self.gen_accounts, "int")[0] or 0),
                int(_parse_number(self.gen_seed, "int")[0] or 0),
                str(self.gen_locale),
                int(_parse_number(self.gen_history_months, "int")[0] or 0),
            ),
            locale=self.locale,
            portfolio=self._cached_folder() if self.source == "folder" else None,
        )
        self._cancel_event = threading.Event()
        with self._lock:
            self.status = "running"
            self.message = "Loading the portfolio..."
            self.done = 0
            self.total = len(job.policies) * job.replications
        self._thread = threading.Thread(target=self._run, args=(job, self._cancel_event), name="kamsim-explore", daemon=True)
        self._thread.start()
        return True

    def cancel(self) -> bool:
        """Ask the running comparison to stop; returns False if nothing runs."""
        with self._lock:
            if self.status != "running":
                return False
            self.status = "cancelling"
            self.message = "Cancelling: finishing the simulations already started..."
        self._cancel_event.set()
        executor = self._executor
        if executor is not None:
            executor.cancel()
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run ends; True if it has ended."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def close(self) -> None:
        """Cancel a run and delete the session's temporary files (a browser session ended)."""
        self.cancel()
        self.wait(30)
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def _tick(self) -> None:
        with self._lock:
            self.done += 1
            if self.status == "running":
                self.message = f"Simulating: {self.done} of {self.total} runs finished."

    def _portfolio(self, job: _Job) -> tuple[Portfolio, Path, str]:
        """The portfolio of a job, the folder it is stored in, and its description."""
        if job.source == "folder":
            path = Path(job.folder).expanduser().resolve()
            portfolio = job.portfolio if job.portfolio is not None else Portfolio.from_dir(path)
            return portfolio, path, f"folder {path}"
        if job.source == "dataset":
            from kamsim.datasets import datasets_dir, load

            return load(job.dataset), datasets_dir() / job.dataset, f"shipped dataset {job.dataset!r}"
        n, seed, locale, history = job.generated
        label = f"generated: {n} accounts, seed {seed}, locale {locale}, {history} months of history"
        if job.generated not in self._generated:
            from kamsim.synthetic import generate_portfolio

            if self._tmp is None:
                self._tmp = Path(tempfile.mkdtemp(prefix="kamsim-explore-"))
                weakref.finalize(self, shutil.rmtree, self._tmp, ignore_errors=True)  # a session never closed
            folder = self._tmp / f"portfolio_{n}_{seed}_{locale}_{history}"
            generate_portfolio(n, seed, locale, history_months=history).to_dir(folder, overwrite=True)
            # simulate what the folder holds, so `kamsim compare --portfolio` on the copy gives the same numbers
            self._generated[job.generated] = (Portfolio.from_dir(folder), folder)
        portfolio, folder = self._generated[job.generated]
        return portfolio, folder, label

    def _run(self, job: _Job, cancel_event: threading.Event) -> None:
        from kamsim.experiment.api import compare
        from kamsim.explorer.figures import paired_plot_png

        executor: _TrackedExecutor | None = None
        try:
            portfolio, folder, label = self._portfolio(job)
            if cancel_event.is_set():
                raise RunCancelled("cancelled")
            with self._lock:
                self.message = f"Simulating: 0 of {self.total} runs finished."
            executor = _TrackedExecutor(job.workers, cancel_event, self._tick)
            self._executor = executor
            if cancel_event.is_set():  # cancel() came before the executor existed
                executor.cancel()
            started = time.perf_counter()
            comparison = compare(
                job.scenario,
                list(job.policies),
                portfolio=portfolio,
                replications=job.replications,
                seed=job.seed,
                baseline=job.baseline,
                executor=executor,
                progress=False,
            )
            elapsed = time.perf_counter() - started
            if cancel_event.is_set():
                raise RunCancelled("cancelled")
            with self._lock:
                self.message = "Drawing the figure..."
            result = RunResult(
                comparison=comparison,
                scenario=job.scenario,
                policies=job.policies,
                baseline=job.baseline,
                replications=job.replications,
                workers=job.workers,
                seed=job.seed,
                portfolio_dir=folder,
                portfolio_label=label,
                locale=job.locale,
                elapsed_s=elapsed,
            )
            result.plot_png = paired_plot_png(comparison, job.locale)
            with self._lock:
                self.result = result
                self.status = "done"
                self.message = (
                    f"Done: {len(job.policies)} policies x {job.replications} replications in {elapsed:.1f} s."
                )
        except (RunCancelled, cf.CancelledError):
            with self._lock:
                self.status = "cancelled"
                self.message = f"Cancelled after {self.done} of {self.total} runs; the previous result is kept."
        except Exception as exc:  # shown in the page instead of killing the session
            with self._lock:
                self.status = "error"
                self.message = f"The comparison failed: {type(exc).__name__}: {exc}"
        finally:
            self._executor = None
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)

    # ------------------------------------------------------------------ results

    def results_zip(self) -> bytes:
        """The last result's folder as zip bytes (see :meth:`RunResult.zip_bytes`).

        Raises
        ------
        ValueError
            If no comparison has finished yet.
        """
        if self.result is None:
            raise ValueError("no result yet: run a comparison first")
        return self.result.zip_bytes()
