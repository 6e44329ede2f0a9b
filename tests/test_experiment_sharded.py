"""Sharded simulation (kamsim.experiment.sharded): exact where it claims to be, close in distribution otherwise."""

from __future__ import annotations

import concurrent.futures as cf

import numpy as np
import pandas as pd
import pytest

import kamsim
from kamsim import schema
from kamsim.engine import KPI_NAMES, simulate
from kamsim.engine.kpis import KpiTotals
from kamsim.experiment.sharded import (
    merge_results,
    plan_shards,
    shard_portfolio,
    shard_scenario,
    shard_seed,
    simulate_sharded,
)
from kamsim.scenario import Scenario


@pytest.fixture(scope="module")
def small():
    return kamsim.datasets.load("small")


@pytest.fixture(scope="module")
def medium():
    return kamsim.datasets.load("medium")


def test_plan_balances_accounts_and_places_every_manager_once(medium) -> None:
    plan = plan_shards(medium, 4)
    managers = [m for s in plan for m in s.managers]
    assert sorted(managers) == sorted(medium.accounts["manager_id"].astype("object").unique())
    sizes = [s.accounts for s in plan]
    assert sum(sizes) == len(medium.accounts)
    largest_book = int(medium.accounts["manager_id"].value_counts().max())
    assert max(sizes) - min(sizes) <= largest_book
    assert plan_shards(medium, 4) == plan  # deterministic


@pytest.mark.parametrize("shards", [0, 6, 2.0, True, "2"])
def test_plan_rejects_impossible_shard_counts(small, shards) -> None:
    with pytest.raises(ValueError, match="shards must be an int from 1 to 5"):
        plan_shards(small, shards)


def test_shard_portfolios_partition_the_accounts(small) -> None:
    parts = [shard_portfolio(small, s) for s in plan_shards(small, 3)]
    ids = [set(p.accounts["account_id"]) for p in parts]
    assert sum(len(i) for i in ids) == len(small.accounts) and set().union(*ids) == set(small.accounts["account_id"])
    for part in parts:
        assert set(part.account_managers["manager_id"]) == set(part.accounts["manager_id"])
        assert set(part.events["account_id"]) <= set(part.accounts["account_id"])
        assert set(part.contacts["account_id"]) <= set(part.accounts["account_id"])


def test_a_fixed_complaint_desk_is_split_by_share() -> None:
    fixed = Scenario().updated({"complaints.handlers": 10})
    assert shard_scenario(fixed, 0.25).complaints.handlers == 2  # round(2.5) -> banker's 2
    assert shard_scenario(fixed, 0.01).complaints.handlers == 1  # at least one handler
    assert shard_scenario(Scenario(), 0.5).complaints.handlers is None  # the per-1,000 rule sizes each desk


def test_one_shard_is_the_unsharded_run_with_the_shard_seed(small) -> None:
    sharded = simulate_sharded(None, small, "status_quo", 5, shards=1, months=6, progress=False)
    direct = simulate(None, small, "status_quo", shard_seed(5, 0), months=6)
    pd.testing.assert_series_equal(sharded.kpis(), direct.kpis(), check_exact=True)


def test_totals_add_up_exactly_to_the_gathered_result(small) -> None:
    sharded = simulate_sharded(None, small, "risk_targeted", 2, shards=3, months=8, keep_results=True,
                               progress=False)
    gathered = sharded.to_result(portfolio=small)
    np.testing.assert_allclose(gathered.kpis().to_numpy(), sharded.kpis().to_numpy(), rtol=1e-12)
    assert gathered.events["event_id"].is_unique and gathered.complaints["complaint_id"].is_unique
    assert sorted(gathered.final_stage.index) == sorted(small.accounts["account_id"])
    schema.validate_frame(gathered.events, "events")
    opened = gathered.events.loc[gathered.events["event_type"] == "complaint_opened", "detail"]
    assert set(opened) == set(gathered.complaints["complaint_id"])
    assert gathered.meta["shards"] == 3
    summed = KpiTotals()
    for part in sharded.totals:
        summed = summed + part
    assert summed.kpis().index.tolist() == list(KPI_NAMES)
    lean = simulate_sharded(None, small, "risk_targeted", 2, shards=3, months=8, progress=False)  # KPI-only shards
    assert lean.totals == sharded.totals and lean.events == sharded.events == [len(r.events) for r in sharded.results]
    with pytest.raises(ValueError, match="keep_results=True"):
        simulate_sharded(None, small, None, 2, shards=2, months=2, progress=False).to_result()
    with pytest.raises(ValueError, match="at least one result"):
        merge_results([])


def test_executors_give_identical_kpis(small) -> None:
    serial = simulate_sharded(None, small, "status_quo", 3, shards=3, months=6, progress=False)
    with cf.ProcessPoolExecutor(2) as pool:
        pooled = simulate_sharded(None, small, "status_quo", 3, shards=3, months=6, executor=pool, progress=False)
    pd.testing.assert_series_equal(serial.kpis(), pooled.kpis(), check_exact=True)
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        on_dask = simulate_sharded(None, small, "status_quo", 3, shards=3, months=6, executor=client.get_executor(),
                                   progress=False)
    pd.testing.assert_series_equal(serial.kpis(), on_dask.kpis(), check_exact=True)


@pytest.mark.slow
def test_sharded_and_unsharded_runs_agree_in_distribution(medium) -> None:
    """2,000 accounts in 2 shards vs one run: every KPI's replication means agree within 4 standard errors.

    Shards of 1,000 accounts (15 complaint handlers each) are large enough for split desks to wait as
    long as one desk; far smaller shards wait measurably longer (the documented approximation).
    """
    reps = range(6)
    sharded = pd.DataFrame([simulate_sharded(None, medium, "status_quo", 100 + r, shards=2, months=12,
                                             progress=False).kpis() for r in reps])
    whole = pd.DataFrame([simulate(None, medium, "status_quo", 100 + r, months=12).kpis() for r in reps])
    diff = (sharded.mean() - whole.mean()).abs()
    se = np.sqrt(sharded.var(ddof=1) / len(reps) + whole.var(ddof=1) / len(reps))
    bad = diff[(diff > 4 * se + 1e-9 * whole.mean().abs().clip(lower=1.0))]
    assert bad.empty, pd.DataFrame({"sharded": sharded.mean(), "whole": whole.mean(), "se": se}).loc[bad.index]


def test_compare_runs_sharded_replications_with_paired_seeds(small) -> None:
    """compare(simulator=ShardedSimulator(k)): replication r of each policy is simulate_sharded with its seed."""
    from kamsim.experiment import ShardedSimulator, compare, replication_seed

    comp = compare(Scenario(), ["status_quo", "risk_targeted"], portfolio=small, replications=2, seed=4, months=6,
                   progress=False, simulator=ShardedSimulator(shards=2))
    reps = comp.replications
    for r in (0, 1):
        expected = simulate_sharded(Scenario(), small, "status_quo", replication_seed(4, r), shards=2, months=6,
                                    progress=False).kpis()
        got = reps[(reps["policy"] == "status_quo") & (reps["replication"] == r)].set_index("kpi")["value"]
        np.testing.assert_array_equal(got.reindex(expected.index).to_numpy(), expected.to_numpy())
    assert (comp.paired()["policy"] == "risk_targeted").any()
