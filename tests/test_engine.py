"""Engine: reproducibility, schema of events and panel, KPIs, common random numbers, warm start."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import kamsim
from kamsim import schema
from kamsim.engine import KPI_NAMES, PANEL_COLUMNS, simulate, warm_start
from kamsim.policies import NoRetention, PolicyBundle, RetentionPolicy, SegmentationPolicy
from kamsim.scenario import Scenario

MONTHS = 12


@pytest.fixture(scope="module")
def portfolio():
    return kamsim.generate_portfolio(150, seed=5)


@pytest.fixture(scope="module")
def result(portfolio):
    return simulate(Scenario(), portfolio, None, seed=11, months=MONTHS)


# ----------------------------------------------------------------------------- reproducibility


def test_same_seed_gives_identical_event_log(portfolio, result):
    again = simulate(Scenario(), portfolio, "status_quo", seed=11, months=MONTHS)
    pd.testing.assert_frame_equal(result.events, again.events)
    pd.testing.assert_frame_equal(result.panel, again.panel)
    pd.testing.assert_frame_equal(result.complaints, again.complaints)
    pd.testing.assert_series_equal(result.kpis(), again.kpis())


def test_different_seeds_differ(portfolio, result):
    other = simulate(Scenario(), portfolio, None, seed=12, months=MONTHS)
    assert len(other.events) != len(result.events) or not other.events.equals(result.events)
    orders_a = result.events.loc[result.events["event_type"] == "order", "amount"].to_numpy()
    orders_b = other.events.loc[other.events["event_type"] == "order", "amount"].to_numpy()
    assert orders_a.sum() != orders_b.sum()


def test_input_portfolio_is_not_modified(portfolio):
    before = portfolio.accounts.copy()
    simulate(Scenario(), portfolio, None, seed=1, months=2)
    pd.testing.assert_frame_equal(portfolio.accounts, before)


# ----------------------------------------------------------------------------- event log


def test_events_follow_the_schema(portfolio, result):
    ev = result.events
    assert list(ev.columns) == schema.column_names("events")
    pd.testing.assert_frame_equal(ev, schema.coerce_frame(ev, "events"))
    schema.validate_frame(ev, "events")
    schema.check_foreign_key(ev, "events", "account_id", portfolio.accounts)
    schema.check_foreign_key(ev, "events", "product_id", portfolio.products)
    schema.check_foreign_key(ev, "events", "manager_id", portfolio.account_managers)
    assert (ev["event_id"].to_numpy() == np.arange(1, len(ev) + 1)).all()
    assert ev["date"].is_monotonic_increasing
    assert ev["month"].between(0, MONTHS - 1).all()
    as_of = pd.Timestamp(portfolio.meta["as_of"])
    assert ev["date"].min() >= as_of and ev["date"].max() < as_of + pd.DateOffset(months=MONTHS)
    # the month column agrees with the calendar month of the date
    months_from_date = (ev["date"].dt.year - as_of.year) * 12 + ev["date"].dt.month - as_of.month
    assert (months_from_date.to_numpy() == ev["month"].to_numpy()).all()
    expected = {"order", "call", "visit", "qbr", "complaint_opened", "complaint_resolved", "survey", "stage_change"}
    assert expected <= set(ev["event_type"])


def test_order_rows_are_consistent(portfolio, result):
    ev = result.events
    orders = ev[ev["event_type"] == "order"]
    assert orders[["product_id", "quantity", "amount", "margin", "manager_id"]].notna().all().all()
    prices = portfolio.products.set_index("product_id")["list_price"]
    list_value = orders["quantity"].to_numpy() * prices.reindex(orders["product_id"]).to_numpy()
    assert (orders["quantity"] >= 1).all()
    assert (orders["amount"].to_numpy() <= list_value + 1e-6).all()  # discounts only lower the price
    assert (orders["margin"] < orders["amount"]).all()
    others = ev[ev["event_type"] != "order"]
    assert others["product_id"].isna().all() and others["quantity"].isna().all()


def test_complaint_rows(result):
    ev = result.events
    opened = ev[ev["event_type"] == "complaint_opened"]
    resolved = ev[ev["event_type"] == "complaint_resolved"]
    assert len(opened) == len(result.complaints) and len(resolved) == int(result.complaints["resolved"].sum())
    assert (resolved["wait_days"] > 0).all()
    assert resolved["detail"].str.contains(r"\|queue=.*\|accept=.*\|follow_up=").all()
    table = result.complaints
    stage_sum = table[[c for c in table.columns if c.endswith("_days") and c not in ("queue_days", "handling_days")]].sum(axis=1)
    np.testing.assert_allclose(stage_sum, table["handling_days"])
    done = table[table["resolved"]]
    np.testing.assert_allclose(done["resolved_day"] - done["started_day"], done["handling_days"], rtol=1e-9, atol=1e-9)
    assert (done["queue_days"] >= 0).all()


# ----------------------------------------------------------------------------- panel and KPIs


def test_panel_shape_and_consistency_with_events(portfolio, result):
    panel, ev = result.panel, result.events
    n = len(portfolio.accounts)
    assert list(panel.columns) == list(PANEL_COLUMNS)
    assert len(panel) == MONTHS * n
    assert panel["stage"].isin(schema.STAGES).all()
    assert panel["satisfaction"].between(0, 10).all()
    assert panel["churn_hazard"].between(0, 1).all()
    # month 0 stages are the portfolio's stages
    first = panel[panel["month"] == 0].set_index("account_id")["stage"]
    pd.testing.assert_series_equal(
        first.astype("object"), portfolio.accounts.set_index("account_id")["stage"].astype("object"), check_names=False
    )
    orders = ev[ev["event_type"] == "order"]
    np.testing.assert_allclose(panel.groupby("month")["revenue"].sum(), orders.groupby("month")["amount"].sum().reindex(range(MONTHS), fill_value=0))
    contacts = ev[ev["event_type"].isin(["visit", "call", "qbr"])]
    assert panel["contact_hours"].sum() == pytest.approx(contacts["hours"].sum())
    assert panel["complaints"].sum() == (ev["event_type"] == "complaint_opened").sum()
    # every stage change moves the panel stage of the next month
    changes = ev[(ev["event_type"] == "stage_change") & (ev["month"] < MONTHS - 1)]
    nxt = panel.set_index(["month", "account_id"])["stage"]
    after = nxt.reindex(list(zip(changes["month"] + 1, changes["account_id"]))).to_numpy()
    assert (after == changes["stage_to"].to_numpy()).all()
    before = nxt.reindex(list(zip(changes["month"], changes["account_id"]))).to_numpy()
    assert (before == changes["stage_from"].to_numpy()).all()
    # only customers order
    assert (panel.loc[panel["stage"].isin(["prospect", "lost"]), "revenue"] == 0).all()


def test_kpis(result):
    k = result.kpis()
    assert list(k.index) == list(KPI_NAMES)
    assert k.dtype == np.float64
    assert sum(k[f"share_{s}"] for s in schema.STAGES) == pytest.approx(1.0)
    assert k["revenue"] == pytest.approx(result.panel["revenue"].sum())
    assert k["net_margin"] == pytest.approx(k["margin"] - k["retention_cost"] - k["winback_cost"])
    assert 0 < k["manager_utilisation"] <= 1
    assert 0 <= k["retention_rate"] <= 1 and 0 <= k["churn_rate"] <= 1
    assert k["complaints"] == len(result.complaints)
    assert k["active_accounts_end"] == result.final_stage.isin(["new", "growing", "mature", "at_risk", "won_back"]).sum()


def test_summary(result):
    table = result.summary()
    assert table.index.names == ["by", "group"]
    stages = table.loc["stage"]
    assert list(stages.index) == list(schema.STAGES)
    assert stages["account_months"].sum() == len(result.panel)
    assert stages["revenue"].sum() == pytest.approx(result.panel["revenue"].sum())
    assert table.loc["tier", "account_months"].sum() == len(result.panel)


def test_retention_effort_lowers_the_churn_hazard(portfolio, result):
    blanket = simulate(Scenario(), portfolio, "blanket", seed=11, months=1)
    base = result.panel[result.panel["month"] == 0]
    treated = blanket.panel[blanket.panel["month"] == 0]
    helped = (treated["retention_hours"] > 0).to_numpy()
    assert helped.any()
    assert (treated["churn_hazard"].to_numpy()[helped] < base["churn_hazard"].to_numpy()[helped]).all()
    assert blanket.kpis()["retention_cost"] == pytest.approx(treated["retention_hours"].sum() * blanket_cost())
    offers = blanket.events[blanket.events["event_type"] == "retention_offer"]
    assert offers["amount"].sum() == pytest.approx(blanket.kpis()["retention_cost"])


def blanket_cost() -> float:
    return kamsim.policies.get("blanket").retention.cost_per_hour


def test_fewer_complaint_handlers_mean_longer_waits(portfolio):
    busy = simulate(Scenario(complaints={"handlers": 1, "base_rate": 0.2}), portfolio, None, seed=3, months=6)
    ample = simulate(Scenario(complaints={"handlers": 30, "base_rate": 0.2}), portfolio, None, seed=3, months=6)
    assert busy.kpis()["mean_complaint_wait_days"] > ample.kpis()["mean_complaint_wait_days"]
    assert ample.complaints["queue_days"].max() == 0.0
    # same arrivals in month 0 (CRN); later, longer waits lower satisfaction and raise complaint rates
    first_busy = busy.complaints[busy.complaints["month"] == 0]
    first_ample = ample.complaints[ample.complaints["month"] == 0]
    pd.testing.assert_series_equal(first_busy["opened_day"], first_ample["opened_day"])


def test_manager_hours_respect_capacity(portfolio, result):
    hours = result.manager_hours
    assert (hours["used_hours"] <= hours["capacity_hours"] + 1e-6).all()
    contact = result.panel.merge(portfolio.accounts[["account_id", "manager_id"]], on="account_id")
    per_month = contact.groupby(["month", "manager_id"])["contact_hours"].sum()
    cap = portfolio.account_managers.set_index("manager_id")["capacity_hours"]
    assert (per_month.to_numpy() <= cap.reindex(per_month.index.get_level_values(1)).to_numpy() + 1e-6).all()


# ----------------------------------------------------------------------------- policies and errors


class _RecordingSegmentation(SegmentationPolicy):
    """ABC-like single tier that remembers the states it saw."""

    name = "recording"
    tiers = ("all",)

    def __init__(self) -> None:
        self.states: list[pd.DataFrame] = []

    def segment(self, state):
        self.states.append(state)
        return self._labels(state, ["all"] * len(state))


class _LateRetention(RetentionPolicy):
    """Two extra hours for every customer, but only from month ``start`` on."""

    name = "late"

    def __init__(self, start: int = 4, cost_per_hour: float = 50.0) -> None:
        self.start = start
        self.cost_per_hour = cost_per_hour

    def retain(self, state):
        on = (state["month"] >= self.start) & state["stage"].isin(["new", "growing", "mature", "at_risk", "won_back"])
        return self._hours(state, np.where(on.to_numpy(), 2.0, 0.0))


def test_state_given_to_policies(portfolio):
    seg = _RecordingSegmentation()
    base = PolicyBundle.default()
    simulate(Scenario(), portfolio, PolicyBundle(seg, base.retention, base.allocation, name="rec"), seed=1, months=2)
    state = seg.states[0]
    assert state.index.name == "account_id" and list(state.index) == list(portfolio.accounts["account_id"])
    needed = set(schema.column_names("accounts")) - {"account_id"} | {
        "stage", "satisfaction", "revenue_12m", "margin_12m", "months_since_order", "orders_12m", "churn_risk", "tier", "month",
    }
    assert needed <= set(state.columns)
    assert state["tier"].isna().all() and (seg.states[1]["tier"] == "all").all()
    assert state["churn_risk"].between(0, 1).all()
    customers = state["stage"].isin(["new", "growing", "mature", "at_risk", "won_back"])
    assert (state.loc[customers, "churn_risk"] > 0).all() and (state.loc[~customers, "churn_risk"] == 0).all()


def _first_action_difference(a, b) -> int:
    """First month in which the two runs' policy actions (tier, hours) differ."""
    cols = ["tier", "contact_hours", "retention_hours"]
    pa, pb = a.panel.set_index(["month", "account_id"])[cols], b.panel.set_index(["month", "account_id"])[cols]
    differs = ~((pa == pb) | (pa.isna() & pb.isna())).all(axis=1)
    months = differs[differs].index.get_level_values(0)
    return int(months.min()) if len(months) else a.months


def _assert_identical_before(a, b, month: int) -> None:
    ea, eb = a.events[a.events["month"] < month], b.events[b.events["month"] < month]
    assert len(ea) > 0
    pd.testing.assert_frame_equal(ea.reset_index(drop=True), eb.reset_index(drop=True))


def test_crn_identical_events_until_the_policies_act_differently(portfolio):
    base = PolicyBundle.default()
    quo = simulate(Scenario(), portfolio, base, seed=21, months=MONTHS)
    late = simulate(Scenario(), portfolio, PolicyBundle(base.segmentation, _LateRetention(start=4), base.allocation), seed=21, months=MONTHS)
    assert _first_action_difference(quo, late) == 4
    _assert_identical_before(quo, late, 4)
    assert not quo.events[quo.events["month"] >= 4].reset_index(drop=True).equals(late.events[late.events["month"] >= 4].reset_index(drop=True))
    # the built-in win-back campaign only acts once there are lost accounts
    wb = simulate(Scenario(), portfolio, "win_back", seed=21, months=MONTHS)
    first = _first_action_difference(quo, wb)
    assert 0 < first < MONTHS
    _assert_identical_before(quo, wb, first)


def test_policy_errors(portfolio):
    with pytest.raises(ValueError, match=r"policy: unknown policy bundle 'nope'"):
        simulate(Scenario(), portfolio, "nope", seed=1, months=1)
    with pytest.raises(ValueError, match="policy: expected a PolicyBundle"):
        simulate(Scenario(), portfolio, 42, seed=1, months=1)

    class Negative(RetentionPolicy):
        name = "negative"

        def retain(self, state):
            return self._hours(state, -1.0)

    bundle = PolicyBundle.default()
    bad = PolicyBundle(bundle.segmentation, Negative(), bundle.allocation, name="bad")
    with pytest.raises(ValueError, match=r"policy 'bad': retain\(state\) returned -1\.0 hours for account 'A00001'"):
        simulate(Scenario(), portfolio, bad, seed=1, months=1)


def test_argument_errors(portfolio):
    with pytest.raises(ValueError, match="seed"):
        simulate(Scenario(), portfolio, None, seed=-1, months=1)
    with pytest.raises(ValueError, match="months must be a positive integer"):
        simulate(Scenario(), portfolio, None, seed=1, months=0)
    with pytest.raises(ValueError, match="scenario: expected a kamsim Scenario"):
        simulate({"months": 3}, portfolio, None, seed=1)
    accounts = portfolio.accounts.copy()
    accounts.loc[3, "stage"] = "dormant"
    with pytest.raises(ValueError, match=r"accounts: column 'stage' row 3: 'dormant'"):
        simulate(Scenario(), dataclasses.replace(portfolio, accounts=accounts), None, seed=1, months=1)


def test_months_default_comes_from_scenario(portfolio):
    r = simulate(Scenario(months=3), portfolio, None, seed=1)
    assert r.months == 3 and r.panel["month"].max() == 2


# ----------------------------------------------------------------------------- warm start


@pytest.fixture(scope="module")
def warmed(portfolio):
    return warm_start(portfolio, 6, Scenario(), seed=4)


def test_warm_start_history(portfolio, warmed):
    ev = warmed.events
    as_of = pd.Timestamp(portfolio.meta["as_of"])
    assert len(ev) > 0 and ev["month"].between(-6, -1).all()
    assert ev["date"].max() < as_of and ev["date"].min() >= as_of - pd.DateOffset(months=6)
    months_before = (as_of.year - ev["date"].dt.year) * 12 + as_of.month - ev["date"].dt.month
    assert (months_before.to_numpy() == -ev["month"].to_numpy()).all()
    assert warmed.meta["history_months"] == 6 and warmed.meta["history_policy"] == "status_quo"
    warmed.validate()
    # accounts.stage is the stage after the history: the last stage change of each account, else unchanged
    changes = ev[ev["event_type"] == "stage_change"].groupby("account_id")["stage_to"].last()
    stage = warmed.accounts.set_index("account_id")["stage"]
    assert (stage.reindex(changes.index).to_numpy() == changes.to_numpy()).all()
    unchanged = ~portfolio.accounts["account_id"].isin(changes.index)
    assert (warmed.accounts.loc[unchanged, "stage"].to_numpy() == portfolio.accounts.loc[unchanged, "stage"].to_numpy()).all()
    acquired = ev[(ev["event_type"] == "stage_change") & (ev["stage_from"] == "prospect")]
    assert warmed.accounts.set_index("account_id").loc[acquired["account_id"], "acquisition_date"].notna().all()
    # the input is untouched and the result reproducible
    assert len(portfolio.events) == 0
    pd.testing.assert_frame_equal(warm_start(portfolio, 6, Scenario(), seed=4).events, ev)


def test_simulation_continues_the_history(warmed):
    seg = _RecordingSegmentation()
    base = PolicyBundle.default()
    r = simulate(Scenario(), warmed, PolicyBundle(seg, NoRetention(), base.allocation), seed=4, months=2)
    assert r.events["event_id"].min() == warmed.events["event_id"].max() + 1
    state = seg.states[0]
    hist_orders = warmed.events[warmed.events["event_type"] == "order"]
    revenue = hist_orders.groupby("account_id")["amount"].sum().reindex(state.index, fill_value=0.0)
    np.testing.assert_allclose(state["revenue_12m"].to_numpy(), revenue.to_numpy())
    last = hist_orders.groupby("account_id")["month"].max().reindex(state.index)
    np.testing.assert_allclose(state["months_since_order"].to_numpy(), -last.to_numpy())
    # the warm start's random streams are not reused by a simulation with the same seed
    history_first_orders = hist_orders[hist_orders["month"] == -6]["amount"].to_numpy()
    sim_first = r.events[(r.events["event_type"] == "order") & (r.events["month"] == 0)]["amount"].to_numpy()
    assert not np.array_equal(np.sort(history_first_orders)[:5], np.sort(sim_first)[:5])


def test_warm_start_errors(portfolio, warmed):
    with pytest.raises(ValueError, match="portfolio.events: warm_start needs a portfolio without history"):
        warm_start(warmed, 3)
    with pytest.raises(ValueError, match="history_months must be a positive integer"):
        warm_start(portfolio, 0)


def test_generate_portfolio_uses_warm_start():
    p = kamsim.generate_portfolio(40, seed=2, history_months=3)
    assert p.events["month"].between(-3, -1).all() and len(p.events) > 0
