"""kamsim.analytics.relationships and .retention: contact frequency, depth, later churn, retention by bins.

Every expected number below is computed by hand from the tiny logs built here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamsim.analytics import relationships as rel
from kamsim.analytics import retention
from kamsim.analytics.relationships import contact_frequency, month_window, relationship_depth
from kamsim.analytics.retention import later_churn, retention_by, retention_by_contact, stage_at, wilson_interval

Z = 1.959963984540054  # 97.5% normal quantile
MONTH = 365.25 / 12


def _events(rows: list[dict]) -> pd.DataFrame:
    cols = ["event_id", "account_id", "date", "month", "event_type", "hours", "score", "stage_from", "stage_to"]
    frame = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)
    frame["event_id"] = np.arange(1, len(frame) + 1)
    frame["date"] = pd.to_datetime(frame["date"])
    frame["hours"] = frame["hours"].astype("float64")
    frame["score"] = frame["score"].astype("float64")
    for c in ("account_id", "event_type", "stage_from", "stage_to"):
        frame[c] = frame[c].astype("string")
    return frame


@pytest.fixture
def log() -> pd.DataFrame:
    """Three months (0-2) of activity for A1, A2; A3 only orders."""
    return _events(
        [
            dict(account_id="A1", date="2023-01-10", month=0, event_type="visit", hours=2.0),
            dict(account_id="A1", date="2023-01-20", month=0, event_type="call", hours=0.5),
            dict(account_id="A3", date="2023-01-25", month=0, event_type="order"),
            dict(account_id="A1", date="2023-02-05", month=1, event_type="qbr", hours=3.0),
            dict(account_id="A2", date="2023-02-07", month=1, event_type="call", hours=1.0),
            dict(account_id="A1", date="2023-03-02", month=2, event_type="survey", score=8.0),
            dict(account_id="A2", date="2023-03-10", month=2, event_type="survey", score=6.0),
            dict(account_id="A2", date="2023-03-31", month=2, event_type="survey", score=7.0),
        ]
    )


@pytest.fixture
def accounts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": pd.array(["A1", "A2", "A3"], dtype="string"),
            "acquisition_date": pd.to_datetime(["2020-03-31", "2022-03-31", None]),
            "stage": pd.array(["mature", "mature", "prospect"], dtype="string"),
        }
    )


@pytest.fixture
def contacts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": ["A1", "A1", "A1", "A2", "A3", "A3", "A3", "A3", "A3"],
            "role": ["decision_maker", "buyer", "buyer", "decision_maker",
                     "decision_maker", "influencer", "buyer", "user", "gatekeeper"],
        }
    )  # fmt: skip


# ----------------------------------------------------------------------------- windows and frequency


def test_month_window(log):
    assert month_window(log) == (0, 2)
    assert month_window(log, 2) == (1, 2)
    assert month_window(log, (0, 0)) == (0, 0)
    with pytest.raises(ValueError, match="months"):
        month_window(log, 0)
    with pytest.raises(ValueError, match="after last month"):
        month_window(log, (2, 1))
    with pytest.raises(ValueError, match="empty"):
        month_window(log.iloc[:0])


def test_contact_frequency_whole_log(log):
    f = contact_frequency(log, accounts=["A1", "A2", "A3"])
    assert list(f.index) == ["A1", "A2", "A3"]
    assert f.loc["A1", ["visits", "calls", "qbrs", "interactions"]].tolist() == [1, 1, 1, 3]
    assert f.loc["A1", "hours"] == pytest.approx(5.5)
    assert f.loc["A1", "contacts_per_month"] == pytest.approx(1.0)
    assert f.loc["A1", "hours_per_month"] == pytest.approx(5.5 / 3)
    assert f.loc["A2", "contacts_per_month"] == pytest.approx(1 / 3)
    assert f.loc["A3"].drop("months").sum() == 0
    assert (f["months"] == 3).all()


def test_contact_frequency_windows_and_default_accounts(log):
    last2 = contact_frequency(log, 2)
    assert list(last2.index) == ["A1", "A2"]  # only accounts with an interaction
    assert last2.loc["A1", "contacts_per_month"] == pytest.approx(0.5)  # the QBR of month 1, over 2 months
    first = contact_frequency(log, (0, 0))
    assert first.loc["A1", "interactions"] == 2 and first.loc["A1", "hours_per_month"] == pytest.approx(2.5)
    with pytest.raises(ValueError, match="missing column"):
        contact_frequency(log.drop(columns="hours"))


# ----------------------------------------------------------------------------- relationship depth


def test_relationship_depth_components_by_hand(log, accounts, contacts):
    d = relationship_depth(log, accounts, contacts, months=None)
    assert list(d.index) == ["A1", "A2", "A3"]
    assert d["roles_reached"].tolist() == [2, 1, 5]
    # tenure at the last event date of the window, 2023-03-31
    assert d.loc["A1", "tenure_months"] == pytest.approx(1095 / MONTH)
    assert d.loc["A2", "tenure_months"] == pytest.approx(365 / MONTH)
    assert d.loc["A3", "tenure_months"] == 0.0
    assert d["qbrs"].tolist() == [1, 0, 0]
    assert d.loc["A1", "satisfaction"] == 8.0 and d.loc["A2", "satisfaction"] == 6.5
    assert np.isnan(d.loc["A3", "satisfaction"])
    # scores
    assert d["score_frequency"].tolist() == pytest.approx([1 / 4, (1 / 3) / 4, 0.0])
    assert d["score_breadth"].tolist() == pytest.approx([0.4, 0.2, 1.0])
    assert d["score_qbr"].tolist() == pytest.approx([1.0, 0.0, 0.0])  # 3 months: one QBR expected
    assert d["score_satisfaction"].tolist() == pytest.approx([0.8, 0.65, 0.725])  # A3: mean of 8 and 6.5
    a1 = 100 * (0.25 + 0.4 + (1095 / MONTH) / 36 + 1.0 + 0.8) / 5
    a3 = 100 * (0.0 + 1.0 + 0.0 + 0.0 + 0.725) / 5
    assert d.loc["A1", "depth_index"] == pytest.approx(a1)
    assert d.loc["A3", "depth_index"] == pytest.approx(a3)


def test_relationship_depth_caps_and_weights(log, accounts, contacts):
    old = accounts.assign(acquisition_date=pd.to_datetime(["2001-01-01", "2024-06-01", None]))
    d = relationship_depth(log, old, contacts, months=None)
    assert d.loc["A1", "score_tenure"] == 1.0  # capped at 36 months
    assert d.loc["A2", "tenure_months"] == 0.0  # acquired after the window: no tenure
    only_sat = relationship_depth(log, accounts, contacts, {"satisfaction": 2.0}, months=None)
    assert only_sat["depth_index"].tolist() == pytest.approx([80.0, 65.0, 72.5])
    with pytest.raises(ValueError, match="unknown component"):
        relationship_depth(log, accounts, contacts, {"trust": 1.0})
    with pytest.raises(ValueError, match="at least one"):
        relationship_depth(log, accounts, contacts, {"qbr": 0.0})
    with pytest.raises(ValueError, match="weights\\['qbr'\\]"):
        relationship_depth(log, accounts, contacts, {"qbr": -1.0})
    with pytest.raises(ValueError, match="duplicate id"):
        relationship_depth(log, pd.concat([accounts, accounts.iloc[:1]]), contacts)


def test_relationship_depth_window_excludes_older_events(log, accounts, contacts):
    d = relationship_depth(log, accounts, contacts, months=1)  # month 2 only: surveys, no contacts
    assert d["contacts_per_month"].tolist() == [0.0, 0.0, 0.0]
    assert d["score_qbr"].tolist() == [0.0, 0.0, 0.0]
    assert d.loc["A2", "satisfaction"] == 6.5


# ----------------------------------------------------------------------------- stages and later churn


def _churn_log() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Months 0-3; observation window 0-1, outcome window 2-3 (observe=2, outcome=2)."""
    events = _events(
        [
            dict(account_id="B2", date="2023-02-28", month=1, event_type="stage_change", stage_from="at_risk", stage_to="lost"),
            dict(account_id="B3", date="2023-03-31", month=2, event_type="stage_change", stage_from="prospect", stage_to="new"),
            dict(account_id="B1", date="2023-03-31", month=2, event_type="stage_change", stage_from="mature", stage_to="at_risk"),
            dict(account_id="B1", date="2023-04-30", month=3, event_type="stage_change", stage_from="at_risk", stage_to="lost"),
            dict(account_id="B1", date="2023-01-05", month=0, event_type="call", hours=1.0),
            dict(account_id="B1", date="2023-02-05", month=1, event_type="call", hours=1.0),
            dict(account_id="B4", date="2023-01-05", month=0, event_type="visit", hours=2.0),
            dict(account_id="B5", date="2023-04-05", month=3, event_type="visit", hours=2.0),
        ]
    )
    accounts = pd.DataFrame(
        {"account_id": ["B1", "B2", "B3", "B4", "B5"], "stage": ["lost", "lost", "new", "mature", "growing"]}
    )
    return events, accounts


def test_stage_at_reconstructs_history():
    events, accounts = _churn_log()
    final = accounts.set_index("account_id")["stage"]
    assert stage_at(events, final, 0).tolist() == ["mature", "at_risk", "prospect", "mature", "growing"]
    assert stage_at(events, final, 3).tolist() == ["at_risk", "lost", "new", "mature", "growing"]
    assert stage_at(events, final, 4).tolist() == final.tolist()


def test_later_churn_population_and_outcome():
    events, accounts = _churn_log()
    table = later_churn(events, accounts, observe=2, outcome=2)
    # B2 lost during observation, B3 a prospect at its start: both excluded
    assert list(table.index) == ["B1", "B4", "B5"]
    assert table["churned"].tolist() == [True, False, False]
    assert table.attrs["observe"] == (0, 1) and table.attrs["outcome"] == (2, 3)
    with pytest.raises(ValueError, match="observe"):
        later_churn(events, accounts, observe=0)


def test_retention_by_contact_joins_frequency_and_churn():
    events, accounts = _churn_log()
    table = retention_by_contact(events, accounts, 2, observe=2, outcome=2)
    # observation-window contacts per month: B5 0.0, B4 0.5, B1 1.0 (ascending); group = i * 2 // 3 + 1
    # -> Q1 = {B5, B4}, Q2 = {B1}
    assert table["group"].tolist() == ["Q1", "Q2"]
    assert table["accounts"].tolist() == [2, 1]
    assert table["churned"].tolist() == [0, 1]
    assert table["mean_value"].tolist() == pytest.approx([0.25, 1.0])
    assert table["retention_rate"].tolist() == pytest.approx([1.0, 0.0])
    with pytest.raises(ValueError, match="measure"):
        retention_by_contact(events, accounts, 2, observe=2, outcome=2, measure="visits_per_week")


# ----------------------------------------------------------------------------- retention by bins


def test_retention_by_equal_count_groups_and_wilson():
    values = pd.Series([3.0, 1.0, 2.0, 2.0], index=["a", "b", "c", "d"])
    churned = pd.Series([True, False, False, True], index=values.index)
    t = retention_by(values, churned, 2)
    # ascending b(1), c(2), d(2; tie after c), a(3): Q1 = {b, c}, Q2 = {d, a}
    assert t["group"].tolist() == ["Q1", "Q2"]
    assert t["low"].tolist() == [1.0, 2.0] and t["high"].tolist() == [2.0, 3.0]
    assert t["churned"].tolist() == [0, 2]
    assert t["churn_rate"].tolist() == [0.0, 1.0]
    assert t["retention_rate"].tolist() == [1.0, 0.0]
    # Wilson interval of 2/2: [n / (n + z^2), 1]; of 0/2: [0, z^2 / (n + z^2)]
    assert t.loc[0, "ci_low"] == pytest.approx(2 / (2 + Z**2))
    assert t.loc[0, "ci_high"] == pytest.approx(1.0)
    assert t.loc[1, "ci_low"] == pytest.approx(0.0, abs=1e-12)
    assert t.loc[1, "ci_high"] == pytest.approx(Z**2 / (2 + Z**2))


def test_retention_by_edges_and_errors():
    values = pd.Series([3.0, 1.0, 2.0, 2.0], index=["a", "b", "c", "d"])
    churned = pd.Series([True, False, False, True], index=values.index)
    t = retention_by(values, churned, [0, 2, 3])
    assert t["group"].tolist() == ["[0, 2)", "[2, 3]"]
    assert t["accounts"].tolist() == [1, 3]
    assert t["churn_rate"].tolist() == pytest.approx([0.0, 2 / 3])
    with pytest.raises(ValueError, match="outside the edges"):
        retention_by(values, churned, [0, 2.5])
    with pytest.raises(ValueError, match="strictly increasing"):
        retention_by(values, churned, [0, 0, 3])
    with pytest.raises(ValueError, match="same index"):
        retention_by(values, churned.iloc[:3], 2)
    with pytest.raises(ValueError, match="row 'b'"):
        retention_by(values.where(values != 1.0), churned, 2)


def test_retention_by_more_groups_than_accounts_leaves_empty_groups():
    values = pd.Series([1.0, 2.0], index=["a", "b"])
    t = retention_by(values, pd.Series([False, True], index=values.index), 4)
    assert t["accounts"].tolist() == [1, 0, 1, 0]  # positions 0 and 1 -> groups 1 and 3
    assert np.isnan(t.loc[1, "churn_rate"]) and np.isnan(t.loc[1, "ci_low"])


def test_wilson_interval_matches_formula_and_contains_p():
    lo, hi = wilson_interval(np.array([30]), np.array([100]), 0.95)
    p, n = 0.3, 100
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * np.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    assert lo[0] == pytest.approx(centre - half) and hi[0] == pytest.approx(centre + half)
    assert lo[0] < p < hi[0]
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(np.array([1]), np.array([2]), 1.0)


def test_exported_from_kamsim_analytics():
    import kamsim.analytics as analytics

    for name in ("contact_frequency", "relationship_depth"):
        assert getattr(analytics, name) is getattr(rel, name)
    for name in ("retention_by", "retention_by_contact", "later_churn"):
        assert getattr(analytics, name) is getattr(retention, name)


def test_shipped_history_small_runs_and_is_bounded():
    from kamsim import datasets

    p = datasets.load("small")
    d = relationship_depth(p.events, p.accounts, p.contacts)
    assert len(d) == len(p.accounts)
    assert d["depth_index"].between(0, 100).all()
    scores = d[[f"score_{c}" for c in rel.DEPTH_COMPONENTS]]
    assert ((scores >= 0) & (scores <= 1)).all().all()
    table = retention_by_contact(p.events, p.accounts, 4)
    assert table["accounts"].sum() == len(later_churn(p.events, p.accounts))
