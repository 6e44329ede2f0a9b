"""kamsim.calibrate: a simulation twin from a transaction log (fit, tables, engine, files, bad logs)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kamsim
from kamsim.calibration import MIN_CUSTOMERS, UNIDENTIFIED, calibrate, pareto_nbd_log
from kamsim.scenario import Scenario
from kamsim.schema import CALIBRATED_ACCOUNT_COLUMNS

AS_OF = "2023-10-01"


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return pareto_nbd_log(3000, seed=1)


@pytest.fixture(scope="module")
def twin(log):
    return calibrate(log, AS_OF)


def test_recovers_the_rates_of_a_known_population():
    """15 months of 10,000 customers: purchase rates within a few %, the slower-to-show dropout within 30-50%."""
    portfolio, _ = calibrate(pareto_nbd_log(10_000, seed=1, months=18), "2024-04-01")
    params = portfolio.meta["calibration"]["purchase_params"]
    truth = {"r": 0.55, "alpha": 2.4, "s": 0.6, "beta": 2.7}
    tolerance = {"r": 0.15, "alpha": 0.15, "s": 0.3, "beta": 0.5}
    for name, value in truth.items():
        assert params[name] == pytest.approx(value, rel=tolerance[name]), name
    # the mean purchase rate r / alpha is identified much better than r and alpha alone
    assert params["r"] / params["alpha"] == pytest.approx(0.55 / 2.4, rel=0.05)
    assert params["s"] / params["beta"] == pytest.approx(0.6 / 2.7, rel=0.25)


def test_one_account_per_customer_with_its_history(log, twin):
    portfolio, _ = twin
    before = log[log["date"] < AS_OF]
    assert len(portfolio.accounts) == before["account_id"].nunique()
    assert set(portfolio.accounts["account_id"]) == set(before["account_id"])
    orders = portfolio.events
    assert len(orders) == len(before) and (orders["event_type"] == "order").all()
    assert (orders["month"] < 0).all()
    assert orders["amount"].sum() == pytest.approx(before["amount"].sum())
    first = before.groupby("account_id")["date"].min()
    acquired = portfolio.accounts.set_index("account_id")["acquisition_date"]
    assert (acquired.reindex(first.index) == first).all()
    for col in CALIBRATED_ACCOUNT_COLUMNS:
        assert portfolio.accounts[col.name].notna().all()
    assert portfolio.meta["as_of"] == AS_OF
    assert portfolio.meta["calibration"]["orders_ignored_on_or_after_as_of"] == int((log["date"] >= AS_OF).sum())


def test_history_months_follow_the_calendar(twin):
    portfolio, _ = twin
    ev = portfolio.events
    sept = ev[(ev["date"] >= "2023-09-01") & (ev["date"] < "2023-10-01")]
    jan = ev[ev["date"] < "2023-02-01"]
    assert (sept["month"] == -1).all() and (jan["month"] == -9).all()


def test_scenario_switches_off_what_a_log_cannot_identify(twin):
    _, scenario = twin
    data = scenario.to_dict()
    for key, value in UNIDENTIFIED.items():
        node = data
        for part in key.split("."):
            node = node[part]
        assert node == value, key
    assert scenario.retention.max_reduction == Scenario().retention.max_reduction  # the lever stays


def test_twin_round_trips_through_a_folder(twin, tmp_path):
    portfolio, scenario = twin
    folder = portfolio.to_dir(tmp_path / "twin", attachments={"scenario.yaml": scenario.to_yaml()})
    back = kamsim.Portfolio.from_dir(folder)
    pd.testing.assert_frame_equal(back.accounts, portfolio.accounts.reset_index(drop=True))
    assert Scenario.from_file(folder / "scenario.yaml") == scenario
    assert back.meta["calibration"] == portfolio.meta["calibration"]


def test_attachments_cannot_replace_tables(twin, tmp_path):
    portfolio, _ = twin
    for name in ("accounts.csv", "schema.json", "../x.yaml", ""):
        with pytest.raises(ValueError, match="attachments"):
            portfolio.to_dir(tmp_path / "t", attachments={name: "x"})
    assert not (tmp_path / "t").exists()


def test_twin_runs_in_simulate_and_compare(twin):
    portfolio, scenario = twin
    result = kamsim.simulate(scenario, portfolio, "status_quo", seed=3, months=6)
    assert result.kpis()["revenue"] > 0
    comparison = kamsim.compare(scenario, ["status_quo", "risk_targeted"], portfolio, replications=3, months=6,
                                progress=False)
    paired = comparison.paired()
    assert set(paired["policy"]) == {"risk_targeted"}


def test_calibrated_accounts_are_stable_in_their_stage(twin):
    portfolio, scenario = twin
    result = kamsim.simulate(scenario, portfolio, "status_quo", seed=4, months=12)
    moves = result.events[result.events["event_type"] == "stage_change"]
    assert set(moves["stage_to"].astype(str)) == {"lost"}


def test_expected_orders_match_the_closed_form(twin, log):
    """Averaged over runs, the twin's orders equal the Pareto/NBD conditional expectation (within 4.5 SE)."""
    portfolio, scenario = twin
    info = portfolio.meta["calibration"]["purchase_params"]
    fitter = kamsim.analytics.ParetoNBDFitter()
    rfm = kamsim.analytics.rfm_table(log[log["date"] < AS_OF], cutoff="2023-09-30", freq="D")
    from kamsim.vocabulary import DAYS_PER_MONTH

    x = rfm["frequency"].to_numpy(dtype=float)
    tx, big_t = rfm["recency"].to_numpy() / DAYS_PER_MONTH, rfm["T"].to_numpy() / DAYS_PER_MONTH
    fitter.fit(x, tx, big_t)
    assert fitter.params_["r"] == pytest.approx(info["r"], rel=1e-9)
    months = 6
    horizon = (pd.Timestamp(AS_OF) + pd.DateOffset(months=months) - pd.Timestamp(AS_OF)).days / DAYS_PER_MONTH
    expected = fitter.predict(horizon, x, tx, big_t).sum()
    totals = []
    for r in range(40):
        res = kamsim.simulate(scenario, portfolio, "status_quo", seed=100 + r, months=months)
        totals.append(int((res.events["event_type"] == "order").sum()))
    totals = np.array(totals, dtype=float)
    se = totals.std(ddof=1) / np.sqrt(len(totals))
    assert abs(totals.mean() - expected) < 4.5 * se + 0.002 * expected


# ---------------------------------------------------------------------------- engine details


def _with_columns(portfolio, **values):
    accounts = portfolio.accounts.copy()
    for col in CALIBRATED_ACCOUNT_COLUMNS:
        accounts[col.name] = values.get(col.name, np.nan)
    return kamsim.Portfolio(accounts, portfolio.contacts, portfolio.products, portfolio.account_managers,
                            portfolio.events, dict(portfolio.meta))


def test_accounts_known_to_be_gone_never_order_and_are_lost_in_month_zero():
    base = kamsim.generate_portfolio(30, seed=2)
    customers = base.accounts["stage"].isin(["new", "growing", "mature", "at_risk", "won_back"]).to_numpy()
    values = dict(p_active=np.where(customers, 0.0, np.nan), order_rate_shape=np.where(customers, 50.0, np.nan),
                  order_rate_exposure=np.where(customers, 10.0, np.nan), dropout_shape=np.where(customers, 1.0, np.nan),
                  dropout_exposure=np.where(customers, 100.0, np.nan), order_value=np.where(customers, 10.0, np.nan))
    portfolio = _with_columns(base, **values)
    result = kamsim.simulate(Scenario(), portfolio, "status_quo", seed=1, months=3)
    ids = set(base.accounts["account_id"][customers])
    orders = result.events[result.events["event_type"] == "order"]
    assert not set(orders["account_id"]) & ids
    lost = result.events[(result.events["event_type"] == "stage_change") & (result.events["stage_to"] == "lost")]
    assert ids <= set(lost.loc[lost["month"] == 0, "account_id"])


def test_rows_without_calibration_follow_the_stage_model():
    """Empty calibrated columns change nothing: same events as the portfolio without the columns."""
    base = kamsim.generate_portfolio(40, seed=5, history_months=3)
    plain = kamsim.simulate(Scenario(), base, "status_quo", seed=9, months=4)
    empty = kamsim.simulate(Scenario(), _with_columns(base), "status_quo", seed=9, months=4)
    pd.testing.assert_frame_equal(plain.events, empty.events)


def test_some_calibrated_columns_only_is_an_error():
    base = kamsim.generate_portfolio(10, seed=1)
    accounts = base.accounts.assign(p_active=0.5)
    portfolio = kamsim.Portfolio(accounts, base.contacts, base.products, base.account_managers)
    with pytest.raises(ValueError, match="calibrated columns need all"):
        kamsim.simulate(Scenario(), portfolio, seed=1, months=1)
    partial = _with_columns(base, p_active=0.5)
    with pytest.raises(ValueError, match=r"row 0: calibrated columns \[.*\] are empty"):
        kamsim.simulate(Scenario(), partial, seed=1, months=1)


def test_calibrated_values_are_checked_by_the_schema():
    base = kamsim.generate_portfolio(10, seed=1)
    bad = _with_columns(base, p_active=1.5, order_rate_shape=1.0, order_rate_exposure=1.0, dropout_shape=1.0,
                        dropout_exposure=1.0, order_value=1.0)
    with pytest.raises(kamsim.schema.SchemaError, match="p_active"):
        bad.validate()


def test_retention_lowers_the_loss_of_calibrated_accounts(twin):
    portfolio, scenario = twin
    comparison = kamsim.compare(scenario, ["status_quo", "blanket"], portfolio, replications=4, months=6, progress=False)
    summary = comparison.summary().set_index(["policy", "kpi"])["mean"]
    assert summary[("blanket", "active_accounts_end")] > summary[("status_quo", "active_accounts_end")]


# ---------------------------------------------------------------------------- bad logs


def _log(rows):
    return pd.DataFrame(rows, columns=["account_id", "date", "amount"])


def test_unparseable_dates_name_the_row():
    bad = pareto_nbd_log(50, seed=3).astype({"date": str})
    bad.loc[7, "date"] = "2023-02-30"
    with pytest.raises(ValueError, match=r"row 7.*date"):
        calibrate(bad, AS_OF)


def test_negative_amounts_name_the_row():
    bad = pareto_nbd_log(50, seed=3)
    bad.loc[4, "amount"] = -3.0
    with pytest.raises(ValueError, match=r"row 4.*amount"):
        calibrate(bad, AS_OF)


def test_one_customer_is_refused_clearly():
    one = _log([("A", "2023-01-05", 10.0), ("A", "2023-03-01", 12.0), ("A", "2023-05-01", 9.0)])
    with pytest.raises(ValueError, match=f"1 customer.*at least {MIN_CUSTOMERS}"):
        calibrate(one, AS_OF)


def test_all_customers_with_one_purchase_is_refused_clearly():
    single = _log([(f"C{i}", f"2023-0{1 + i % 8}-1{i % 9}", 10.0 + i) for i in range(40)])
    with pytest.raises(ValueError, match="two different days"):
        calibrate(single, AS_OF)


def test_as_of_must_leave_a_history(log):
    with pytest.raises(ValueError, match="no order before as_of 2020-01-01"):
        calibrate(log, "2020-01-01")
    with pytest.raises(ValueError, match="as_of: not a date"):
        calibrate(log, "next tuesday")


def test_bad_options_are_named(log):
    with pytest.raises(ValueError, match="margin_rate"):
        calibrate(log, AS_OF, margin_rate=2)
    with pytest.raises(ValueError, match="accounts_per_manager"):
        calibrate(log, AS_OF, accounts_per_manager=0)
    with pytest.raises(ValueError, match="read_options: unknown"):
        calibrate(log, AS_OF, read_options={"sep": ";"})
    with pytest.raises(ValueError, match="unknown section"):
        calibrate(log, AS_OF, scenario_changes={"nope.x": 1})


def test_products_and_margins_come_from_the_log():
    log = pareto_nbd_log(200, seed=6)
    log["product"] = np.where(log.index % 3 == 0, "gold", "basic")
    log["margin"] = log["amount"] * np.where(log["product"] == "gold", 0.5, 0.2)
    portfolio, _ = calibrate(log, AS_OF, margin_col="margin", product_col="product")
    products = portfolio.products.set_index("product_id")
    assert list(products.index) == ["basic", "gold"]
    assert products.loc["gold", "margin_rate"] == pytest.approx(0.5)
    assert products.loc["basic", "margin_rate"] == pytest.approx(0.2)
    orders = portfolio.events
    assert orders["margin"].sum() == pytest.approx(log.loc[log["date"] < AS_OF, "margin"].sum())


def test_zero_amount_orders_are_kept_as_purchases():
    log = pareto_nbd_log(300, seed=8)
    log.loc[::50, "amount"] = 0.0
    portfolio, _ = calibrate(log, AS_OF)
    assert (portfolio.accounts["order_value"] > 0).all()


# ---------------------------------------------------------------------------- contracts and complaints


def _crm(log):
    ids = sorted(log.loc[log["date"] < AS_OF, "account_id"].unique())[:60]
    contracts = pd.DataFrame(
        {
            "account_id": ids[:40] + ids[:10],
            "start": ["2023-01-15"] * 40 + ["2023-07-16"] * 10,
            "end": ["2023-07-15"] * 10 + ["2024-01-14"] * 20 + ["2025-01-14"] * 10 + ["2025-07-15"] * 10,
        }
    )
    complaints = pd.DataFrame({"account_id": ids[:30], "date": ["2023-05-02"] * 30})
    return contracts, complaints


def test_contracts_and_complaints_tables(log):
    contracts, complaints = _crm(log)
    portfolio, scenario = calibrate(log, AS_OF, contracts=contracts, complaints=complaints)
    kinds = portfolio.events["event_type"].astype(str).value_counts()
    assert kinds["contract_signed"] == 50 and kinds["contract_ended"] == 10 and kinds["complaint_opened"] == 30
    # the 10 contracts that ended were all followed by another within a day: renewed
    assert scenario.contracts.renewal_prob == pytest.approx(1.0)
    assert scenario.contracts.two_year_share == pytest.approx(20 / 50)
    months = ((pd.Timestamp(AS_OF) - portfolio.accounts["acquisition_date"]).dt.days / 30.4375).sum()
    assert scenario.complaints.base_rate == pytest.approx(30 / months)
    result = kamsim.simulate(scenario, portfolio, seed=1, months=2)
    assert (result.events["event_type"] == "complaint_opened").any()


def test_crm_table_errors_name_the_row(log):
    contracts, complaints = _crm(log)
    with pytest.raises(ValueError, match=r"contracts: row 3: column 'start'"):
        calibrate(log, AS_OF, contracts=contracts.assign(start=contracts["start"].where(contracts.index != 3, "soon")))
    with pytest.raises(ValueError, match=r"contracts: row 0: end .* is not after start"):
        calibrate(log, AS_OF, contracts=contracts.assign(end="2022-01-01"))
    with pytest.raises(ValueError, match=r"complaints: row 2: customer 'nobody'"):
        calibrate(log, AS_OF, complaints=complaints.assign(account_id=lambda d: d["account_id"].where(d.index != 2, "nobody")))
    with pytest.raises(ValueError, match="complaints: missing column 'date'"):
        calibrate(log, AS_OF, complaints=complaints.drop(columns="date"))


def test_twin_folder_runs_in_the_policy_explorer(twin, tmp_path):
    from kamsim.explorer.state import ExplorerState

    portfolio, scenario = twin
    folder = portfolio.to_dir(tmp_path / "twin", attachments={"scenario.yaml": scenario.to_yaml()})
    state = ExplorerState(portfolio_dir=folder, scenario=folder / "scenario.yaml")
    assert state.source == "folder" and state.errors == {}
    for name, value in {"months": 2, "replications": 2, "seed": 5, "policies": ["status_quo", "risk_targeted"]}.items():
        assert state.set(name, value) is None, state.errors
    assert state.start(), state.errors
    assert state.wait(300) and state.status == "done", state.message
    expected = kamsim.compare(state.scenario(), ["status_quo", "risk_targeted"], portfolio, replications=2, seed=5,
                              progress=False)
    pd.testing.assert_frame_equal(state.result.paired(), expected.paired())
    state.close()
