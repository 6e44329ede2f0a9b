"""kpi_scorecard on the hand-made events log and on a plain CSV log."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from _analytics_data import CSV_COLUMNS, accounts_table, events_log, write_plain_csv

from kamsim.analytics import kpi_scorecard, read_transactions
from kamsim.analytics.kpi import KPI_COLUMNS

EVENT_ONLY = ["churn", "retention", "satisfaction", "complaints", "complaint_resolution_days",
              "effort_hours", "effort_cost", "roi"]


def test_by_tier_hand_example():
    card = kpi_scorecard(events_log(), accounts_table(), by="tier", cost_per_hour=50.0)
    assert list(card.columns) == ["tier", *KPI_COLUMNS]
    key, other = card.set_index("tier").loc["key"], card.set_index("tier").loc["other"]
    # key = A1 + A2: 5 orders, revenue 450, margin 125, A2 lost, survey 8, 3 h + 50 CU offer.
    assert key[["accounts", "orders", "revenue", "margin"]].tolist() == [2, 5, 450.0, 125.0]
    assert key[["churn", "retention", "satisfaction", "complaints"]].tolist() == [0.5, 0.5, 8.0, 0.0]
    assert math.isnan(key["complaint_resolution_days"])
    assert key[["effort_hours", "effort_cost"]].tolist() == [3.0, 200.0]
    assert key["roi"] == pytest.approx((125 - 200) / 200)
    # Four calendar months: potential (1200 + 2400) * 4 / 12 = 1200.
    assert key["share_of_wallet"] == pytest.approx(450 / 1200)
    assert other[["accounts", "revenue", "margin", "churn", "satisfaction", "complaints",
                  "complaint_resolution_days"]].tolist() == [1, 400.0, 130.0, 0.0, 6.0, 1.0, 5.0]
    assert other["effort_cost"] == 0.0 and math.isnan(other["roi"])
    assert other["share_of_wallet"] == pytest.approx(400 / 1600)


def test_by_month_hand_example():
    card = kpi_scorecard(events_log(), accounts_table(), by="month", cost_per_hour=50.0).set_index("month")
    assert card.index.tolist() == list(pd.date_range("2024-01-01", periods=4, freq="MS"))
    assert card["accounts"].tolist() == [2, 3, 3, 1]
    assert card["revenue"].tolist() == [450.0, 100.0, 200.0, 100.0]
    assert card["churn"].tolist() == pytest.approx([0, 0, 1 / 3, 0])
    assert card["roi"].iloc[:3].tolist() == pytest.approx([0.3, -0.5, 0.2])
    assert math.isnan(card["roi"].iloc[3])
    # January: A1 and A3 active, potential (1200 + 4800) / 12 = 500 per month.
    assert card["share_of_wallet"].iloc[0] == pytest.approx(0.9)


def test_by_manager_and_overall():
    card = kpi_scorecard(events_log(), accounts_table(), by="manager_id").set_index("manager_id")
    assert card["revenue"].to_dict() == {"M1": 750.0, "M2": 100.0}
    overall = kpi_scorecard(events_log(), by=None)
    assert overall["group"].tolist() == ["all"]
    assert overall[["accounts", "orders", "revenue", "margin"]].iloc[0].tolist() == [3, 7, 850.0, 255.0]
    assert overall["churn"].iloc[0] == pytest.approx(1 / 3)
    assert math.isnan(overall["share_of_wallet"].iloc[0])  # no accounts table


def test_manager_from_events_when_no_accounts():
    card = kpi_scorecard(events_log(), by="manager_id").set_index("manager_id")
    # Only A1 (M1, visit) and A2 (M2, call) name a manager; A3 is unassigned.
    assert card["revenue"].to_dict() == {"M1": 350.0, "M2": 100.0, "unassigned": 400.0}


def test_tier_from_panel_and_panel_churn():
    panel = pd.DataFrame({"month": [0, 1, 0, 1, 0, 1], "account_id": ["A1", "A1", "A2", "A2", "A3", "A3"],
                          "tier": ["key", "key", "other", "key", "other", "other"],
                          "stage": ["mature", "mature", "mature", "lost", "new", "growing"]})
    ev = events_log()
    ev = ev[ev["event_type"] != "stage_change"]
    card = kpi_scorecard(ev, by="tier", panel=panel).set_index("tier")
    assert card["revenue"].to_dict() == {"key": 450.0, "other": 400.0}
    assert card["churn"].to_dict() == {"key": 0.5, "other": 0.0}


def test_plain_csv_log(tmp_path):
    log = read_transactions(write_plain_csv(tmp_path), **CSV_COLUMNS, margin_col="GrossMargin")
    card = kpi_scorecard(log, accounts_table(), by="tier").set_index("tier")
    assert card["revenue"].to_dict() == {"key": 450.0, "other": 400.0}
    assert card["margin"].to_dict() == {"key": 125.0, "other": 130.0}
    assert card["share_of_wallet"]["key"] == pytest.approx(450 / 1200)
    assert card[EVENT_ONLY].isna().all().all()
    raw = pd.read_csv(write_plain_csv(tmp_path))
    plain = kpi_scorecard(raw, by="month", **CSV_COLUMNS)
    assert plain["revenue"].tolist() == [450.0, 100.0, 200.0, 100.0]
    assert plain["margin"].isna().all()  # no margin column named 'margin'


def test_offer_cost_not_counted_twice():
    ev = events_log()
    offer = (ev["event_type"] == "retention_offer").to_numpy()
    ev.loc[offer, "hours"] = 0.625  # the engine books hours and their cost (0.625 h * 80 CU/h = 50 CU)
    card = kpi_scorecard(ev, by=None, cost_per_hour=80.0)
    # visit 2 h + call 1 h at 80 CU/h, plus the 50 CU offer.
    assert card["effort_hours"].iloc[0] == pytest.approx(3.625)
    assert card["effort_cost"].iloc[0] == pytest.approx(3 * 80 + 50)


def test_errors():
    with pytest.raises(ValueError, match="by must be"):
        kpi_scorecard(events_log(), by="region")
    with pytest.raises(ValueError, match="no 'tier' column"):
        kpi_scorecard(events_log(), by="tier")
    with pytest.raises(ValueError, match="cost_per_hour"):
        kpi_scorecard(events_log(), by=None, cost_per_hour=-1)
    assert np.isfinite(kpi_scorecard(events_log(), by=None, cost_per_hour=0)["revenue"]).all()
