"""Portfolios too big for one process: simulate them in shards of account managers.

A national distributor with a million accounts cannot hold one simulation's
event log in memory, but its accounts are not one tightly coupled system:
an account interacts with the rest of the portfolio only through its **account
manager** (whose hours it shares with the manager's other accounts) and the
**complaint desk**.  :func:`simulate_sharded` therefore

1. partitions the account managers into ``shards`` groups with about equal
   numbers of accounts (:func:`plan_shards`; every account goes with its manager,
   so the coupling through managers' hours is kept exactly);
2. gives each shard its share of the complaint desk (:func:`shard_scenario`):
   with ``complaints.handlers`` unset, the desk of each shard is sized by the
   handlers-per-1,000-accounts rule, as for the whole portfolio; with a fixed
   number, each shard gets ``round(handlers × its share of accounts)`` (at least 1);
3. simulates each shard with its own seed (:func:`shard_seed`) on an executor
   (a process pool, or a Dask cluster's ``client.get_executor()``), and keeps only
   the additive KPI totals of each (:class:`kamsim.engine.kpis.KpiTotals`, from
   :func:`kamsim.engine.simulate_kpis`: no shard builds its event frame) unless
   asked for the full results;
4. adds the totals into the portfolio's KPIs (:meth:`ShardedResult.kpis`).

:class:`ShardedSimulator` plugs the same into :func:`kamsim.experiment.compare`
(``simulator=``), so policies are compared on such a portfolio as on any other.

**The approximation.**  Split desks are not one desk: ``c`` handlers shared by
all accounts pool their idle time, ``c/k`` handlers in each of ``k`` shards do
not, so complaint waits are somewhat longer when the desk is busy (Erlang C; the
effect vanishes as shards grow).  Policies that rank accounts against the whole
portfolio (ABC tiers, top-20% retention targeting) rank them within their shard;
with shards of thousands of accounts drawn from the same population the cut-offs
barely move.  Everything else (orders, churn, satisfaction, the managers' hours
and queues) is per account or per manager and is simulated exactly, though with
other random draws than an unsharded run (each shard has its own seed), so a
sharded and an unsharded run agree in distribution, not draw for draw.
``tests/test_experiment_sharded.py`` checks the agreement on every KPI.

The same seed and number of shards give the same KPIs whatever the executor.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kamsim._random import check_seed, seed_sequence
from kamsim.engine.kpis import KpiTotals
from kamsim.engine.result import SimulationResult
from kamsim.experiment.executors import ExecutorLike, run_tasks
from kamsim.portfolio import Portfolio
from kamsim.scenario import Scenario


@dataclass(frozen=True)
class Shard:
    """One group of account managers simulated together.

    Attributes
    ----------
    index
        Position of the shard (0-based); it also selects the shard's seed.
    managers
        Manager ids of the shard, sorted.
    accounts
        Number of accounts those managers look after.
    """

    index: int
    managers: tuple[str, ...]
    accounts: int


def plan_shards(portfolio: Portfolio, shards: int) -> list[Shard]:
    """Partition the account managers into ``shards`` groups with about equal numbers of accounts.

    Managers are placed largest book first, each into the group with the fewest
    accounts so far (ties: the lowest index), so the plan depends only on the
    portfolio and ``shards``.

    Raises
    ------
    ValueError
        If ``shards`` is not an int from 1 to the number of managers with accounts.
    """
    books = portfolio.accounts["manager_id"].astype("object").value_counts()
    if isinstance(shards, bool) or not isinstance(shards, (int, np.integer)) or not 1 <= shards <= len(books):
        raise ValueError(f"shards must be an int from 1 to {len(books)} (the managers with accounts), got {shards!r}")
    order = sorted(books.items(), key=lambda item: (-int(item[1]), str(item[0])))
    groups: list[list[str]] = [[] for _ in range(int(shards))]
    sizes = [0] * int(shards)
    for manager, n in order:
        target = min(range(len(sizes)), key=lambda i: (sizes[i], i))
        groups[target].append(str(manager))
        sizes[target] += int(n)
    return [Shard(i, tuple(sorted(g)), sizes[i]) for i, g in enumerate(groups)]


def shard_portfolio(portfolio: Portfolio, shard: Shard) -> Portfolio:
    """The part of ``portfolio`` that ``shard`` simulates: its managers, their accounts, contacts and history."""
    managers = set(shard.managers)
    accounts = portfolio.accounts[portfolio.accounts["manager_id"].astype("object").isin(managers).to_numpy()]
    ids = set(accounts["account_id"].astype("object"))

    def of_accounts(frame: pd.DataFrame) -> pd.DataFrame:
        if frame.empty:
            return frame.copy()
        return frame[frame["account_id"].astype("object").isin(ids).to_numpy()].reset_index(drop=True)

    team = portfolio.account_managers
    meta = {**portfolio.meta, "n_accounts": len(accounts), "shard": shard.index}
    return Portfolio(
        accounts=accounts.reset_index(drop=True),
        contacts=of_accounts(portfolio.contacts),
        products=portfolio.products,
        account_managers=team[team["manager_id"].astype("object").isin(managers).to_numpy()].reset_index(drop=True),
        events=of_accounts(portfolio.events),
        meta=meta,
    )


def shard_scenario(scenario: Scenario, share: float) -> Scenario:
    """``scenario`` with the complaint desk of a shard holding ``share`` (0-1] of the accounts.

    A fixed ``complaints.handlers`` is split by share (rounded, at least 1); when it is
    unset, each shard's desk follows the handlers-per-1,000-accounts rule by itself.
    """
    handlers = scenario.complaints.handlers
    if handlers is None:
        return scenario
    return scenario.updated({"complaints.handlers": max(1, round(handlers * share))})


def shard_seed(seed: int, index: int) -> int:
    """The master seed of shard ``index`` of a run with master seed ``seed`` (a 32-bit integer)."""
    return int(seed_sequence(check_seed(seed), "shard", index).generate_state(1)[0])


@dataclass(frozen=True)
class _ShardTask:
    scenario: Scenario
    portfolio: Portfolio
    policy: Any
    seed: int
    months: int | None
    keep_result: bool


@dataclass(frozen=True)
class _ShardOutcome:
    totals: KpiTotals
    seconds: float
    events: int
    policy_name: str
    peak_rss_mb: float
    result: SimulationResult | None


def _run_shard(task: _ShardTask) -> _ShardOutcome:
    """Simulate one shard (top level: process pools and Dask send it by reference)."""
    from kamsim.engine import simulate, simulate_kpis
    from kamsim.policies import as_bundle

    start = time.perf_counter()
    if task.keep_result:
        result = simulate(task.scenario, task.portfolio, task.policy, task.seed, months=task.months)
        totals, name = result.kpi_totals(), result.policy_name
    else:  # KPIs only: the same totals without building the shard's event frame
        result, name = None, str(as_bundle(task.policy).name)
        totals = simulate_kpis(task.scenario, task.portfolio, task.policy, task.seed, months=task.months)
    return _ShardOutcome(totals, time.perf_counter() - start, totals.events, name, _peak_rss_mb(), result)


def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MB; NaN where the platform does not say)."""
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024.0 if sys.platform != "darwin" else peak / 1024.0**2


@dataclass
class ShardedResult:
    """The outcome of :func:`simulate_sharded`.

    Attributes
    ----------
    shards
        The plan (:class:`Shard` per shard).
    totals
        KPI totals of each shard, in shard order.
    policy_name, seed, months
        The inputs.
    seconds, events, peak_rss_mb
        Wall-clock seconds, event rows, and the peak resident memory (MB) of the process that ran each
        shard, as it was when the shard finished (a worker's peak over all its shards so far).
    results
        The full :class:`SimulationResult` of each shard (only with ``keep_results=True``).
    """

    shards: list[Shard]
    totals: list[KpiTotals]
    policy_name: str
    seed: int
    months: int | None
    seconds: list[float] = field(default_factory=list)
    events: list[int] = field(default_factory=list)
    peak_rss_mb: list[float] = field(default_factory=list)
    results: list[SimulationResult] | None = None

    def __repr__(self) -> str:
        return (f"ShardedResult(policy={self.policy_name!r}, seed={self.seed}, shards={len(self.shards)}, "
                f"accounts={sum(s.accounts for s in self.shards):,}, events={sum(self.events):,})")

    def kpis(self) -> pd.Series:
        """KPIs of the whole portfolio (index :data:`kamsim.engine.KPI_NAMES`), from the summed totals."""
        total = KpiTotals()
        for part in self.totals:
            total = total + part
        return total.kpis(self.policy_name)

    def to_result(self, scenario: Scenario | None = None, portfolio: Portfolio | None = None) -> SimulationResult:
        """One :class:`SimulationResult` of the whole portfolio, gathered from the shards' results.

        Needs ``keep_results=True``.  Event ids are renumbered from the portfolio's history
        on and complaint ids (``K000001``, in tables and event ``detail``) run on across shards,
        so the gathered log has the shape of an unsharded one; its KPIs equal :meth:`kpis`.

        Parameters
        ----------
        scenario, portfolio
            The run's inputs, recorded on the result (default: those of shard 0, whose
            portfolio is only that shard's part).
        """
        if not self.results:
            raise ValueError("to_result() needs the shards' results: call simulate_sharded(..., keep_results=True)")
        return merge_results(self.results, scenario=scenario, portfolio=portfolio, seed=self.seed)

    def shard_kpis(self) -> pd.DataFrame:
        """One row of KPIs per shard (index ``shard``), with ``accounts``, ``events``, ``seconds`` and ``peak_rss_mb``."""
        rows = pd.DataFrame([t.kpis() for t in self.totals]).rename_axis(index="shard")
        rows.index = pd.RangeIndex(len(rows), name="shard")
        rows.insert(0, "accounts", [s.accounts for s in self.shards])
        rows["events"] = self.events
        rows["seconds"] = self.seconds
        rows["peak_rss_mb"] = self.peak_rss_mb
        return rows


_COMPLAINT_ID = r"^K(\d{6})"


def _shift_complaint_ids(text: pd.Series, offset: int) -> pd.Series:
    """``K000001...`` -> ``K{1 + offset:06d}...`` at the start of each string (others unchanged)."""
    if offset == 0:
        return text
    values = text.astype("object")
    number = values.str.extract(_COMPLAINT_ID, expand=False)
    hit = number.notna().to_numpy()
    if hit.any():
        shifted = [f"K{int(n) + offset:06d}" for n in number[hit]]
        values = values.copy()
        values[hit] = [new + old[7:] for new, old in zip(shifted, values[hit])]
    return values.astype(text.dtype)


def merge_results(
    results: Sequence[SimulationResult],
    *,
    scenario: Scenario | None = None,
    portfolio: Portfolio | None = None,
    seed: int | None = None,
) -> SimulationResult:
    """Gather the :class:`SimulationResult` of each shard into one (see :meth:`ShardedResult.to_result`)."""
    if not results:
        raise ValueError("merge_results needs at least one result")
    first = results[0]
    events, complaints, offset = [], [], 0
    for r in results:
        ev = r.events.copy()
        ev["detail"] = _shift_complaint_ids(ev["detail"], offset)
        cp = r.complaints.copy()
        cp["complaint_id"] = _shift_complaint_ids(cp["complaint_id"], offset)
        events.append(ev)
        complaints.append(cp)
        offset += len(r.complaints)
    all_events = pd.concat(events, ignore_index=True)
    start_id = min(int(r.events["event_id"].min()) for r in results if len(r.events)) if len(all_events) else 0
    all_events["event_id"] = np.arange(start_id, start_id + len(all_events), dtype=all_events["event_id"].dtype)
    panel = pd.concat([r.panel for r in results], ignore_index=True)
    panel = panel.sort_values(["month", "account_id"], kind="stable").reset_index(drop=True)
    meta = dict(first.meta)
    for key in ("handlers", "orders_cut", "discount_cost"):
        if key in meta:
            meta[key] = sum(r.meta.get(key, 0) for r in results)
    meta["shards"] = len(results)
    manager_panel = pd.concat([r.manager_panel for r in results], ignore_index=True)
    if {"month", "manager_id"} <= set(manager_panel.columns):
        manager_panel = manager_panel.sort_values(["month", "manager_id"], kind="stable").reset_index(drop=True)
    return SimulationResult(
        events=all_events,
        panel=panel,
        complaints=pd.concat(complaints, ignore_index=True),
        final_stage=pd.concat([r.final_stage for r in results]).sort_index(kind="stable"),
        manager_hours=pd.concat([r.manager_hours for r in results], ignore_index=True)
        .sort_values("manager_id", kind="stable").reset_index(drop=True),
        scenario=scenario if scenario is not None else first.scenario,
        policy_name=first.policy_name,
        seed=first.seed if seed is None else seed,
        portfolio=portfolio if portfolio is not None else first.portfolio,
        months=first.months,
        retention_cost=sum(r.retention_cost for r in results),
        winback_cost=sum(r.winback_cost for r in results),
        simpy_events=sum(r.simpy_events for r in results),
        meta=meta,
        manager_panel=manager_panel,
    )


def simulate_sharded(
    scenario: Scenario | None,
    portfolio: Portfolio,
    policy: Any = None,
    seed: int = 0,
    *,
    shards: int,
    months: int | None = None,
    executor: ExecutorLike = None,
    keep_results: bool = False,
    progress: bool = True,
) -> ShardedResult:
    """Simulate ``portfolio`` in ``shards`` groups of account managers and add up the KPIs.

    Parameters
    ----------
    scenario, portfolio, policy, seed, months
        As for :func:`kamsim.engine.simulate`.
    shards
        Number of groups of account managers (1 to the number of managers with accounts);
        see the module docstring for what is exact and what is approximated.
    executor
        Where shards run: ``None``/``"serial"``, an int (a process pool) or an Executor such
        as ``distributed.Client(...).get_executor()`` (see :mod:`kamsim.experiment.executors`).
    keep_results
        Also return each shard's full :class:`SimulationResult` (memory grows with the portfolio).
    progress
        A progress bar over finished shards (only on a terminal).

    Returns
    -------
    ShardedResult
    """
    scenario = scenario if scenario is not None else Scenario()
    seed = check_seed(seed)
    plan = plan_shards(portfolio, shards)
    total = sum(s.accounts for s in plan)
    tasks: Sequence[_ShardTask] = [
        _ShardTask(shard_scenario(scenario, s.accounts / total), shard_portfolio(portfolio, s), policy,
                   shard_seed(seed, s.index), months, keep_results)
        for s in plan
    ]
    outcomes = run_tasks(_run_shard, tasks, executor=executor, progress=progress, desc="shards")
    return ShardedResult(
        shards=plan,
        totals=[o.totals for o in outcomes],
        policy_name=outcomes[0].policy_name,
        seed=seed,
        months=months,
        seconds=[o.seconds for o in outcomes],
        events=[o.events for o in outcomes],
        peak_rss_mb=[o.peak_rss_mb for o in outcomes],
        results=[o.result for o in outcomes] if keep_results else None,
    )


@dataclass(frozen=True)
class ShardedSimulator:
    """A drop-in ``simulator`` for :func:`kamsim.experiment.compare` that runs each replication in shards.

    ``compare(scenario, policies, portfolio=big, replications=10, simulator=ShardedSimulator(20, executor=ex))``
    compares policies on a portfolio too big for one process: replications and policies run one after the other
    (keep ``compare``'s own ``executor`` serial), the shards of each on ``executor`` (e.g. a Dask client's
    ``get_executor()``).  Common random numbers still pair the policies: shard i of replication r uses the same
    seed under every policy.

    Attributes
    ----------
    shards
        Number of shards per run (see :func:`simulate_sharded`).
    executor
        Where the shards run (``None``: in this process).
    """

    shards: int
    executor: Any = None

    def __call__(self, scenario: Scenario | None, portfolio: Portfolio, policy: Any = None, seed: int = 0,
                 *, months: int | None = None) -> ShardedResult:
        return simulate_sharded(scenario, portfolio, policy, seed, shards=self.shards, months=months,
                                executor=self.executor, progress=False)
