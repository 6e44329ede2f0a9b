"""Tests of kamsim.policies: contracts of every built-in policy, hand-checked decisions, the registry."""

from __future__ import annotations

import heapq
import pickle

import numpy as np
import pandas as pd
import pytest

from kamsim import policies
from kamsim.policies import (
    ABCSegmentation,
    BlanketRetention,
    EqualAllocation,
    GreedyMarginalROI,
    KAMMatrixSegmentation,
    NoRetention,
    PolicyBundle,
    RFMSegmentation,
    RiskTargetedRetention,
    ScreeningSegmentation,
    TierAllocation,
    ValuePotentialSegmentation,
    ValueProportionalAllocation,
    ValueRiskRetention,
    WinBackCampaign,
)
from kamsim.schema import STAGES

CAPACITY = 100.0


def make_state() -> pd.DataFrame:
    """Eight accounts covering every stage, with one missing value of each kind the engine may leave NA."""
    ids = pd.Index([f"A{i:05d}" for i in range(1, 9)], name="account_id")
    return pd.DataFrame(
        {
            "annual_potential_spend": [1_000_000, 400_000, 300_000, 200_000, 150_000, 100_000, 80_000, 50_000.0],
            "growth_potential": [0.9, 0.2, 0.6, 0.4, 0.8, 0.1, 0.5, 0.3],
            "credit_risk": [0.01, 0.05, 0.02, 0.10, 0.03, 0.20, 0.04, 0.08],
            "cooperativeness": [0.9, 0.4, 0.7, 0.5, 0.6, 0.2, 0.8, 0.3],
            "strategic_fit": [0.8, 0.5, 0.6, 0.4, 0.7, 0.3, 0.5, 0.2],
            "price_sensitivity": [0.2, 0.6, 0.4, 0.5, 0.3, 0.8, 0.4, 0.7],
            "stage": pd.Categorical(
                ["mature", "growing", "at_risk", "new", "mature", "lost", "prospect", "won_back"], categories=STAGES
            ),
            "satisfaction": [8.5, 6.0, 4.0, 7.0, 7.5, 2.0, np.nan, 6.5],
            "revenue_12m": [600_000, 200_000, 150_000, 20_000, 90_000, 60_000, 0.0, 10_000],
            "margin_12m": [150_000, 40_000, 45_000, 4_000, 20_000, 12_000, 0.0, -1_000],
            "months_since_order": [0, 1, 5, 2, 1, 9, np.nan, 3],
            "orders_12m": [24, 12, 4, 2, 10, 1, 0, 2],
            "churn_risk": [0.01, 0.03, 0.12, 0.06, 0.02, 0.30, np.nan, 0.08],
            "tier": pd.Categorical(["A", "A", "B", "C", "B", pd.NA, pd.NA, "C"], categories=["A", "B", "C"]),
            "manager_id": ["M001", "M001", "M002", "M002", "M001", "M002", "M001", "M002"],
            # the engine's other state columns (kamsim.engine.world.World.state_frame)
            "month": [3] * 8,
            "contact_hours": [4.0, 2.0, 1.0, 1.0, 3.0, 0.0, 0.5, 1.0],
            "open_complaints": [0, 0, 2, 0, 1, 0, 0, 0],
            "months_in_stage": [10, 4, 2, 1, 12, 3, 6, 2],
            "in_contract": [True, True, False, True, True, False, False, True],
            "contract_months_left": [8, 3, 0, 11, 5, 0, 0, 7],
        },
        index=ids,
    )


def _policies_of(kind: str):
    return [pytest.param(name, id=f"{kind}-{name}") for name in policies.POLICIES[kind]]


def _build(kind: str, name: str):
    return policies.get_policy(kind, name)


# ----------------------------------------------------------------------------- contracts of every built-in


@pytest.mark.parametrize("name", _policies_of("segmentation"))
def test_segmentation_contract(name):
    state = make_state()
    before = state.copy()
    policy = _build("segmentation", name)
    tiers = policy.segment(state)
    assert tiers.index.equals(state.index)
    assert tiers.name == "tier"
    assert isinstance(tiers.dtype, pd.CategoricalDtype)
    assert list(tiers.cat.categories) == list(policy.tiers)
    assert tiers.notna().all()
    pd.testing.assert_frame_equal(state, before)  # pure: state untouched
    pd.testing.assert_series_equal(policy.segment(state), tiers)  # deterministic


@pytest.mark.parametrize("name", _policies_of("retention"))
def test_retention_contract(name):
    state = make_state()
    before = state.copy()
    policy = _build("retention", name)
    hours = policy.retain(state)
    assert hours.index.equals(state.index)
    assert hours.dtype == np.float64
    assert (hours >= 0).all() and np.isfinite(hours).all()
    assert policy.cost_per_hour == policies.DEFAULT_COST_PER_HOUR
    assert policy.cost(hours) == pytest.approx(hours.sum() * policy.cost_per_hour)
    budget = getattr(policy, "budget_hours", None)
    if budget is not None:
        assert hours.sum() <= budget + 1e-9
    pd.testing.assert_frame_equal(state, before)


@pytest.mark.parametrize("name", _policies_of("allocation"))
@pytest.mark.parametrize("capacity", [0.0, 7.5, CAPACITY])
def test_allocation_contract(name, capacity):
    state = make_state()
    before = state.copy()
    policy = _build("allocation", name)
    hours = policy.allocate(state, capacity)
    assert hours.index.equals(state.index)
    assert hours.dtype == np.float64
    assert (hours >= 0).all()
    assert hours.sum() <= capacity * (1 + 1e-12) + 1e-12
    assert hours[state["stage"] == "lost"].sum() == 0.0
    if capacity > 0:
        assert hours.sum() == pytest.approx(capacity)  # every built-in uses the whole capacity here
    pd.testing.assert_frame_equal(state, before)


def test_empty_state_is_allowed():
    state = make_state().iloc[:0]
    for bundle_name in policies.BUNDLES:
        out = policies.get(bundle_name).decide(state, CAPACITY)
        assert len(out) == 0 and list(out.columns) == ["tier", "retention_hours", "allocated_hours", "discount"]


# ----------------------------------------------------------------------------- segmentation by hand


def test_abc_on_revenue_by_hand():
    # revenue total 1.13M: A00001 alone is 53% (< 80%: A), A00002 starts at 53% (A), A00003 at 71% (A),
    # A00005 at 84.1% (B), A00006 at 92.0% (B), A00004 at 97.3% (C), then A00008 and the prospect (C).
    tiers = ABCSegmentation().segment(make_state())
    assert tiers.astype(str).tolist() == ["A", "A", "A", "C", "B", "B", "C", "C"]


def test_abc_falls_back_to_potential_without_revenue():
    state = make_state().assign(revenue_12m=0.0)
    tiers = ABCSegmentation().segment(state)
    expected = ABCSegmentation(value_col="annual_potential_spend").segment(state)
    pd.testing.assert_series_equal(tiers, expected)
    assert tiers.iloc[0] == "A" and tiers.iloc[-1] == "C"


def test_rfm_labels_by_hand():
    # R scores (months 0,1,5,2,1,9,never,3): 5 5 2 4 5 2 1 3; F scores (orders 24,12,4,2,10,1,0,2): 5 5 4 3 4 2 1 3
    tiers = RFMSegmentation().segment(make_state()).astype(str)
    assert tiers.tolist() == [
        "champions", "champions", "at_risk", "loyal", "champions", "hibernating", "hibernating", "loyal",
    ]  # fmt: skip


def test_value_potential_by_hand():
    # value: A00001..A00003 hold the first 80% of revenue (see the ABC test) -> high value;
    # potential = spend x growth: 900k 80k 180k 80k 120k 10k 40k 15k, median 57.5k -> first five high.
    tiers = ValuePotentialSegmentation().segment(make_state()).astype(str)
    assert tiers.tolist() == ["core", "core", "core", "important", "important", "general", "general", "general"]


def test_kam_matrix_quadrants_by_hand():
    state = make_state()
    policy = KAMMatrixSegmentation()
    attractiveness, position = policy.axes(state)
    tiers = policy.segment(state).astype(str).to_numpy()
    hi_a = attractiveness.to_numpy() >= attractiveness.median()
    hi_p = position.to_numpy() >= position.median()
    assert (tiers[hi_a & hi_p] == "strategic").all() and (tiers[hi_a & ~hi_p] == "develop").all()
    assert (tiers[~hi_a & hi_p] == "maintain").all() and (tiers[~hi_a & ~hi_p] == "streamline").all()
    assert tiers[0] == "strategic"  # largest, growing, 60% share of wallet, satisfied
    assert tiers[6] == "streamline"  # prospect: small, no share of wallet, no satisfaction yet


def test_screening_weights_and_pass_score():
    state = make_state()
    assert ScreeningSegmentation(pass_score=0.0).segment(state).eq("key").all()
    only_credit = ScreeningSegmentation(pass_score=50.0, weights={"credit_safety": 1.0}).segment(state)
    # credit_risk ranks safest first: 0.01 0.02 0.03 0.04 score >= 50 (100, 85.7, 71.4, 57.1)
    assert only_credit[only_credit == "key"].index.tolist() == ["A00001", "A00003", "A00005", "A00007"]
    with pytest.raises(ValueError, match="'loyalty'"):
        ScreeningSegmentation(weights={"loyalty": 1.0})


def test_segmentation_missing_column_names_it():
    state = make_state().drop(columns="revenue_12m")
    with pytest.raises(ValueError, match="revenue_12m"):
        ABCSegmentation().segment(state)


# ----------------------------------------------------------------------------- retention by hand


def test_no_retention_is_zero():
    assert NoRetention().retain(make_state()).sum() == 0.0


def test_blanket_serves_current_customers_only_and_scales_to_budget():
    state = make_state()
    hours = BlanketRetention(hours_per_account=2.0).retain(state)
    customers = ~state["stage"].isin(["prospect", "lost"])
    assert (hours[customers] == 2.0).all() and (hours[~customers] == 0.0).all()
    capped = BlanketRetention(hours_per_account=2.0, budget_hours=6.0).retain(state)
    assert capped[customers].tolist() == pytest.approx([1.0] * 6)


def test_risk_targeted_threshold_top_share_and_budget():
    state = make_state()
    hours = RiskTargetedRetention(threshold=0.05, hours_per_account=2.0).retain(state)
    assert hours[hours > 0].index.tolist() == ["A00003", "A00004", "A00008"]  # lost A00006 excluded
    top = RiskTargetedRetention(top_share=0.5, hours_per_account=1.0).retain(state)
    assert top[top > 0].index.tolist() == ["A00003", "A00004", "A00008"]  # ceil(0.5 * 6 customers)
    capped = RiskTargetedRetention(threshold=0.05, hours_per_account=2.0, budget_hours=3.0).retain(state)
    assert capped["A00003"] == 2.0 and capped["A00008"] == 1.0 and capped["A00004"] == 0.0  # riskiest first


def test_value_risk_orders_by_margin_at_risk():
    # value at risk: A00003 0.12*45k=5400, A00001 0.01*150k=1500, A00002 1200, A00005 400, A00004 240; A00008 < 0
    hours = ValueRiskRetention(budget_hours=5.0, hours_per_account=2.0).retain(make_state())
    assert hours.to_dict() == {
        "A00001": 2.0, "A00002": 1.0, "A00003": 2.0, "A00004": 0.0,
        "A00005": 0.0, "A00006": 0.0, "A00007": 0.0, "A00008": 0.0,
    }  # fmt: skip


def test_win_back_targets_only_lost_accounts():
    state = make_state()
    policy = WinBackCampaign(min_value=0.0, hours_per_account=3.0, budget_hours=None)
    assert policy.targets_lost
    hours = policy.retain(state)
    assert hours[hours > 0].index.tolist() == ["A00006"]
    assert (state.loc[hours > 0, "stage"] == "lost").all()
    assert WinBackCampaign(min_value=60_000.0).retain(state).sum() == 0.0  # value must exceed the threshold
    many_lost = state.assign(stage=pd.Categorical(["lost"] * len(state), categories=STAGES))
    spread = WinBackCampaign(hours_per_account=3.0, budget_hours=7.0).retain(many_lost)
    assert spread.tolist() == [3.0, 3.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]  # most valuable first, within budget


# ----------------------------------------------------------------------------- allocation by hand


def test_equal_allocation_by_hand():
    state = make_state()
    hours = EqualAllocation().allocate(state, 70.0)
    assert hours.tolist() == pytest.approx([10, 10, 10, 10, 10, 0, 10, 10])
    no_prospects = EqualAllocation(include_prospects=False).allocate(state, 60.0)
    assert no_prospects.tolist() == pytest.approx([10, 10, 10, 10, 10, 0, 0, 10])


def test_tier_allocation_follows_weights():
    state = make_state()  # tiers A A B C B <NA> <NA> C ; A00006 is lost
    hours = TierAllocation({"A": 4, "B": 2, "C": 1}, default_weight=0.5).allocate(state, 145.0)
    # active weights 4+4+2+1+2+0.5+1 = 14.5 -> 10 h per weight unit
    assert hours.tolist() == pytest.approx([40, 40, 20, 10, 20, 0, 5, 10])


def test_value_proportional_floor_and_proportional_part():
    state = make_state()
    hours = ValueProportionalAllocation(floor_share=0.1).allocate(state, 1_070.0)
    # floor: 107 h over 7 active accounts; rest 963 h over active revenue 1,070,000 -> 0.0009 h per CU
    expected = 107.0 / 7 + 963.0 * state["revenue_12m"].to_numpy() / 1_070_000.0
    expected[5] = 0.0  # lost
    assert hours.to_numpy() == pytest.approx(expected)


def _heap_greedy(value: np.ndarray, n_blocks: int, block: float, h0: float) -> np.ndarray:
    """Reference: the textbook greedy with a heap of next-block gains."""
    counts = np.zeros(value.size, dtype=int)
    gain = lambda i, k: value[i] * (np.exp(-k * block / h0) - np.exp(-(k + 1) * block / h0))  # noqa: E731
    heap = [(-gain(i, 0), i) for i in range(value.size) if value[i] > 0]
    heapq.heapify(heap)
    for _ in range(n_blocks):
        if not heap:
            break
        _, i = heapq.heappop(heap)
        counts[i] += 1
        heapq.heappush(heap, (-gain(i, counts[i]), i))
    return counts * block


@pytest.mark.parametrize("seed", range(5))
def test_greedy_roi_equals_heap_greedy(seed):
    rng = np.random.default_rng(seed)
    n = 200
    state = pd.DataFrame(
        {
            "stage": pd.Categorical(
                rng.choice(["mature", "lost", "prospect"], n, p=[0.8, 0.1, 0.1]), categories=STAGES
            ),
            "churn_risk": rng.beta(1, 10, n),
            "margin_12m": rng.pareto(1.2, n) * 10_000.0,
        },
        index=pd.Index([f"A{i:05d}" for i in range(n)], name="account_id"),
    )
    policy = GreedyMarginalROI(block_hours=0.5, h0=3.0, spread_leftover=False)
    capacity = float(rng.integers(10, 400))
    hours = policy.allocate(state, capacity)
    value = np.where(state["stage"] == "lost", 0.0, policy.value(state))
    reference = _heap_greedy(value, int(capacity / 0.5), 0.5, 3.0)
    assert policy.expected_saving(state, hours) == pytest.approx(policy.expected_saving(state, reference), rel=1e-12)
    assert hours.sum() == pytest.approx(capacity)


def test_greedy_roi_with_tied_values():
    n = 10
    state = pd.DataFrame(
        {"stage": ["mature"] * n, "churn_risk": [0.1] * n, "margin_12m": [50_000.0] * n},
        index=pd.Index([f"A{i:05d}" for i in range(n)], name="account_id"),
    )
    policy = GreedyMarginalROI(block_hours=1.0, spread_leftover=False)
    three = policy.allocate(state, 3.0)
    assert sorted(three.tolist()) == [0.0] * 7 + [1.0] * 3
    many = policy.allocate(state, 25.5)  # 25 blocks: five accounts get 3, five get 2; 0.5 h unused
    assert sorted(many.tolist()) == [2.0] * 5 + [3.0] * 5


def test_greedy_roi_beats_equal_on_its_objective():
    state = make_state()
    roi = GreedyMarginalROI()
    greedy = roi.expected_saving(state, roi.allocate(state, 40.0))
    equal = roi.expected_saving(state, EqualAllocation().allocate(state, 40.0))
    tier = roi.expected_saving(state, TierAllocation().allocate(state, 40.0))
    assert greedy > equal and greedy > tier


def test_greedy_roi_spreads_capacity_when_nothing_is_at_risk():
    state = make_state().assign(churn_risk=0.0)
    hours = GreedyMarginalROI().allocate(state, 70.0)
    pd.testing.assert_series_equal(hours, EqualAllocation().allocate(state, 70.0))
    assert GreedyMarginalROI(spread_leftover=False).allocate(state, 70.0).sum() == 0.0


def test_allocation_rejects_bad_capacity():
    for bad in (-1.0, float("nan"), float("inf"), "lots"):
        with pytest.raises(ValueError, match="capacity_hours"):
            EqualAllocation().allocate(make_state(), bad)


# ----------------------------------------------------------------------------- settings validation


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: BlanketRetention(hours_per_account=-1), "hours_per_account"),
        (lambda: RiskTargetedRetention(threshold=1.5), "threshold"),
        (lambda: RiskTargetedRetention(top_share=0.0), "top_share"),
        (lambda: ValueRiskRetention(budget_hours=-5), "budget_hours"),
        (lambda: WinBackCampaign(cost_per_hour=-80), "cost_per_hour"),
        (lambda: NoRetention(cost_per_hour=float("nan")), "cost_per_hour"),
        (lambda: TierAllocation({"A": -1}), "weights"),
        (lambda: ValueProportionalAllocation(floor_share=2), "floor_share"),
        (lambda: GreedyMarginalROI(h0=0), "h0"),
        (lambda: GreedyMarginalROI(block_hours=-1), "block_hours"),
        (lambda: ABCSegmentation(thresholds=(0.9, 0.8)), "thresholds"),
        (lambda: RFMSegmentation(q=1), "q"),
        (lambda: ValuePotentialSegmentation(value_cut=1.0), "value_cut"),
        (lambda: ScreeningSegmentation(pass_score=120), "pass_score"),
    ],
)
def test_bad_settings_name_the_field(make, field):
    with pytest.raises(ValueError, match=field):
        make()


# ----------------------------------------------------------------------------- bundle and registry


def test_default_bundle_is_status_quo():
    bundle = PolicyBundle.default()
    assert bundle.name == "status_quo"
    assert isinstance(bundle.segmentation, ABCSegmentation)
    assert isinstance(bundle.retention, NoRetention)
    assert isinstance(bundle.allocation, EqualAllocation)
    assert bundle == policies.get("status_quo")


def test_bundle_params_repr_and_string_parts():
    bundle = PolicyBundle("rfm", RiskTargetedRetention(threshold=0.1), "roi")
    assert bundle.name == "rfm+risk_targeted+roi"
    params = bundle.get_params()
    assert params["retention"] == {
        "policy": "RiskTargetedRetention", "threshold": 0.1, "top_share": None,
        "hours_per_account": 2.0, "budget_hours": None, "cost_per_hour": 80.0,
    }  # fmt: skip
    assert "RiskTargetedRetention(threshold=0.1" in repr(bundle)
    assert repr(GreedyMarginalROI(h0=2.0)) == "GreedyMarginalROI(block_hours=1.0, h0=2.0, spread_leftover=True)"


def test_bundle_rejects_wrong_kinds_naming_the_field():
    with pytest.raises(ValueError, match="PolicyBundle.retention"):
        PolicyBundle(ABCSegmentation(), EqualAllocation(), EqualAllocation())
    with pytest.raises(ValueError, match="'nope'"):
        PolicyBundle("abc", "nope", "equal")


def test_bundle_decide_uses_this_months_tiers():
    state = make_state().assign(tier=pd.NA)  # no previous tiers at all
    out = PolicyBundle(ABCSegmentation(), NoRetention(), TierAllocation({"A": 1, "B": 0, "C": 0})).decide(state, 30.0)
    assert out["allocated_hours"].tolist() == pytest.approx([10, 10, 10, 0, 0, 0, 0, 0])
    assert out.index.equals(state.index)


@pytest.mark.parametrize("name", list(policies.BUNDLES))
def test_every_named_bundle_runs(name):
    bundle = policies.get(name)
    assert isinstance(bundle, PolicyBundle) and bundle.name == name
    out = bundle.decide(make_state(), CAPACITY)
    assert out["allocated_hours"].sum() == pytest.approx(CAPACITY)
    assert (out["retention_hours"] >= 0).all()


def test_get_returns_fresh_objects():
    first = policies.get("blanket")
    first.retention.hours_per_account = 99.0
    assert policies.get("blanket").retention.hours_per_account == 1.0


def test_available_lists_every_builtin():
    table = policies.available()
    assert list(table.columns) == ["name", "kind", "description"]
    assert set(table["kind"]) == {"bundle", "segmentation", "retention", "allocation", "pricing"}
    assert set(table.loc[table.kind == "bundle", "name"]) == set(policies.BUNDLES) == {
        "status_quo", "blanket", "risk_targeted", "value_risk", "win_back",
        "tier_allocation", "value_allocation", "roi_allocation", "discovery", "loyalty_discount", "per_manager",
    }  # fmt: skip
    assert (table["description"].str.len() > 10).all()
    assert policies.available("retention")["name"].tolist() == list(policies.POLICIES["retention"])


def test_unknown_names_raise_value_error_naming_them():
    with pytest.raises(ValueError, match="unknown policy bundle 'greedy_magic'.*status_quo"):
        policies.get("greedy_magic")
    with pytest.raises(ValueError, match="unknown retention policy 'hug'.*blanket"):
        policies.get_policy("retention", "hug")
    with pytest.raises(ValueError, match="unknown policy kind 'loyalty'"):
        policies.get_policy("loyalty", "abc")
    with pytest.raises(ValueError, match="unknown policy kind 'loyalty'"):
        policies.available("loyalty")
    with pytest.raises(ValueError, match="unknown pricing policy 'abc'.*uniform_discount"):
        policies.get_policy("pricing", "abc")
    with pytest.raises(ValueError, match="bad parameters.*'hours'"):
        policies.get_policy("retention", "blanket", hours=2)


def test_as_bundle_normalises_engine_argument():
    assert policies.as_bundle(None) == PolicyBundle.default()
    assert policies.as_bundle("win_back").name == "win_back"
    bundle = policies.get("value_risk")
    assert policies.as_bundle(bundle) is bundle
    with pytest.raises(ValueError, match="no_such_bundle"):
        policies.as_bundle("no_such_bundle")
    with pytest.raises(ValueError, match="PolicyBundle"):
        policies.as_bundle(42)


# ----------------------------------------------------------------------------- robustness of state handling


def test_string_stage_and_nullable_numbers_work():
    state = make_state()
    state = state.assign(stage=state["stage"].astype("string"), revenue_12m=state["revenue_12m"].astype("Float64"))
    assert ABCSegmentation().segment(state).astype(str).tolist() == ["A", "A", "A", "C", "B", "B", "C", "C"]
    assert EqualAllocation().allocate(state, 70.0).tolist() == pytest.approx([10, 10, 10, 10, 10, 0, 10, 10])
    assert BlanketRetention().retain(state).tolist() == [1, 1, 1, 1, 1, 0, 0, 1]


def test_non_numeric_column_is_named():
    with pytest.raises(ValueError, match="'abc'.*'revenue_12m' must be numeric"):
        ABCSegmentation().segment(make_state().assign(revenue_12m="lots"))


def test_subclass_must_store_its_settings():
    class Forgetful(policies.AllocationPolicy):
        name = "forgetful"

        def __init__(self, share: float = 0.5) -> None:
            pass

    with pytest.raises(AttributeError, match="self.share"):
        repr(Forgetful())


def test_unknown_tier_labels_are_rejected():
    class Typo(policies.SegmentationPolicy):
        name = "typo"
        tiers = ("gold", "silver")

        def segment(self, state):
            return self._labels(state, ["gold"] * (len(state) - 1) + ["bronze"])

    with pytest.raises(ValueError, match="bronze"):
        Typo().segment(make_state())


@pytest.mark.parametrize("name", list(policies.BUNDLES))
def test_bundles_pickle_for_process_pools(name):
    bundle = policies.get(name)
    clone = pickle.loads(pickle.dumps(bundle))
    assert clone == bundle and clone is not bundle
    state = make_state()
    pd.testing.assert_frame_equal(clone.decide(state, CAPACITY), bundle.decide(state, CAPACITY))


def test_available_descriptions_are_plain_text():
    from kamsim.policies import available

    descriptions = " ".join(available()["description"])
    assert ":func:" not in descriptions and "``" not in descriptions


# ----------------------------------------------------------------------------- one policy path


def test_every_exported_policy_class_is_registered_under_its_kind_and_name():
    exported = [getattr(policies, n) for n in policies.__all__]
    concrete = [c for c in exported if isinstance(c, type) and issubclass(c, policies.Policy)
                and c not in (policies.Policy, *policies.KINDS.values())]
    assert len(concrete) >= 17
    for cls in concrete:
        assert policies.POLICIES[cls.kind][cls.name] is cls
    listed = policies.available()
    for kind, classes in policies.POLICIES.items():
        assert set(listed.loc[listed.kind == kind, "name"]) == set(classes)


def test_register_refuses_a_taken_name_and_a_wrong_base():
    class Impostor(policies.AllocationPolicy):
        name = "equal"

    with pytest.raises(ValueError, match="'equal' is already used by EqualAllocation"):
        policies.register(Impostor)

    class Confused(policies.RetentionPolicy):
        name = "confused"
        kind = "allocation"

    with pytest.raises(ValueError, match="must subclass AllocationPolicy"):
        policies.register(Confused)
    assert "confused" not in policies.POLICIES["allocation"]


def test_a_registered_custom_policy_is_usable_by_name_in_a_bundle():
    @policies.register
    class Nothing(policies.RetentionPolicy):
        """Spend nothing, under another name."""

        name = "test_nothing"

        def retain(self, state):
            return self._hours(state, 0.0)

    try:
        bundle = PolicyBundle("abc", "test_nothing", "equal")
        assert isinstance(bundle.retention, Nothing)
        assert "test_nothing" in policies.available("retention")["name"].tolist()
    finally:
        del policies.POLICIES["retention"]["test_nothing"]


def test_decide_checks_what_each_policy_returns():
    class NotASeries(policies.AllocationPolicy):
        name = "not_a_series"

        def allocate(self, state, capacity_hours):
            return [1.0] * len(state)

    bundle = PolicyBundle("abc", "none", NotASeries(), name="odd")
    with pytest.raises(ValueError, match=r"policy 'odd': allocate\(state, capacity_hours\) must return a pandas Series"):
        bundle.decide(make_state(), CAPACITY)

    class Infinite(policies.RetentionPolicy):
        name = "infinite"

        def retain(self, state):
            return self._hours(state, np.inf)

    with pytest.raises(ValueError, match=r"policy 'inf': retain\(state\) returned inf hours for account 'A00001'"):
        PolicyBundle("abc", Infinite(), "equal", name="inf").decide(make_state(), CAPACITY)
