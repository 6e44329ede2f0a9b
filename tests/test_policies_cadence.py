"""kamsim.policies.allocation.cadence.CadenceAllocation: contact intervals per tier, stagger, capacity split, engine run."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
import pytest

from kamsim.policies import EqualAllocation, PolicyBundle, TierAllocation
from kamsim.policies.allocation.cadence import DEFAULT_INTERVALS, CadenceAllocation, stagger_offsets


def _state(tiers, stages=None, month=0, ids=None) -> pd.DataFrame:
    n = len(tiers)
    ids = ids or [f"A{i:05d}" for i in range(1, n + 1)]
    return pd.DataFrame(
        {
            "stage": stages or ["mature"] * n,
            "tier": pd.array(tiers, dtype="string"),
            "month": np.full(n, month, dtype="int64"),
        },
        index=pd.Index(ids, name="account_id"),
    )


def test_stagger_offsets_are_stable_crc32():
    # fixed values: CRC-32 does not change between Python versions or machines
    assert stagger_offsets(["A00001", "A00002", "A00003"]).tolist() == [2386553620, 389462702, 1613859384]
    assert stagger_offsets(pd.Index(["x"])).tolist() == [zlib.crc32(b"x")]


def test_due_months_follow_the_interval_and_offset():
    policy = CadenceAllocation({"A": 1, "B": 3})
    ids = ["A00001", "A00002", "A00003"]  # offsets mod 3: 1, 2, 0
    due = np.array([policy.due(_state(["B", "B", "B"], month=m, ids=ids)) for m in range(6)])
    # B account with offset r is due when (m + r) % 3 == 0: A00001 in months 2, 5; A00002 in 1, 4; A00003 in 0, 3
    assert due[:, 0].tolist() == [False, False, True, False, False, True]
    assert due[:, 1].tolist() == [False, True, False, False, True, False]
    assert due[:, 2].tolist() == [True, False, False, True, False, False]
    a_due = [policy.due(_state(["A", "A", "A"], month=m, ids=ids)).all() for m in range(6)]
    assert all(a_due)


def test_every_account_due_exactly_once_per_interval_and_workload_level():
    n = 300
    policy = CadenceAllocation({"C": 6})
    due = np.array([policy.due(_state(["C"] * n, month=m)) for m in range(12)])
    assert (due.sum(axis=0) == 2).all()  # twice in 12 months
    assert (due[:6].sum(axis=0) == 1).all()  # once in any 6 consecutive months
    per_month = due[:6].sum(axis=1)
    # each account is due in month (-offset) mod 6: counts are ~ Binomial(n, 1/6) if CRC-32 spreads evenly
    sd = np.sqrt(n * (1 / 6) * (5 / 6))
    assert np.all(np.abs(per_month - n / 6) < 4 * sd)


def test_allocate_splits_capacity_over_due_accounts_by_weight():
    state = _state(["A", "A", "B", "C"], stages=["mature", "lost", "mature", "prospect"])
    policy = CadenceAllocation({"A": 1, "B": 1, "C": 1}, weights={"A": 3.0, "B": 1.0})
    hours = policy.allocate(state, 50.0)
    assert hours.name == "allocated_hours" and list(hours.index) == list(state.index)
    # due: A00001 (w 3), A00003 (w 1), A00004 prospect (default weight 1); lost A00002 gets nothing
    assert hours.tolist() == pytest.approx([30.0, 0.0, 10.0, 10.0])
    no_prospects = CadenceAllocation({"A": 1, "B": 1, "C": 1}, weights={"A": 3.0, "B": 1.0}, include_prospects=False)
    assert no_prospects.allocate(state, 40.0).tolist() == pytest.approx([30.0, 0.0, 10.0, 0.0])


def test_hours_go_only_to_due_accounts_and_sum_to_capacity():
    ids = ["A00001", "A00002", "A00003"]  # offsets mod 3: 1, 2, 0
    state = _state(["A", "B", "B"], month=0, ids=ids)
    hours = CadenceAllocation({"A": 1, "B": 3}).allocate(state, 12.0)
    assert hours.tolist() == pytest.approx([6.0, 0.0, 6.0])  # A monthly; of the B accounts only A00003 is due
    assert hours.sum() == pytest.approx(12.0)


def test_no_due_account_leaves_capacity_unused():
    state = _state(["B"], month=0, ids=["A00001"])  # offset 1 mod 3: not due in month 0
    assert CadenceAllocation({"B": 3}).allocate(state, 10.0).tolist() == [0.0]


def test_defaults_and_unknown_tiers():
    policy = CadenceAllocation()
    assert DEFAULT_INTERVALS == {"A": 1, "B": 3, "C": 6}
    state = _state(["A", "B", "C", None, "core"])
    assert policy.interval(state).tolist() == [1, 3, 6, 1, 1]
    assert CadenceAllocation(default_interval=2).interval(state).tolist() == [1, 3, 6, 2, 2]
    assert policy.weight(state).tolist() == [1.0] * 5


def test_monthly_cadence_reduces_to_equal_and_tier_allocation():
    rng = np.random.default_rng(5)
    tiers = list(rng.choice(["A", "B", "C"], size=40))
    stages = list(rng.choice(["mature", "new", "lost", "prospect", "at_risk"], size=40))
    state = _state(tiers, stages=stages, month=7)
    monthly = {"A": 1, "B": 1, "C": 1}
    pd.testing.assert_series_equal(CadenceAllocation(monthly).allocate(state, 333.0), EqualAllocation().allocate(state, 333.0))
    weights = {"A": 4.0, "B": 2.0, "C": 1.0}
    pd.testing.assert_series_equal(
        CadenceAllocation(monthly, weights).allocate(state, 333.0), TierAllocation(weights).allocate(state, 333.0)
    )


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"intervals": {"A": 0}}, "intervals\\['A'\\]"),
        ({"intervals": {"A": 1.5}}, "intervals\\['A'\\]"),
        ({"intervals": {"A": "1"}}, "intervals\\['A'\\]"),
        ({"default_interval": 0}, "default_interval"),
        ({"weights": {"B": -1.0}}, "weights\\['B'\\]"),
        ({"default_weight": float("nan")}, "default_weight"),
    ],
)
def test_invalid_settings_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=f"policy 'cadence': {field}"):
        CadenceAllocation(**kwargs)


def test_missing_columns_and_bad_capacity():
    state = _state(["A"]).drop(columns="month")
    with pytest.raises(ValueError, match="missing column.*month"):
        CadenceAllocation().allocate(state, 1.0)
    with pytest.raises(ValueError, match="capacity_hours"):
        CadenceAllocation().allocate(_state(["A"]), -1.0)


def test_params_repr_and_purity():
    policy = CadenceAllocation({"A": 1, "B": 2}, weights={"A": 2.0})
    assert policy.get_params()["intervals"] == {"A": 1, "B": 2}
    assert repr(policy).startswith("CadenceAllocation(intervals={'A': 1, 'B': 2}")
    state = _state(["A", "B", "C"])
    before = state.copy()
    first = policy.allocate(state, 9.0)
    pd.testing.assert_frame_equal(state, before)  # state not modified
    pd.testing.assert_series_equal(first, policy.allocate(state, 9.0))  # no memory between calls


def test_engine_run_with_cadence_gives_months_without_contact():
    import kamsim

    portfolio = kamsim.generate_portfolio(60, seed=11)
    scenario = kamsim.Scenario(months=6)
    cadence = PolicyBundle("abc", "none", CadenceAllocation({"A": 1, "B": 3, "C": 6}), name="cadence")
    run = kamsim.simulate(scenario, portfolio, cadence, seed=3)
    base = kamsim.simulate(scenario, portfolio, "status_quo", seed=3)
    active = run.panel["stage"] != "lost"
    idle_cadence = (run.panel.loc[active, "contact_hours"] == 0).mean()
    idle_equal = (base.panel.loc[base.panel["stage"] != "lost", "contact_hours"] == 0).mean()
    assert idle_equal == 0.0
    assert idle_cadence > 0.3  # B and C accounts wait for their month
    assert 0 < run.kpis()["manager_utilisation"] <= 1.0 + 1e-9
