"""The strategists' levers (issue 13): price response to a pricing policy, and needs-driven cross-selling.

(Managers as queues: tests/test_engine_queues.py; the comparison at the end uses all three levers.)

Each lever is checked against its documented formula (docs/engine.md "Price response", "Needs and
cross-selling"), for common random numbers (a lever leaves the other processes' draws alone) and for
"off means off" (no discount / no needs reproduces the status quo bit for bit).
"""

from __future__ import annotations

import concurrent.futures as cf

import numpy as np
import pandas as pd
import pytest

import kamsim
from kamsim import analytics
from kamsim.engine.needs import NeedsModel
from kamsim.experiment import compare
from kamsim.policies import (
    NoDiscount,
    PolicyBundle,
    PricingPolicy,
    ProactiveDiscovery,
    ReactiveService,
    TargetedDiscount,
    TierDiscount,
    UniformDiscount,
)
from kamsim.vocabulary import CUSTOMER_STAGES
from kamsim.policies.checks import check_discounts

NON_ORDER = ["visit", "call", "qbr", "complaint_opened", "complaint_resolved", "survey", "contract_signed",
             "contract_renewed", "contract_ended", "stage_change", "retention_offer", "winback_offer"]


@pytest.fixture(scope="module")
def small() -> kamsim.Portfolio:
    return kamsim.datasets.load("small")


def _run(portfolio, scenario, pricing=None, allocation="equal", name="p", seed=3):
    bundle = PolicyBundle("abc", "none", allocation, name=name, pricing=pricing or NoDiscount())
    return kamsim.simulate(scenario, portfolio, bundle, seed=seed)


def _without(events: pd.DataFrame, kinds: list[str]) -> pd.DataFrame:
    return events[events["event_type"].isin(kinds)].drop(columns=["event_id"]).reset_index(drop=True)


# ----------------------------------------------------------------------------- off means off


def test_no_discount_and_no_needs_reproduce_the_status_quo(small):
    scenario = kamsim.Scenario(months=6)
    base = kamsim.simulate(scenario, small, "status_quo", seed=3)
    explicit = kamsim.simulate(scenario, small, PolicyBundle.default(), seed=3)
    spelled = _run(small, kamsim.Scenario(months=6, needs={"latent_prob": 0.0}), NoDiscount(), name="status_quo")
    for other in (explicit, spelled):
        pd.testing.assert_frame_equal(base.events, other.events)
        pd.testing.assert_frame_equal(base.panel, other.panel)
    assert base.meta["discount_cost"] == 0.0
    assert not base.events["event_type"].isin(["need_identified", "cross_sell"]).any()


# ----------------------------------------------------------------------------- price response


def test_discount_without_response_only_lowers_prices(small):
    """Elasticity 0 and no hazard effect: same orders and units, each paid (1 - d - delta) / (1 - d) of the price."""
    scenario = kamsim.Scenario(months=6, pricing={"elasticity": 0, "elasticity_per_sensitivity": 0, "churn_effect": 0})
    base = _run(small, scenario)
    cut = _run(small, scenario, UniformDiscount(0.10))
    pd.testing.assert_frame_equal(_without(base.events, NON_ORDER), _without(cut.events, NON_ORDER))
    b, c = (r.events[r.events["event_type"] == "order"].reset_index(drop=True) for r in (base, cut))
    assert (b["quantity"] == c["quantity"]).all() and (b["product_id"] == c["product_id"]).all()
    ps = small.accounts.set_index("account_id")["price_sensitivity"].reindex(b["account_id"]).to_numpy()
    d = np.minimum(0.05 + 0.10 * ps, 0.40)  # the default negotiated discount
    np.testing.assert_allclose(c["amount"] / b["amount"], (1 - d - 0.10) / (1 - d), rtol=1e-12)
    list_revenue = (b["amount"] / (1 - d)).sum()
    assert cut.meta["discount_cost"] == pytest.approx(0.10 * list_revenue, rel=1e-9)


def test_elasticity_scales_units_and_leaves_other_processes_alone(small):
    """Only prices change: every non-order event is the same (common random numbers pair)."""
    scenario = kamsim.Scenario(months=6, pricing={"churn_effect": 0})
    base = _run(small, scenario)
    cut = _run(small, scenario, UniformDiscount(0.05))
    pd.testing.assert_frame_equal(_without(base.events, NON_ORDER), _without(cut.events, NON_ORDER))
    b, c = (r.events[r.events["event_type"] == "order"].reset_index(drop=True) for r in (base, cut))
    assert (b["product_id"] == c["product_id"]).all()
    ps = small.accounts.set_index("account_id")["price_sensitivity"].reindex(b["account_id"]).to_numpy()
    d = np.minimum(0.05 + 0.10 * ps, 0.40)
    factor = ((1 - d - 0.05) / (1 - d)) ** -(0.3 + 1.5 * ps)
    # c = round(u f) and b = round(u) for the same unrounded units u: |c - f b| <= (1 + f) / 2
    assert (np.abs(c["quantity"] - factor * b["quantity"]) <= 0.5 * (1 + factor) + 1e-9).all()
    assert (c["quantity"] >= b["quantity"]).all()
    big = b["quantity"] >= 20  # where rounding hides little of the factor
    assert big.sum() > 50
    np.testing.assert_allclose((c["quantity"][big] / b["quantity"][big]).mean(), factor[big].mean(), rtol=0.01)


def test_discount_lowers_the_hazards_of_price_sensitive_accounts_by_the_bounded_factor(small):
    scenario = kamsim.Scenario(months=1, pricing={"churn_effect": 3.0, "max_hazard_reduction": 0.2})
    base = _run(small, scenario)
    cut = _run(small, scenario, UniformDiscount(0.10))
    hb, hc = base.panel["churn_hazard"].to_numpy(), cut.panel["churn_hazard"].to_numpy()
    customer = hb > 0
    ps = small.accounts.set_index("account_id")["price_sensitivity"].reindex(base.panel["account_id"]).to_numpy()
    expected = 1 - np.minimum(3.0 * 0.10 * ps, 0.2)
    # proportional hazards: log(1 - h) scales with the multiplier
    np.testing.assert_allclose(np.log1p(-hc[customer]) / np.log1p(-hb[customer]), expected[customer], rtol=1e-9)
    assert (expected[customer] < 1).any() and (expected[customer] == 0.8).any()


def test_pricing_policies_target_whom_they_say(small):
    state = small.accounts.set_index("account_id").assign(churn_risk=0.02, tier="C")
    state.loc[state.index[:5], "tier"] = "A"
    state.loc[state.index[5], "stage"] = "lost"
    customer = state["stage"].isin(CUSTOMER_STAGES).to_numpy()
    assert not customer.all()
    assert (UniformDiscount(0.03).price(state).to_numpy() == np.where(customer, 0.03, 0)).all()
    tiered = TierDiscount({"A": 0.05}).price(state).to_numpy()
    assert (tiered[:5] == np.where(customer[:5], 0.05, 0)).all() and (tiered[5:] == 0).all()
    targeted = TargetedDiscount(0.04, min_price_sensitivity=0.7, min_churn_risk=0.01).price(state)
    hit = (state["price_sensitivity"] >= 0.7).to_numpy() & customer
    assert (targeted[hit] == 0.04).all() and (targeted[~hit] == 0).all()
    assert (TargetedDiscount(0.04, min_churn_risk=0.5).price(state) == 0).all()


def test_bad_discounts_are_refused_naming_the_policy_and_account(small):
    with pytest.raises(ValueError, match="uniform_discount.*discount must be at most 0.5"):
        UniformDiscount(0.6)
    with pytest.raises(ValueError, match=r"tier_discount.*discounts\['A'\]"):
        TierDiscount({"A": -0.1})

    class Greedy(PricingPolicy):
        name = "greedy"

        def price(self, state):
            return pd.Series(0.9, index=state.index)

    with pytest.raises(ValueError, match="policy 'greedy_bundle'.*0.9.*A00001"):
        kamsim.simulate(kamsim.Scenario(months=1), small, PolicyBundle("abc", "none", "equal", name="greedy_bundle",
                                                                       pricing=Greedy()))
    with pytest.raises(ValueError, match="must return a pandas Series"):
        check_discounts([0.1], pd.Index(["A"]), "x")
    with pytest.raises(ValueError, match="pricing must be a PricingPolicy"):
        PolicyBundle("abc", "none", "equal", pricing=ProactiveDiscovery())


def test_bundle_name_shows_a_pricing_policy_only_when_it_discounts():
    assert PolicyBundle("abc", "none", "equal").name == "abc+none+equal"
    assert PolicyBundle("abc", "none", "equal", pricing="uniform_discount").name == "abc+none+equal+uniform_discount"
    assert PolicyBundle("abc", "none", "equal").get_params()["pricing"] == {"policy": "NoDiscount"}


# ----------------------------------------------------------------------------- needs and cross-selling


def test_orders_stay_in_owned_categories_until_a_cross_sell(small):
    scenario = kamsim.Scenario(months=12, needs={"latent_prob": 0.6})
    result = _run(small, scenario, allocation=ProactiveDiscovery())
    category = small.products.set_index("product_id")["category"].astype(object)
    history = small.events[small.events["event_type"] == "order"]
    owned = history.groupby("account_id")["product_id"].agg(lambda p: set(category[p.astype(object)]))
    ev = result.events
    won = ev[ev["event_type"] == "cross_sell"]
    assert len(won) > 0 and (ev["event_type"] == "need_identified").sum() >= len(won)
    gained = won.assign(cat=won["detail"].str.removeprefix("category=")).groupby("account_id")["cat"].agg(set)
    for row in ev[ev["event_type"] == "order"].itertuples():
        if row.account_id in owned.index:
            allowed = set(owned[row.account_id]) | set(gained.get(row.account_id, ()))
            assert category[row.product_id] in allowed, row
    # every cross-sell is a first purchase of a category the account did not own, with its own order row
    for row in won.itertuples():
        cat = row.detail.removeprefix("category=")
        assert cat not in set(owned.get(row.account_id, ()))
        assert category[row.product_id] == cat
    orders = ev[ev["event_type"] == "order"]
    assert len(won.merge(orders, on=["account_id", "date", "product_id"])) == len(won)


def test_needs_switched_on_without_discovery_keeps_the_expected_revenue(small):
    off = kamsim.Scenario(months=12)
    on = kamsim.Scenario(months=12, needs={"latent_prob": 0.5, "reveal_max": 0.0})
    revenue = {k: [kamsim.simulate(s, small, "status_quo", seed=i).kpis()["revenue"] for i in range(6)]
               for k, s in (("off", off), ("on", on))}
    a, b = np.array(revenue["off"]), np.array(revenue["on"])
    se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    assert abs(a.mean() - b.mean()) < 4.5 * se
    assert not kamsim.simulate(on, small, "status_quo", seed=0).events["event_type"].eq("need_identified").any()


class _World:
    """The few World attributes NeedsModel reads."""

    def __init__(self, n: int, fit: float, satisfaction: float) -> None:
        self.n = n
        self.account_ids = np.array([f"A{i:06d}" for i in range(n)], dtype=object)
        self.strategic_fit = np.full(n, fit)
        self.satisfaction = np.full(n, satisfaction)


def test_reveal_and_conversion_probabilities_match_the_formulas():
    n, hours = 40_000, 3.0
    scenario = kamsim.Scenario(needs={"latent_prob": 1.0, "reveal_max": 0.6, "discovery_scale_hours": 4.0,
                                      "convert_prob": 0.5})
    world = _World(n, fit=0.8, satisfaction=7.5)
    history = pd.DataFrame({"event_type": "order", "account_id": world.account_ids, "product_id": "P1"})
    model = NeedsModel(scenario, world, np.array([0, 1]), np.array(["a", "b"]), history, np.array(["P1", "P2"]),
                       np.random.default_rng(5))
    assert model.owned[:, 0].all() and model.latent[:, 1].all() and not model.latent[:, 0].any()
    customer = np.ones(n, dtype=bool)
    first = model.month(world, np.full(n, hours), customer)
    p = 0.6 * (1 - np.exp(-hours / 4.0))
    assert abs(len(first.revealed_account) / n - p) < 4.5 * np.sqrt(p * (1 - p) / n)
    assert len(first.adopted_account) == 0  # a need revealed this month converts from next month on
    revealed = len(first.revealed_account)
    second = model.month(world, np.zeros(n), customer)
    q = 0.5 * 0.8 * 7.5 / 10
    assert len(second.revealed_account) == 0  # no needs-analysis hours, nothing new revealed
    assert abs(len(second.adopted_account) / revealed - q) < 4.5 * np.sqrt(q * (1 - q) / revealed)
    assert (second.adopted_category == 1).all()
    np.testing.assert_array_equal(model.spend_multiplier()[second.adopted_account], 1.15)


def test_proactive_discovery_reveals_more_needs_than_reactive_service(small):
    scenario = kamsim.Scenario(months=12, needs={"latent_prob": 0.5})
    counts = {}
    for label, allocation in (("proactive", ProactiveDiscovery()), ("reactive", ReactiveService())):
        events = _run(small, scenario, allocation=allocation, name=label).events
        counts[label] = int((events["event_type"] == "need_identified").sum())
    assert counts["proactive"] > counts["reactive"]


def test_cross_selling_table_counts_needs_wins_and_category_growth(small):
    scenario = kamsim.Scenario(months=12, needs={"latent_prob": 0.6})
    result = _run(small, scenario, allocation=ProactiveDiscovery())
    table = analytics.cross_selling(result.events, small.products)
    ev = result.events
    assert table["needs_identified"].sum() == (ev["event_type"] == "need_identified").sum()
    assert table["cross_sells"].sum() == (ev["event_type"] == "cross_sell").sum()
    assert table["cross_sell_revenue"].sum() > 0
    assert table["mean_categories"].is_monotonic_increasing
    quiet = analytics.cross_selling(kamsim.simulate(kamsim.Scenario(months=3), small, seed=1).events, small.products)
    assert (quiet[["needs_identified", "cross_sells", "cross_sell_revenue"]] == 0).all().all()
    with pytest.raises(ValueError, match="cross_selling"):
        analytics.cross_selling(ev.drop(columns=["detail"]), small.products)


# ----------------------------------------------------------------------------- where replications run


def test_a_comparison_with_the_levers_is_identical_serially_in_a_pool_and_on_dask(small):
    """All three levers: discounts, needs analysis, managers as queues with a departure."""
    scenario = kamsim.Scenario(months=6, needs={"latent_prob": 0.5}, managers={
        "queueing": True, "changes": [{"month": 2, "action": "leave", "manager": "M003", "to": "M001"}]})
    bundles = {
        "status_quo": "status_quo",
        "discovery_loyalty": PolicyBundle("abc", "none", ProactiveDiscovery(), name="discovery_loyalty",
                                          pricing=TargetedDiscount(0.05, min_price_sensitivity=0.6)),
    }
    settings = dict(scenario=scenario, policies=bundles, portfolio=small, replications=2, seed=9, progress=False)
    serial = compare(**settings).replications
    with cf.ProcessPoolExecutor(2) as pool:
        pd.testing.assert_frame_equal(serial, compare(**settings, executor=pool).replications, check_exact=True)
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        pd.testing.assert_frame_equal(serial, compare(**settings, executor=client.get_executor()).replications,
                                      check_exact=True)
