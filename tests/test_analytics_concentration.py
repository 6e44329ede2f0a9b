"""Lorenz curve, Gini, top share, ABC classes and the ABC summary table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _analytics_data import CSV_COLUMNS, events_log, write_plain_csv
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kamsim.analytics import abc_classes, abc_summary, customer_totals, gini, lorenz_curve, read_transactions, top_share

VALUES = pd.Series([50.0, 30.0, 10.0, 6.0, 4.0], index=list("abcde"))


def test_lorenz_curve_hand_example():
    lc = lorenz_curve([1.0, 3.0])
    assert list(lc["share_of_accounts"]) == [0.0, 0.5, 1.0]
    assert list(lc["share_of_value"]) == [0.0, 0.25, 1.0]


def test_gini_hand_examples():
    assert gini([1, 1, 1, 1]) == 0.0
    assert gini([0, 0, 0, 1]) == pytest.approx(0.75)  # (n-1)/n for one holder
    # sorted x = 1, 3: 2*(1*1 + 2*3)/(2*4) - 3/2 = 0.25
    assert gini([3, 1]) == pytest.approx(0.25)


def test_top_share_hand_example():
    assert top_share(VALUES, 0.2) == pytest.approx(0.5)
    assert top_share(VALUES, 0.4) == pytest.approx(0.8)
    with pytest.raises(ValueError, match="top"):
        top_share(VALUES, 0)


def test_abc_classes_hand_example():
    assert list(abc_classes(VALUES)) == ["A", "A", "B", "B", "C"]
    assert list(abc_classes(VALUES, thresholds=(0.5, 0.9))) == ["A", "B", "B", "C", "C"]


def test_abc_summary_hand_example():
    table = abc_summary(VALUES)
    assert list(table.columns) == ["class", "accounts", "share_of_accounts", "value", "share_of_value"]
    assert list(table["class"]) == ["A", "B", "C"]
    assert list(table["accounts"]) == [2, 2, 1]
    assert list(table["share_of_accounts"]) == pytest.approx([0.4, 0.4, 0.2])
    assert list(table["value"]) == pytest.approx([80.0, 16.0, 4.0])
    assert list(table["share_of_value"]) == pytest.approx([0.8, 0.16, 0.04])


def test_abc_summary_keeps_empty_classes():
    table = abc_summary(pd.Series([10.0]))
    assert list(table["accounts"]) == [1, 0, 0]


def test_bad_values_rejected():
    with pytest.raises(ValueError, match="non-negative"):
        gini([1, -1])
    with pytest.raises(ValueError, match="NaN"):
        abc_summary(pd.Series([1.0, float("nan")]))


def test_concentration_on_both_logs(tmp_path):
    ev = customer_totals(events_log())["revenue"]
    csv = customer_totals(read_transactions(write_plain_csv(tmp_path), **CSV_COLUMNS))["revenue"]
    # revenue: A1 350, A2 100, A3 400 -> sorted 100, 350, 400; G = 2*(100+700+1200)/(3*850) - 4/3
    expected = 2 * (100 + 2 * 350 + 3 * 400) / (3 * 850) - 4 / 3
    assert gini(ev) == pytest.approx(expected) and gini(csv) == pytest.approx(expected)
    assert list(abc_classes(ev)) == list(abc_classes(csv)) == ["A", "B", "A"]  # A2: 750/850 = 0.88 before it -> B
    pd.testing.assert_frame_equal(abc_summary(ev), abc_summary(csv))
    assert top_share(ev, 0.33) == pytest.approx(400 / 850)


def _abc_by_pandas(values: pd.Series, thresholds: tuple[float, float]) -> pd.Series:
    """The pandas formulation abc_classes had before its array kernel (reference)."""
    a, b = thresholds
    order = values.astype("float64").sort_values(ascending=False, kind="mergesort")
    total = order.sum()
    before = (order.cumsum() - order) / (total if total > 0 else 1.0)
    cls = np.where(before < a, "A", np.where(before < b, "B", "C"))
    return pd.Series(cls, index=order.index).reindex(values.index)


@settings(max_examples=80, deadline=None)
@given(
    values=st.lists(st.one_of(st.sampled_from([0.0, 1.0, 5.0, 100.0]), st.floats(0, 1e9)), min_size=0, max_size=60),
    thresholds=st.sampled_from([(0.8, 0.95), (0.5, 0.9), (0.2, 1.0), (0.999, 1.0)]),
)
@example(values=[80.0, 15.0, 5.0], thresholds=(0.8, 0.95))  # the second account starts exactly at 80%: B
@example(values=[5.0, 5.0, 5.0, 5.0], thresholds=(0.5, 0.9))  # ties: earlier accounts rank first
def test_abc_array_kernel_matches_the_pandas_formulation(values, thresholds):
    from kamsim._measures import abc_codes

    s = pd.Series(values, index=[f"A{i}" for i in range(len(values))], dtype="float64")
    expected = _abc_by_pandas(s, thresholds)
    assert list(abc_classes(s, thresholds)) == list(expected)
    assert list(np.array(["A", "B", "C"])[abc_codes(s.to_numpy(), thresholds)]) == list(expected)
    if values == [80.0, 15.0, 5.0]:
        assert list(expected) == ["A", "B", "C"]
