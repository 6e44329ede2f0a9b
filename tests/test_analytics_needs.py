"""kamsim.analytics.needs and .forecast: product mix, mix gaps, needs signals, revenue trend, forecasts (hand-computed)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kamsim.analytics import forecast, needs
from kamsim.analytics.forecast import forecast_accuracy, forecast_revenue, holdout_forecast, revenue_trend
from kamsim.analytics.needs import mix_gaps, needs_signals, product_mix

PRODUCTS = pd.DataFrame({"product_id": ["P1", "P2", "P3"], "category": ["a", "b", "c"]})
ACCOUNTS = pd.DataFrame({"account_id": ["A1", "A2", "A3", "A4"], "industry": ["X", "X", "Y", "X"],
                         "size_band": ["small", "large", "small", "small"]})  # fmt: skip


def _log() -> pd.DataFrame:
    """A1: a 100 (Jan), b 50 (Feb); A2: a 30 (Jan), a 20 (Mar); A3: b 10 (Mar).  A4 never orders."""
    return pd.DataFrame(
        {
            "account_id": ["A1", "A1", "A2", "A2", "A3"],
            "date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-01-20", "2024-03-01", "2024-03-15"]),
            "amount": [100.0, 50.0, 30.0, 20.0, 10.0],
            "margin": [40.0, 10.0, 3.0, 2.0, 5.0],
            "product_id": ["P1", "P2", "P1", "P1", "P2"],
        }
    )


# ----------------------------------------------------------------------------- product_mix


def test_product_mix_revenue_share_orders_and_margin():
    mix = product_mix(_log(), PRODUCTS)
    assert list(mix.index) == ["A1", "A2", "A3"] and list(mix.columns) == ["a", "b", "c"]
    assert mix.loc["A1"].tolist() == [100.0, 50.0, 0.0]
    assert mix.loc["A2"].tolist() == [50.0, 0.0, 0.0]
    assert mix["c"].sum() == 0.0  # a category nobody bought is still a column
    shares = product_mix(_log(), PRODUCTS, share=True)
    assert shares.loc["A1"].tolist() == pytest.approx([2 / 3, 1 / 3, 0.0])
    assert np.allclose(shares.sum(axis=1), 1.0)
    orders = product_mix(_log(), PRODUCTS, value="orders")
    assert orders.loc["A2", "a"] == 2.0 and orders.loc["A1"].sum() == 2.0
    assert product_mix(_log(), PRODUCTS, value="margin").loc["A1", "a"] == 40.0
    by_product = product_mix(_log(), PRODUCTS, by="product_id")
    assert list(by_product.columns) == ["P1", "P2", "P3"]


def test_product_mix_on_an_events_log_uses_order_rows_only():
    log = _log().assign(event_type="order")
    visit = pd.DataFrame({"account_id": ["A4"], "date": pd.to_datetime(["2024-01-02"]), "amount": [np.nan],
                          "margin": [np.nan], "product_id": [pd.NA], "event_type": ["visit"]})  # fmt: skip
    mix = product_mix(pd.concat([log, visit], ignore_index=True), PRODUCTS)
    assert list(mix.index) == ["A1", "A2", "A3"]


def test_product_mix_errors_name_the_problem():
    with pytest.raises(ValueError, match="'P9'"):
        product_mix(_log().assign(product_id=["P1", "P2", "P1", "P9", "P2"]), PRODUCTS)
    with pytest.raises(ValueError, match="category"):
        product_mix(_log(), PRODUCTS.drop(columns="category"))
    with pytest.raises(ValueError, match="value"):
        product_mix(_log(), PRODUCTS, value="profit")


# ----------------------------------------------------------------------------- mix_gaps


def test_mix_gaps_hand_computed():
    gaps = mix_gaps(_log(), ACCOUNTS, PRODUCTS, by="industry", min_penetration=0.5)
    assert len(gaps) == 3 * 3  # three buying accounts (A4 never ordered) x three categories
    row = gaps.set_index(["account_id", "category"])
    # group X has two buyers (A1, A2): a bought by both, b by A1 only, c by nobody
    assert row.loc[("A2", "a"), "penetration"] == 1.0
    assert row.loc[("A2", "b"), "penetration"] == 0.5 and row.loc[("A2", "b"), "peers"] == 2
    assert bool(row.loc[("A2", "b"), "gap"]) is True
    assert row.loc[("A2", "b"), "peer_revenue"] == 50.0
    assert row.loc[("A1", "a"), "peer_revenue"] == 75.0  # median of 100 and 50
    assert math.isnan(row.loc[("A1", "c"), "peer_revenue"])
    assert not row.loc[("A1", "c"), "gap"]  # nobody in X buys c: not a gap
    assert not row.loc[("A3", "a"), "gap"]  # A3 is alone in Y
    assert gaps["gap"].sum() == 1
    assert list(gaps.columns) == ["account_id", "industry", "category", "orders", "revenue", "bought", "peers",
                                  "penetration", "peer_revenue", "gap"]  # fmt: skip


def test_mix_gaps_threshold_and_several_keys():
    strict = mix_gaps(_log(), ACCOUNTS, PRODUCTS, by="industry", min_penetration=0.6)
    assert strict["gap"].sum() == 0
    both = mix_gaps(_log(), ACCOUNTS, PRODUCTS, by=["industry", "size_band"])
    assert (both["peers"] == 1).all() and both["gap"].sum() == 0  # every group has one buyer


def test_mix_gaps_errors():
    with pytest.raises(ValueError, match="'region'"):
        mix_gaps(_log(), ACCOUNTS, PRODUCTS, by="region")
    with pytest.raises(ValueError, match="'A3'"):
        mix_gaps(_log(), ACCOUNTS[ACCOUNTS["account_id"] != "A3"], PRODUCTS)
    with pytest.raises(ValueError, match="min_penetration"):
        mix_gaps(_log(), ACCOUNTS, PRODUCTS, min_penetration=1.5)


# ----------------------------------------------------------------------------- needs_signals


def _events() -> pd.DataFrame:
    rows = [
        ("A1", "2024-01-10", "order", 100.0, np.nan, np.nan),
        ("A1", "2024-02-03", "visit", np.nan, 2.0, np.nan),
        ("A1", "2024-03-08", "order", 50.0, np.nan, np.nan),
        ("A1", "2024-03-09", "call", np.nan, 0.5, np.nan),
        ("A1", "2024-03-12", "complaint_opened", np.nan, np.nan, np.nan),
        ("A1", "2024-02-15", "survey", np.nan, np.nan, 8.0),
        ("A1", "2024-03-15", "survey", np.nan, np.nan, 6.0),
        ("A2", "2023-12-20", "order", 70.0, np.nan, np.nan),  # before the window
        ("A2", "2024-01-05", "qbr", np.nan, 3.0, np.nan),
    ]
    frame = pd.DataFrame(rows, columns=["account_id", "date", "event_type", "amount", "hours", "score"])
    return frame.assign(date=pd.to_datetime(frame["date"]))


def test_needs_signals_hand_computed():
    sig = needs_signals(_events(), ACCOUNTS, cutoff="2024-03-31", window_months=3)
    assert list(sig.index) == ["A1", "A2", "A3", "A4"]
    a1 = sig.loc["A1"]
    assert a1["orders"] == 2 and a1["revenue"] == 150.0
    assert a1["contact_hours"] == 2.5 and a1["visits"] == 1 and a1["calls"] == 1 and a1["qbrs"] == 0
    assert a1["complaints"] == 1 and a1["survey_score"] == 7.0
    # monthly revenue 100, 0, 50 over t = -1, 0, 1: slope = (-100 + 50) / 2
    assert a1["revenue_slope"] == pytest.approx(-25.0)
    assert sig.loc["A2", "revenue"] == 0.0 and sig.loc["A2", "qbrs"] == 1
    assert math.isnan(sig.loc["A3", "survey_score"]) and sig.loc["A4", "orders"] == 0
    wider = needs_signals(_events(), cutoff="2024-03-31", window_months=4)
    assert list(wider.index) == ["A1", "A2"] and wider.loc["A2", "revenue"] == 70.0


def test_needs_signals_errors():
    with pytest.raises(ValueError, match="hours"):
        needs_signals(_events().drop(columns="hours"))
    with pytest.raises(ValueError, match="window_months"):
        needs_signals(_events(), window_months=1)


# ----------------------------------------------------------------------------- revenue_trend


def test_revenue_trend_total_segment_and_account():
    total = revenue_trend(_log())
    assert list(total.index) == list(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]))
    assert total.tolist() == [130.0, 50.0, 30.0] and total.name == "amount"
    by_ind = revenue_trend(_log(), by="industry", accounts=ACCOUNTS)
    assert list(by_ind.columns) == ["X", "Y"]
    assert by_ind["X"].tolist() == [130.0, 50.0, 20.0] and by_ind["Y"].tolist() == [0.0, 0.0, 10.0]
    by_acc = revenue_trend(_log(), by="account_id")
    assert by_acc["A2"].tolist() == [30.0, 0.0, 20.0]
    padded = revenue_trend(_log(), end="2024-05-31")
    assert padded.tolist() == [130.0, 50.0, 30.0, 0.0, 0.0]
    quarterly = revenue_trend(_log(), freq="Q")
    assert quarterly.tolist() == [210.0]
    assert revenue_trend(_log(), value="orders").tolist() == [2.0, 1.0, 2.0]


def test_revenue_trend_errors():
    with pytest.raises(ValueError, match="industry"):
        revenue_trend(_log(), by="industry")
    with pytest.raises(ValueError, match="'A3'"):
        revenue_trend(_log(), by="industry", accounts=ACCOUNTS[ACCOUNTS["account_id"] != "A3"])


# ----------------------------------------------------------------------------- forecasts


def test_forecast_methods_hand_computed():
    y = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert forecast_revenue(y, 2, "naive").tolist() == [6.0, 6.0]
    assert forecast_revenue(y, 2, "moving_average").tolist() == [5.0, 5.0]
    assert forecast_revenue(y, 2, "moving_average", window=2).tolist() == [5.5, 5.5]
    assert forecast_revenue(y, 2, "linear").tolist() == pytest.approx([7.0, 8.0])
    assert forecast_revenue(y, 4, "seasonal_naive", season=3).tolist() == [4.0, 5.0, 6.0, 4.0]
    # least squares through 2, 4, 3, 5: slope 0.8, intercept 2.3 -> 2.3 + 0.8 * 4 = 5.5
    assert forecast_revenue([2.0, 4.0, 3.0, 5.0], 1, "linear").tolist() == pytest.approx([5.5])
    assert forecast_revenue([9.0, 2.0, 4.0, 3.0, 5.0], 1, "linear", window=4).tolist() == pytest.approx([5.5])
    assert list(forecast_revenue(y, 2, "naive").index) == [6, 7]


def test_forecast_index_continues_monthly_dates():
    idx = pd.date_range("2024-01-01", periods=6, freq="MS")
    s = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], index=idx)
    fc = forecast_revenue(s, 3, "naive")
    assert list(fc.index) == list(pd.to_datetime(["2024-07-01", "2024-08-01", "2024-09-01"]))
    assert fc.name == "forecast"


def test_forecast_errors():
    with pytest.raises(ValueError, match="method"):
        forecast_revenue([1.0, 2.0], 1, "arima")
    with pytest.raises(ValueError, match="at least 12"):
        forecast_revenue([1.0] * 6, 1, "seasonal_naive")
    with pytest.raises(ValueError, match="horizon"):
        forecast_revenue([1.0, 2.0], 0)
    with pytest.raises(ValueError, match="position 1"):
        forecast_revenue([1.0, np.nan, 2.0], 1, "naive")


def test_holdout_forecast_and_accuracy_hand_computed():
    y = pd.Series([10.0, 12.0, 11.0, 13.0, 20.0, 14.0])
    bt = holdout_forecast(y, 2, "moving_average", window=2)  # train 10, 12, 11, 13 -> forecast 12
    assert bt["forecast"].tolist() == [12.0, 12.0]
    assert bt["actual"].tolist() == [20.0, 14.0]
    assert bt["error"].tolist() == [-8.0, -2.0] and bt["abs_error"].mean() == 5.0
    acc = forecast_accuracy(y, 2, ["moving_average", "naive"], window=2)
    assert list(acc.index) == ["moving_average", "naive"]
    ma = acc.loc["moving_average"]
    assert ma["mae"] == 5.0 and ma["bias"] == -5.0
    assert ma["rmse"] == pytest.approx(math.sqrt(34.0))
    assert ma["mape_pct"] == pytest.approx((8 / 20 + 2 / 14) / 2 * 100)
    assert acc.loc["naive", "mae"] == pytest.approx((7.0 + 1.0) / 2)  # naive forecasts 13
    with pytest.raises(ValueError, match="holdout"):
        holdout_forecast(y, 6)


def test_exported_from_analytics():
    import kamsim.analytics as analytics

    for name in ("product_mix", "mix_gaps", "needs_signals"):
        assert getattr(analytics, name) is getattr(needs, name)
    for name in ("revenue_trend", "forecast_revenue", "holdout_forecast", "forecast_accuracy"):
        assert getattr(analytics, name) is getattr(forecast, name)
