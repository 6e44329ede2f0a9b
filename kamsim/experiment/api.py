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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kamsim.experiment.comparison import Comparison
from kamsim.experiment.executors import ExecutorLike, run_tasks
from kamsim.experiment.runner import (
    PortfolioSpec,
    ReplicationTask,
    Simulator,
    replication_seed,
    run_replication,
)
from kamsim.experiment.inputs import (
    check_baseline,
    check_run_settings,
    check_runs,
    describe_portfolio,
    load_scenario,
    normalise_policies,
    resolve_portfolio,
)

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
        Replications per policy (2 to 10,000, ``inputs.MAX_REPLICATIONS``).
    seed
        Master seed (non-negative int).  Replication ``r`` simulates with
        ``replication_seed(seed, r)`` = first 32-bit word of
        ``seed_sequence(seed, "replication", r)``.
    baseline
        Policy the others are compared with; default the first policy.
    executor
        ``None``/``"serial"`` (default), an int ``n`` from 1 to 256 (a process pool with
        ``min(n, tasks, os.cpu_count())`` workers), or any ``concurrent.futures.Executor`` such as
        ``distributed.Client(...).get_executor()``.  Results do not depend on it.
    progress
        tqdm bar over finished simulations (only shown when stderr is a terminal).
    kpis
        KPI names to keep (default: all the engine reports).
    crn
        Common random numbers (default).  ``False`` gives every policy its own streams,
        ``seed_sequence(seed, "policy", name, "replication", r)`` — only useful to measure
        what CRN gains.
    months
        Simulated months, 1 to 1200 (default: the scenario's horizon); accounts x months and the
        calendar are checked as in :func:`kamsim.engine.simulate`, before any simulation.
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
    baseline = check_baseline(baseline, named, "policies")
    replications, seed, kpi_tuple = check_run_settings(replications, seed, executor, kpis, confidence, months)
    if not isinstance(crn, (bool, np.bool_)):
        raise ValueError(f"crn must be True or False, got {crn!r}")
    check_runs(portfolio, [scenario_obj], months)  # before generating or loading the portfolio
    source = resolve_portfolio(portfolio, scenario_obj, seed)
    check_runs(source, [scenario_obj], months)

    runs = [(name, scenario_obj, policy) for name, policy in named.items()]
    tasks = _tasks(runs, source, replications, seed, bool(crn), kpi_tuple, months, simulator)
    meta = {
        "seed": seed,
        "months": months if months is not None else getattr(scenario_obj, "months", None),
        "portfolio": describe_portfolio(source),
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
    baseline = check_baseline(baseline, loaded, "scenarios")
    replications, seed, kpi_tuple = check_run_settings(replications, seed, executor, kpis, confidence, months)
    check_runs(portfolio, list(loaded.values()), months)  # before generating or loading the portfolio
    source = resolve_portfolio(portfolio, next(iter(loaded.values())), seed)
    check_runs(source, list(loaded.values()), months)

    runs = [(label, scenario_obj, named["policy"]) for label, scenario_obj in loaded.items()]
    tasks = _tasks(runs, source, replications, seed, True, kpi_tuple, months, simulator)
    meta = {
        "seed": seed,
        "months": months,
        "portfolio": describe_portfolio(source),
        "scenarios": list(loaded),
        "policy": policy if isinstance(policy, str) else getattr(policy, "name", None),
    }
    frame = _run(tasks, executor, progress, f"{len(loaded)} scenarios x {replications} replications")
    return Comparison(frame, baseline=baseline, confidence=confidence, crn=True, meta=meta)


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
