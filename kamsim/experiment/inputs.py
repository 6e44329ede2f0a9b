"""The inputs of an experiment, checked before any simulation: scenario, policies, portfolio, settings.

KAM example: a strategist asks for "status_quo vs risk_targeted, 30 replications, on our
2,000-account portfolio".  Before the first of 60 simulations starts, every part of that
request is checked here -- an unknown policy name, a scenario file with a typo, a folder
that is not a portfolio or one replication (no confidence interval) is a ``ValueError``
that names the argument, and nothing runs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kamsim._random import check_seed
from kamsim.experiment.executors import check_executor
from kamsim.experiment.runner import PortfolioSpec
from kamsim.experiment.stats import check_confidence
from kamsim.generators import DEFAULT_ACCOUNTS
from kamsim.generators.portfolio_builder import MAX_ACCOUNTS

#: Most replications per policy or scenario of one comparison.
MAX_REPLICATIONS: int = 10_000

if TYPE_CHECKING:  # pragma: no cover
    from kamsim.policies import PolicyBundle
    from kamsim.portfolio import Portfolio
    from kamsim.scenario import Scenario


def load_scenario(scenario: object) -> Scenario:
    """A ``Scenario`` from a Scenario, a file path or a dict; errors name the argument and the file."""
    from kamsim.scenario import Scenario

    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, Mapping):
        return Scenario.from_dict(dict(scenario), source="scenario")
    if isinstance(scenario, (str, os.PathLike)):
        path = Path(scenario)
        if not path.is_file():
            raise ValueError(f"scenario: cannot read file {str(path)!r}: no such file")
        try:
            return Scenario.from_file(path)
        except (OSError, ValueError) as exc:
            message = str(exc)
            if str(path) not in message:
                message = f"{str(path)!r}: {message}"
            raise ValueError(f"scenario: invalid scenario file {message}") from None
    raise ValueError(f"scenario must be a Scenario, a file path or a dict, got {type(scenario).__name__}")


def available_policies() -> list[str]:
    """Names of the registered policy bundles (``kamsim.policies.BUNDLES``)."""
    from kamsim.policies import BUNDLES

    return list(BUNDLES)


def normalise_policies(policies: Mapping[str, PolicyBundle | str] | Sequence[str]) -> dict[str, PolicyBundle | str]:
    """``{label: bundle or registered bundle name}`` in the given order.

    Raises
    ------
    ValueError
        For an unknown bundle name (listing the registered ones), a duplicate name, an empty
        selection, or a value that is neither a ``PolicyBundle`` nor a string.
    """
    from kamsim.policies import PolicyBundle

    if isinstance(policies, str):
        raise ValueError(f"policies must be a list of names or a dict, got the string {policies!r}")
    if isinstance(policies, Mapping):
        named = dict(policies)
    elif isinstance(policies, Sequence):
        names = list(policies)
        dup = sorted({n for n in names if names.count(n) > 1}, key=str)
        if dup:
            raise ValueError(f"policies: duplicate name(s) {dup}")
        named = {}
        for n in names:
            if not isinstance(n, str):
                raise ValueError(f"policies: list entries must be policy names, got {type(n).__name__}")
            named[n] = n
    else:
        raise ValueError(f"policies must be a list of names or a dict, got {type(policies).__name__}")
    if not named:
        raise ValueError("policies: give at least one policy")
    known: list[str] | None = None
    for label, policy in named.items():
        if not isinstance(label, str) or not label:
            raise ValueError(f"policies: labels must be non-empty strings, got {label!r}")
        if isinstance(policy, str):
            known = known if known is not None else available_policies()
            if policy not in known:
                raise ValueError(f"policies: unknown policy {policy!r}; available: {', '.join(known)}")
        elif not isinstance(policy, PolicyBundle):
            raise ValueError(
                f"policies: {label!r} must be a PolicyBundle or a registered name, got {type(policy).__name__}"
            )
    return named


def resolve_portfolio(portfolio: object, scenario: Scenario, seed: int) -> Portfolio | PortfolioSpec:
    """The portfolio every replication uses (see :func:`compare`); errors name the ``portfolio`` argument.

    ``None`` and an int are generated here, once (and cached for later calls with the same
    recipe), then sent to workers with each task: pickling a 200-account portfolio takes about
    a millisecond, far less than one simulation.  A :class:`PortfolioSpec` is passed on as a
    recipe and built inside each worker instead (once per worker process), which suits large
    portfolios on a remote cluster.
    """
    locale = getattr(scenario, "locale", None) or "en_US"
    if portfolio is None:
        n = getattr(scenario, "n_accounts", None) or DEFAULT_ACCOUNTS
        return PortfolioSpec(int(n), seed, locale).build()
    if isinstance(portfolio, PortfolioSpec):
        return portfolio
    if isinstance(portfolio, (bool, np.bool_)):
        raise ValueError(f"portfolio must be a Portfolio, a folder, a number of accounts or None, got {portfolio!r}")
    if isinstance(portfolio, (int, np.integer)):
        check_accounts(portfolio)
        return PortfolioSpec(int(portfolio), seed, locale).build()
    if isinstance(portfolio, (str, os.PathLike)):
        from kamsim.portfolio import Portfolio

        path = Path(portfolio)
        if not path.is_dir():
            raise ValueError(f"portfolio: {str(path)!r} is not a portfolio folder")
        return Portfolio.from_dir(path)
    if hasattr(portfolio, "accounts"):
        return portfolio  # type: ignore[return-value]
    raise ValueError(f"portfolio must be a Portfolio, a folder, a number of accounts or None, got {type(portfolio).__name__}")


def check_accounts(n_accounts: int) -> int:
    """A number of accounts to generate: 1 to ``MAX_ACCOUNTS``; ``ValueError`` naming ``portfolio`` otherwise."""
    if n_accounts < 1:
        raise ValueError(f"portfolio: number of accounts must be >= 1, got {n_accounts}")
    if n_accounts > MAX_ACCOUNTS:
        raise ValueError(f"portfolio: number of accounts must be <= {MAX_ACCOUNTS:,}, got {n_accounts:,}")
    return int(n_accounts)


def run_shape(portfolio: object, scenario: Scenario) -> tuple[int, Any] | None:
    """``(accounts, as_of)`` of the portfolio a comparison will simulate, known without building it.

    ``None`` for a folder (known once loaded) or an object without accounts.
    """
    from kamsim.engine.simulate import as_of_timestamp, start_date

    if portfolio is None:
        return int(getattr(scenario, "n_accounts", None) or DEFAULT_ACCOUNTS), start_date(None)
    if isinstance(portfolio, PortfolioSpec):
        as_of = dict(portfolio.options).get("as_of", "2024-01-01")
        return portfolio.n_accounts, as_of_timestamp(as_of, "portfolio.options['as_of']")
    if isinstance(portfolio, (int, np.integer)) and not isinstance(portfolio, (bool, np.bool_)):
        return check_accounts(portfolio), start_date(None)
    accounts = getattr(portfolio, "accounts", None)
    if accounts is None or isinstance(portfolio, (str, os.PathLike)):
        return None
    return len(accounts), start_date(portfolio)


def check_runs(portfolio: object, scenarios: Sequence[Scenario], months: int | None) -> None:
    """Check every run's months, accounts x months and calendar before any simulation (see ``simulate``)."""
    from kamsim.engine.simulate import check_simulation

    shape = run_shape(portfolio, scenarios[0]) if scenarios else None
    if shape is None:
        return
    n_accounts, start = shape
    for scenario in scenarios:
        check_simulation(start, scenario.months if months is None else months, n_accounts)


def check_baseline(baseline: str | None, labels: Mapping[str, Any], what: str) -> str:
    """The baseline label: the first of ``labels`` by default; an unknown label is a ``ValueError``."""
    if baseline is None:
        return next(iter(labels))
    if baseline not in labels:
        raise ValueError(f"baseline {baseline!r} is not one of the {what} {list(labels)}")
    return baseline


def check_run_settings(
    replications: object, seed: object, executor: object, kpis: Sequence[str] | None, confidence: float, months: object
) -> tuple[int, int, tuple[str, ...] | None]:
    """Validate the settings shared by :func:`compare` and :func:`compare_scenarios`."""
    from kamsim.engine.simulate import check_months

    replications = check_replications(replications)
    seed = check_seed(seed, "seed")
    check_executor(executor)
    kpi_tuple = check_kpis(kpis)
    check_confidence(confidence)
    if months is not None:
        check_months(months)
    return replications, seed, kpi_tuple


def check_replications(replications: object) -> int:
    """Replications per policy: an int from 2 to :data:`MAX_REPLICATIONS`; ``ValueError`` otherwise."""
    if isinstance(replications, (bool, np.bool_)) or not isinstance(replications, (int, np.integer)):
        raise ValueError(f"replications must be an integer >= 2, got {type(replications).__name__}")
    if replications < 2:
        raise ValueError(f"replications must be >= 2 to estimate a confidence interval, got {replications}")
    if replications > MAX_REPLICATIONS:
        raise ValueError(f"replications must be <= {MAX_REPLICATIONS:,}, got {replications:,}")
    return int(replications)


def check_kpis(kpis: Sequence[str] | None) -> tuple[str, ...] | None:
    if kpis is None:
        return None
    if isinstance(kpis, str):
        kpis = [kpis]
    kpis = list(kpis)
    if not kpis or not all(isinstance(k, str) and k for k in kpis):
        raise ValueError(f"kpis must be a non-empty list of KPI names, got {kpis!r}")
    known = engine_kpi_names()
    if known is not None:
        unknown = [k for k in kpis if k not in known]
        if unknown:
            raise ValueError(f"kpis: unknown KPI name(s) {unknown}; available: {', '.join(known)}")
    return tuple(kpis)


def engine_kpi_names() -> list[str] | None:
    """KPI names the engine declares (``kamsim.engine.KPI_NAMES``), if it declares them."""
    try:
        from kamsim import engine
    except ImportError:  # pragma: no cover - engine missing
        return None
    names = getattr(engine, "KPI_NAMES", None)
    return list(names) if names is not None else None



def describe_portfolio(source: object) -> dict[str, Any]:
    """JSON-friendly description of the portfolio for ``Comparison.meta``."""
    if isinstance(source, PortfolioSpec):
        return {"recipe": True, "n_accounts": source.n_accounts, "seed": source.seed, "locale": source.locale}
    meta = getattr(source, "meta", None)
    out = dict(meta) if isinstance(meta, dict) else {}
    accounts = getattr(source, "accounts", None)
    if accounts is not None:
        out.setdefault("n_accounts", len(accounts))
    return out
