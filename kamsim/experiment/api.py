"""``compare()``: run several policies over the same replications and collect their KPIs.

KAM example: "Should we move from blanket retention offers to risk-targeted
ones?"  One simulation of each answers nothing — churn is random.  ``compare``
runs every policy ``replications`` times; with common random numbers (CRN,
the default) replication *r* of every policy sees the same orders, churn
shocks and complaints, so the paired difference between two policies in
replication *r* is caused by the policies and not by luck::

    from kamsim.experiment import compare
    comp = compare("scenarios/retention_showdown.yaml",
                   ["status_quo", "blanket_retention", "risk_targeted"],
                   replications=30, seed=1, executor=2)
    comp.paired()           # mean difference vs status_quo with 95% CI
    comp.plot()

Every input is checked before any simulation starts; errors are
``ValueError`` naming the argument.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kamsim._random import check_seed
from kamsim.generators import DEFAULT_ACCOUNTS
from kamsim.experiment.comparison import Comparison
from kamsim.experiment.executors import ExecutorLike, check_executor, run_tasks
from kamsim.experiment.runner import (
    PortfolioSpec,
    ReplicationTask,
    Simulator,
    replication_seed,
    run_replication,
)
from kamsim.experiment.stats import check_confidence

if TYPE_CHECKING:  # pragma: no cover
    from kamsim.policies import PolicyBundle
    from kamsim.portfolio import Portfolio
    from kamsim.scenario import Scenario



def compare(
    scenario: Scenario | str | os.PathLike[str] | Mapping[str, Any],
    policies: Mapping[str, PolicyBundle | str] | Sequence[str],
    portfolio: Portfolio | PortfolioSpec | str | os.PathLike[str] | int | None = None,
    replications: int = 20,
    seed: int = 0,
    baseline: str | None = None,
    executor: ExecutorLike = None,
    progress: bool = True,
    kpis: Sequence[str] | None = None,
    crn: bool = True,
    *,
    months: int | None = None,
    confidence: float = 0.95,
    simulator: Simulator | None = None,
) -> Comparison:
    """Simulate every policy ``replications`` times on the same portfolio and compare their KPIs.

    Parameters
    ----------
    scenario
        A ``Scenario``, a YAML/TOML scenario file, or a dict of Scenario fields.
    policies
        ``{label: PolicyBundle or registered name}`` or a list of registered names
        (see ``kamsim policies``).  Order is kept in all results.
    portfolio
        The accounts to simulate, the same for every policy and replication: a ``Portfolio``,
        a portfolio folder (``Portfolio.from_dir``), an int (number of accounts to generate),
        a :class:`PortfolioSpec` (a recipe built inside each worker), or ``None``: generate
        ``scenario.n_accounts`` accounts if the scenario has that field, else 200, with
        ``generate_portfolio(n, seed)`` (the same master seed as the replications).
    replications
        Replications per policy (>= 2).
    seed
        Master seed (non-negative int).  Replication ``r`` simulates with
        ``replication_seed(seed, r)`` = first 32-bit word of
        ``seed_sequence(seed, "replication", r)``.
    baseline
        Policy the others are compared with; default the first policy.
    executor
        ``None``/``"serial"`` (default), an int ``n`` (process pool with ``n`` workers), or any
        ``concurrent.futures.Executor`` such as ``distributed.Client(...).get_executor()``.
        Results do not depend on it.
    progress
        tqdm bar over finished simulations (only shown when stderr is a terminal).
    kpis
        KPI names to keep (default: all the engine reports).
    crn
        Common random numbers (default).  ``False`` gives every policy its own streams,
        ``seed_sequence(seed, "policy", name, "replication", r)`` — only useful to measure
        what CRN gains.
    months
        Simulated months (default: the scenario's horizon).
    confidence
        Two-sided confidence level of summary and paired CIs.
    simulator
        Replacement for :func:`kamsim.engine.simulate` (same signature; a top-level function).

    Returns
    -------
    Comparison

    Raises
    ------
    ValueError
        For an unknown policy name (the message lists the available ones), ``replications < 2``,
        a ``baseline`` that is not one of the policies, an unreadable or invalid scenario file,
        a bad seed, executor, portfolio or kpis argument.  Raised before any simulation runs.
    """
    scenario_obj = load_scenario(scenario)
    named = normalise_policies(policies)
    baseline = _check_baseline(baseline, named, "policies")
    replications, seed, kpi_tuple = _check_run_settings(replications, seed, executor, kpis, confidence, months)
    if not isinstance(crn, (bool, np.bool_)):
        raise ValueError(f"crn must be True or False, got {crn!r}")
    source = resolve_portfolio(portfolio, scenario_obj, seed)

    runs = [(name, scenario_obj, policy) for name, policy in named.items()]
    tasks = _tasks(runs, source, replications, seed, bool(crn), kpi_tuple, months, simulator)
    meta = {
        "seed": seed,
        "months": months if months is not None else getattr(scenario_obj, "months", None),
        "portfolio": _describe_portfolio(source),
        "scenario": getattr(scenario_obj, "name", None),
    }
    desc = f"{len(named)} policies x {replications} replications"
    frame = _run(tasks, executor, progress, desc)
    return Comparison(frame, baseline=baseline, confidence=confidence, crn=bool(crn), meta=meta)


def compare_scenarios(
    scenarios: Mapping[str, Scenario | str | os.PathLike[str] | Mapping[str, Any]],
    policy: PolicyBundle | str = "status_quo",
    portfolio: Portfolio | PortfolioSpec | str | os.PathLike[str] | int | None = None,
    replications: int = 20,
    seed: int = 0,
    baseline: str | None = None,
    executor: ExecutorLike = None,
    progress: bool = True,
    kpis: Sequence[str] | None = None,
    *,
    months: int | None = None,
    confidence: float = 0.95,
    simulator: Simulator | None = None,
) -> Comparison:
    """Simulate one policy under several scenarios (a what-if sweep) and compare their KPIs.

    KAM example: "how many complaint handlers do we need?" —
    ``compare_scenarios({"2 handlers": s.updated({"complaints.handlers": 2}), "3 handlers": s}, baseline="3 handlers")``.
    Replication ``r`` of every scenario uses the same seed (common random numbers), so the
    paired differences isolate the effect of the scenario change.  The returned
    :class:`Comparison` labels rows by scenario name in its ``policy`` column.

    Parameters are those of :func:`compare`, with ``scenarios`` (``{label: Scenario, file or
    dict}``, order kept) in place of ``scenario`` and a single ``policy`` (bundle or registered
    name) in place of ``policies``.  ``portfolio=None`` generates one from the first scenario.

    Raises
    ------
    ValueError
        As :func:`compare`: an empty or invalid ``scenarios`` mapping (the message names the
        label), an unknown policy, ``replications < 2``, a ``baseline`` that is not a label, ...
        Raised before any simulation runs.
    """
    if not isinstance(scenarios, Mapping) or not scenarios:
        raise ValueError("scenarios must be a non-empty dict {label: Scenario, file or dict}")
    loaded: dict[str, Scenario] = {}
    for label, value in scenarios.items():
        if not isinstance(label, str) or not label:
            raise ValueError(f"scenarios: labels must be non-empty strings, got {label!r}")
        try:
            loaded[label] = load_scenario(value)
        except ValueError as exc:
            raise ValueError(f"scenarios[{label!r}]: {exc}") from None
    named = normalise_policies({"policy": policy})
    baseline = _check_baseline(baseline, loaded, "scenarios")
    replications, seed, kpi_tuple = _check_run_settings(replications, seed, executor, kpis, confidence, months)
    source = resolve_portfolio(portfolio, next(iter(loaded.values())), seed)

    runs = [(label, scenario_obj, named["policy"]) for label, scenario_obj in loaded.items()]
    tasks = _tasks(runs, source, replications, seed, True, kpi_tuple, months, simulator)
    meta = {
        "seed": seed,
        "months": months,
        "portfolio": _describe_portfolio(source),
        "scenarios": list(loaded),
        "policy": policy if isinstance(policy, str) else getattr(policy, "name", None),
    }
    frame = _run(tasks, executor, progress, f"{len(loaded)} scenarios x {replications} replications")
    return Comparison(frame, baseline=baseline, confidence=confidence, crn=True, meta=meta)


# ----------------------------------------------------------------------------- validation helpers


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
    """Names of the registered policy bundles (``kamsim.policies.available("bundle")``)."""
    from kamsim import policies as _policies

    table = _policies.available("bundle")
    return [str(n) for n in table["name"]]


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
        if portfolio < 1:
            raise ValueError(f"portfolio: number of accounts must be >= 1, got {portfolio}")
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


def _check_baseline(baseline: str | None, labels: Mapping[str, Any], what: str) -> str:
    """The baseline label: the first of ``labels`` by default; an unknown label is a ``ValueError``."""
    if baseline is None:
        return next(iter(labels))
    if baseline not in labels:
        raise ValueError(f"baseline {baseline!r} is not one of the {what} {list(labels)}")
    return baseline


def _check_run_settings(
    replications: object, seed: object, executor: object, kpis: Sequence[str] | None, confidence: float, months: object
) -> tuple[int, int, tuple[str, ...] | None]:
    """Validate the settings shared by :func:`compare` and :func:`compare_scenarios`."""
    replications = _check_replications(replications)
    seed = check_seed(seed, "seed")
    check_executor(executor)
    kpi_tuple = _check_kpis(kpis)
    check_confidence(confidence)
    if months is not None and (isinstance(months, bool) or not isinstance(months, int) or months < 1):
        raise ValueError(f"months must be a positive integer, got {months!r}")
    return replications, seed, kpi_tuple


def _check_replications(replications: object) -> int:
    if isinstance(replications, bool) or not isinstance(replications, (int, np.integer)):
        raise ValueError(f"replications must be an integer >= 2, got {replications!r}")
    if replications < 2:
        raise ValueError(f"replications must be >= 2 to estimate a confidence interval, got {replications}")
    return int(replications)


def _check_kpis(kpis: Sequence[str] | None) -> tuple[str, ...] | None:
    if kpis is None:
        return None
    if isinstance(kpis, str):
        kpis = [kpis]
    kpis = list(kpis)
    if not kpis or not all(isinstance(k, str) and k for k in kpis):
        raise ValueError(f"kpis must be a non-empty list of KPI names, got {kpis!r}")
    known = _engine_kpi_names()
    if known is not None:
        unknown = [k for k in kpis if k not in known]
        if unknown:
            raise ValueError(f"kpis: unknown KPI name(s) {unknown}; available: {', '.join(known)}")
    return tuple(kpis)


def _engine_kpi_names() -> list[str] | None:
    """KPI names the engine declares (``kamsim.engine.KPI_NAMES``), if it declares them."""
    try:
        from kamsim import engine
    except ImportError:  # pragma: no cover - engine missing
        return None
    names = getattr(engine, "KPI_NAMES", None)
    return list(names) if names is not None else None


def _tasks(
    runs: list[tuple[str, Scenario, PolicyBundle | str]],
    portfolio: Portfolio | PortfolioSpec,
    replications: int,
    seed: int,
    crn: bool,
    kpis: tuple[str, ...] | None,
    months: int | None,
    simulator: Simulator | None,
) -> list[ReplicationTask]:
    """One task per ``(label, scenario, policy)`` run and replication, in that order.

    With ``crn`` every run's replication ``r`` gets the same seed; otherwise each label its own.
    """
    return [
        ReplicationTask(
            scenario=scenario,
            portfolio=portfolio,
            policy=policy,
            policy_name=label,
            replication=r,
            seed=replication_seed(seed, r, None if crn else label),
            kpis=kpis,
            months=months,
            simulator=simulator,
        )
        for label, scenario, policy in runs
        for r in range(replications)
    ]


def _run(tasks: list[ReplicationTask], executor: ExecutorLike, progress: bool, desc: str) -> pd.DataFrame:
    """Run every task on ``executor`` and return the tidy ``policy, replication, kpi, value`` frame."""
    results = run_tasks(run_replication, tasks, executor=executor, progress=progress, desc=desc)
    return _tidy(tasks, results)


def _tidy(tasks: list[ReplicationTask], results: list[dict[str, float]]) -> pd.DataFrame:
    """Tidy frame ``policy, replication, kpi, value`` in task order, engine KPI order."""
    if not results:
        return pd.DataFrame({c: [] for c in ("policy", "replication", "kpi", "value")})
    names = list(results[0])
    policy, rep, kpi, value = [], [], [], []
    for task, res in zip(tasks, results):
        if list(res) != names:
            raise ValueError(
                f"policy {task.policy_name!r} replication {task.replication} reported KPIs {list(res)}, "
                f"expected {names}"
            )
        policy.extend([task.policy_name] * len(names))
        rep.extend([task.replication] * len(names))
        kpi.extend(names)
        value.extend(res.values())
    return pd.DataFrame(
        {
            "policy": policy,
            "replication": np.asarray(rep, dtype="int64"),
            "kpi": kpi,
            "value": np.asarray(value, dtype="float64"),
        }
    )


def _describe_portfolio(source: object) -> dict[str, Any]:
    """JSON-friendly description of the portfolio for ``Comparison.meta``."""
    if isinstance(source, PortfolioSpec):
        return {"recipe": True, "n_accounts": source.n_accounts, "seed": source.seed, "locale": source.locale}
    meta = getattr(source, "meta", None)
    out = dict(meta) if isinstance(meta, dict) else {}
    accounts = getattr(source, "accounts", None)
    if accounts is not None:
        out.setdefault("n_accounts", len(accounts))
    return out
