"""Property tests (hypothesis): invariants of concentration, RFM, cohorts and Kaplan-Meier."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kamsim.analytics import (
    abc_classes,
    abc_summary,
    cohort_retention,
    gini,
    kaplan_meier,
    rfm_scores,
    rfm_table,
    top_share,
)

values = st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=60)


@given(values)
def test_gini_in_unit_interval(v):
    g = gini(v)
    assert 0.0 <= g <= 1.0 + 1e-12


@given(values, st.floats(min_value=0.01, max_value=1.0))
def test_top_share_in_unit_interval(v, top):
    s = top_share(v, top)
    assert 0.0 <= s <= 1.0 + 1e-12


@given(values, st.floats(min_value=0.05, max_value=0.9), st.floats(min_value=0.01, max_value=0.1))
def test_abc_covers_everyone_and_is_monotone(v, a, gap):
    s = pd.Series(v)
    cls = abc_classes(s, thresholds=(a, min(a + gap, 1.0)))
    assert cls.notna().all() and set(cls) <= {"A", "B", "C"} and len(cls) == len(s)
    rank = cls.map({"A": 0, "B": 1, "C": 2})
    # A larger value never gets a worse class than a smaller one.
    order = np.argsort(-s.to_numpy(), kind="stable")
    assert np.all(np.diff(rank.to_numpy()[order]) >= 0) or _ties_only(s, rank)
    summary = abc_summary(s, thresholds=(a, min(a + gap, 1.0)))
    assert summary["accounts"].sum() == len(s)
    assert np.isclose(summary["value"].sum(), s.sum())


def _ties_only(s: pd.Series, rank: pd.Series) -> bool:
    """Inversions are allowed only between equal values."""
    for i in range(len(s)):
        for j in range(len(s)):
            if s.iloc[i] > s.iloc[j] and rank.iloc[i] > rank.iloc[j]:
                return False
    return True


@st.composite
def transaction_logs(draw):
    n = draw(st.integers(min_value=1, max_value=40))
    ids = draw(st.lists(st.sampled_from(["A1", "A2", "A3", "A4", "A5"]), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(min_value=0, max_value=400), min_size=n, max_size=n))
    amounts = draw(st.lists(st.floats(min_value=0, max_value=1e5, allow_nan=False), min_size=n, max_size=n))
    return pd.DataFrame(
        {"account_id": ids, "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(days, unit="D"), "amount": amounts}
    )


@settings(max_examples=60, deadline=None)
@given(transaction_logs(), st.sampled_from(["D", "W", "M"]))
def test_rfm_invariants(log, freq):
    t = rfm_table(log, freq=freq)
    assert (t["frequency"] >= 0).all()
    assert ((t["recency"] >= 0) & (t["recency"] <= t["T"])).all()
    assert (t.loc[t["frequency"] == 0, "recency"] == 0).all()
    assert (t["frequency"] < t["orders"] + 1).all()
    assert (t["days_since_last"] >= 0).all()
    assert np.isclose(t["revenue"].sum(), log["amount"].sum())
    assert set(t.index) == set(log["account_id"])
    scores = rfm_scores(t)
    assert scores[["R", "F", "M"]].isin(range(1, 6)).all().all()


@settings(max_examples=40, deadline=None)
@given(transaction_logs())
def test_cohort_invariants(log):
    c = cohort_retention(log, "M")
    assert ((c["retention"] >= 0) & (c["retention"] <= 1)).all()
    assert (c.loc[c["age"] == 0, "retention"] == 1).all()
    assert c.drop_duplicates("cohort")["cohort_size"].sum() == log["account_id"].nunique()


@given(
    st.lists(st.tuples(st.integers(min_value=0, max_value=50), st.booleans()), min_size=1, max_size=80),
)
def test_km_survival_non_increasing_in_unit_interval(data):
    d = [x for x, _ in data]
    e = [o for _, o in data]
    km = kaplan_meier(d, e)
    s = km["survival"].to_numpy()
    assert np.all((s >= 0) & (s <= 1))
    assert np.all(np.diff(s) <= 1e-12)
    assert np.all(km["ci_lower"] <= s + 1e-12) and np.all(s <= km["ci_upper"] + 1e-12)
    assert np.all(np.diff(km["at_risk"]) <= 0)
