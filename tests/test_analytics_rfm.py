"""rfm_table and rfm_scores on hand-computed examples, for both log kinds."""

from __future__ import annotations

import pandas as pd
import pytest
from _analytics_data import CSV_COLUMNS, events_log, write_plain_csv

from kamsim.analytics import rfm_scores, rfm_table
from kamsim.analytics.rfm import RFM_COLUMNS


@pytest.fixture(params=["events", "csv"])
def log_and_cols(request, tmp_path):
    if request.param == "events":
        return events_log(), {}
    return pd.read_csv(write_plain_csv(tmp_path)), CSV_COLUMNS


def test_rfm_daily_hand_example(log_and_cols):
    log, cols = log_and_cols
    t = rfm_table(log, **cols)
    assert tuple(t.columns) == RFM_COLUMNS
    assert list(t.index) == ["A1", "A2", "A3"]
    # A1: Jan 5, Jan 20, Mar 10 (2024 is a leap year); cutoff = last date Apr 30.
    assert t.loc["A1"].to_dict() | {} == {
        "frequency": 2, "recency": 65.0, "T": 116.0, "monetary_value": 125.0, "days_since_last": 51,
        "orders": 3, "revenue": 350.0,
        "first_purchase": pd.Timestamp("2024-01-05"), "last_purchase": pd.Timestamp("2024-03-10"),
    }
    # A2: two orders the same day = one purchase period, no repeat.
    assert t.loc["A2", ["frequency", "recency", "T", "monetary_value", "days_since_last", "orders"]].tolist() == [
        0, 0.0, 89.0, 0.0, 89, 2]
    assert t.loc["A3", ["frequency", "recency", "T", "monetary_value", "days_since_last"]].tolist() == [
        1, 106.0, 106.0, 100.0, 0]


def test_rfm_monthly_and_weekly(log_and_cols):
    log, cols = log_and_cols
    m = rfm_table(log, freq="M", **cols)
    assert m.loc["A1", ["frequency", "recency", "T", "monetary_value"]].tolist() == [1, 2.0, 3.0, 200.0]
    assert m.loc["A3", ["frequency", "recency", "T", "monetary_value"]].tolist() == [1, 3.0, 3.0, 100.0]
    w = rfm_table(log, freq="W", **cols)
    # ISO weeks from Mon 2024-01-01: Jan 5 -> 0, Jan 20 -> 2, Mar 10 -> 9, Apr 30 -> 17.
    assert w.loc["A1", ["frequency", "recency", "T"]].tolist() == [2, 9.0, 17.0]


def test_rfm_cutoff(log_and_cols):
    log, cols = log_and_cols
    t = rfm_table(log, cutoff="2024-02-15", **cols)
    assert t.loc["A1", ["frequency", "recency", "T", "monetary_value", "orders"]].tolist() == [1, 15.0, 41.0, 50.0, 2]
    assert t.loc["A2", ["frequency", "T", "days_since_last"]].tolist() == [0, 14.0, 14]
    assert t.loc["A3", ["frequency", "T", "revenue"]].tolist() == [0, 31.0, 300.0]
    assert rfm_table(log, cutoff="2024-01-10", **cols).index.tolist() == ["A1"]
    assert rfm_table(log, cutoff="2023-01-01", **cols).empty


def test_rfm_bad_arguments():
    with pytest.raises(ValueError, match="freq"):
        rfm_table(events_log(), freq="Q")
    with pytest.raises(ValueError, match="cutoff"):
        rfm_table(events_log(), cutoff="not a date")


def test_rfm_scores_hand_example(log_and_cols):
    log, cols = log_and_cols
    s = rfm_scores(rfm_table(log, **cols))
    assert list(s.columns) == ["R", "F", "M", "rfm_code", "segment"]
    # R on -days_since_last (A2 89, A1 51, A3 0) -> ranks 2,1,3 of 3 -> ceil(5*rank/3).
    assert s["R"].tolist() == [4, 2, 5]
    # F on orders 3, 2, 2 -> ranks 3, 1.5, 1.5.
    assert s["F"].tolist() == [5, 3, 3]
    assert s["M"].tolist() == [4, 2, 5]
    assert s["rfm_code"].tolist() == ["454", "232", "535"]
    assert s["segment"].tolist() == ["champions", "at_risk", "loyal"]


def test_rfm_segments_cover_grid():
    table = pd.DataFrame(
        {"days_since_last": [0, 10, 20, 30, 40], "orders": [50, 40, 1, 2, 3], "revenue": [1.0, 2, 3, 4, 5]}
    )
    s = rfm_scores(table)
    # R: 5,4,3,2,1; F: 5,4,1,2,3
    assert s["segment"].tolist() == ["champions", "champions", "needs_attention", "hibernating", "at_risk"]
    t2 = pd.DataFrame({"days_since_last": [0, 1, 9], "orders": [1, 5, 9], "revenue": [1.0, 1, 1]})
    assert rfm_scores(t2)["segment"].tolist()[0] == "new"


def test_rfm_scores_validation():
    with pytest.raises(ValueError, match="missing column"):
        rfm_scores(pd.DataFrame({"orders": [1]}))
    with pytest.raises(ValueError, match="q must"):
        rfm_scores(rfm_table(events_log()), q=1)
