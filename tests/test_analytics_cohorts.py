"""cohort_retention and cohort_revenue on the hand-made logs."""

from __future__ import annotations

import pandas as pd
import pytest
from _analytics_data import CSV_COLUMNS, events_log, write_plain_csv

from kamsim.analytics import cohort_retention, cohort_revenue, read_transactions


@pytest.fixture(params=["events", "csv"])
def log_and_cols(request, tmp_path):
    if request.param == "events":
        return events_log(), {}
    return read_transactions(write_plain_csv(tmp_path), **CSV_COLUMNS), {}


def test_cohort_retention_monthly(log_and_cols):
    log, cols = log_and_cols
    t = cohort_retention(log, "M", **cols)
    assert list(t.columns) == ["cohort", "age", "cohort_size", "active", "retention"]
    # January cohort = A1, A3 (4 observable months); February cohort = A2 (3 months); no March/April cohort.
    assert t["cohort"].tolist() == [pd.Timestamp("2024-01-01")] * 4 + [pd.Timestamp("2024-02-01")] * 3
    assert t["age"].tolist() == [0, 1, 2, 3, 0, 1, 2]
    assert t["cohort_size"].tolist() == [2, 2, 2, 2, 1, 1, 1]
    assert t["active"].tolist() == [2, 0, 1, 1, 1, 0, 0]
    assert t["retention"].tolist() == [1.0, 0.0, 0.5, 0.5, 1.0, 0.0, 0.0]


def test_cohort_revenue_monthly(log_and_cols):
    log, cols = log_and_cols
    t = cohort_revenue(log, "M", **cols)
    assert list(t.columns) == [
        "cohort", "age", "cohort_size", "revenue", "revenue_per_account", "cumulative_revenue_per_account"]
    assert t["revenue"].tolist() == [450.0, 0.0, 200.0, 100.0, 100.0, 0.0, 0.0]
    assert t["revenue_per_account"].tolist() == [225.0, 0.0, 100.0, 50.0, 100.0, 0.0, 0.0]
    assert t["cumulative_revenue_per_account"].tolist() == [225.0, 225.0, 325.0, 375.0, 100.0, 100.0, 100.0]


def test_cohort_quarterly_and_weekly(log_and_cols):
    log, cols = log_and_cols
    q = cohort_retention(log, "Q", **cols)
    # Q1 cohort = all three accounts; Q2: only A3 buys.
    assert q["cohort_size"].tolist() == [3, 3] and q["active"].tolist() == [3, 1]
    w = cohort_retention(log, "W", **cols)
    assert w.groupby("cohort")["age"].min().eq(0).all()
    assert (w.loc[w["age"] == 0, "retention"] == 1.0).all()


def test_cohort_bad_period():
    with pytest.raises(ValueError, match="period"):
        cohort_retention(events_log(), "D")


def test_empty_log():
    empty = pd.DataFrame({"account_id": [], "date": pd.to_datetime([]), "amount": []})
    assert cohort_retention(empty).empty and cohort_revenue(empty).empty
