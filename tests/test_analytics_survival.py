"""Kaplan-Meier, median survival and churn durations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from _analytics_data import CSV_COLUMNS, events_log, write_plain_csv

from kamsim._random import streams
from kamsim.analytics import churn_durations, kaplan_meier, median_survival, read_transactions
from kamsim.analytics.survival import KM_COLUMNS


def _loglog_ci(s: float, greenwood: float, z: float = 1.959963984540054) -> tuple[float, float]:
    se = math.sqrt(greenwood) / abs(math.log(s))
    theta = math.log(-math.log(s))
    return math.exp(-math.exp(theta + z * se)), math.exp(-math.exp(theta - z * se))


def test_kaplan_meier_hand_example():
    km = kaplan_meier([1, 2, 2, 3, 4], [1, 1, 0, 1, 0])
    assert tuple(km.columns) == KM_COLUMNS
    assert km["timeline"].tolist() == [0, 1, 2, 3, 4]
    assert km["at_risk"].tolist() == [5, 5, 4, 2, 1]
    assert km["events"].tolist() == [0, 1, 1, 1, 0]
    assert km["censored"].tolist() == [0, 0, 1, 0, 1]
    assert km["survival"].tolist() == pytest.approx([1, 0.8, 0.6, 0.3, 0.3])
    # Greenwood sums: 1/(5*4), + 1/(4*3), + 1/(2*1)
    gw = [0.05, 0.05 + 1 / 12, 0.05 + 1 / 12 + 0.5]
    for i, (s, g) in enumerate(zip([0.8, 0.6, 0.3], gw), start=1):
        lo, hi = _loglog_ci(s, g)
        assert km.loc[i, "ci_lower"] == pytest.approx(lo) and km.loc[i, "ci_upper"] == pytest.approx(hi)
    assert km.loc[0, "ci_lower"] == 1.0 and km.loc[0, "ci_upper"] == 1.0
    assert median_survival(km) == 3.0


def test_kaplan_meier_no_censoring_equals_empirical_survival():
    d = np.array([3.0, 1.0, 2.0, 2.0])
    km = kaplan_meier(d)
    assert km["survival"].tolist() == pytest.approx([1.0, 0.75, 0.25, 0.0])
    assert km["ci_lower"].iloc[-1] == 0.0
    assert median_survival(km) == 2.0
    assert median_survival(kaplan_meier([1, 2], [0, 0])) == math.inf


def test_kaplan_meier_groups():
    km = kaplan_meier([1, 2, 3, 1], [1, 1, 1, 0], groups=["a", "a", "b", "b"])
    assert km.columns[0] == "group"
    a = km[km["group"] == "a"]
    assert a["survival"].tolist() == pytest.approx([1.0, 0.5, 0.0])
    med = median_survival(km)
    assert med["a"] == 1.0 and med["b"] == 3.0


def test_kaplan_meier_matches_geometric_lifetimes():
    # Monthly churn 5 % -> S(t) = 0.95^t; with n = 4000 the SE at t = 12 is about 0.008.
    rng = streams(11, ["km"])["km"]
    d = rng.geometric(0.05, 4000).astype(float)
    km = kaplan_meier(d)
    s12 = km.loc[km["timeline"] <= 12, "survival"].iloc[-1]
    expected = 0.95**12
    se = math.sqrt(expected * (1 - expected) / 4000)
    assert abs(s12 - expected) < 4 * se
    row = km.loc[km["timeline"] == 12].iloc[0]
    assert row["ci_lower"] < s12 < row["ci_upper"]


def test_kaplan_meier_validation():
    with pytest.raises(ValueError, match="row 1"):
        kaplan_meier([1, -1])
    with pytest.raises(ValueError, match="observed: row 0"):
        kaplan_meier([1, 2], [2, 1])
    with pytest.raises(ValueError, match="observed has 1"):
        kaplan_meier([1, 2], [1])
    with pytest.raises(ValueError, match="groups: row 1"):
        kaplan_meier([1, 2], [1, 1], groups=["a", None])


def test_churn_durations_from_stage_changes():
    d = churn_durations(events_log())
    assert list(d.columns) == ["account_id", "start", "end", "duration", "churned"]
    assert d["churned"].tolist() == [False, True, False]
    # A1: first event Jan 2, censored Apr 30 = 119 days; A2: Feb 1 -> lost Mar 15 = 43 days; A3: 106 days.
    assert (d["duration"] * 30.4375).tolist() == pytest.approx([119, 43, 106])
    km = kaplan_meier(d["duration"], d["churned"])
    assert km["survival"].iloc[-1] == pytest.approx(2 / 3)


def test_churn_durations_by_inactivity_on_both_logs(tmp_path):
    csv = read_transactions(write_plain_csv(tmp_path), **CSV_COLUMNS)
    for log in (csv, events_log()):
        d = churn_durations(log, "inactivity", inactivity_days=60)
        # A2's last order (Feb 1) is 89 > 60 days before Apr 30: churned at its last order.
        assert d["churned"].tolist() == [False, True, False]
        assert (d["duration"] * 30.4375).tolist() == pytest.approx([116, 0, 106])
    assert not churn_durations(csv, inactivity_days=100)["churned"].any()


def test_churn_durations_from_panel():
    panel = pd.DataFrame(
        {
            "month": [0, 1, 2, 3] * 2,
            "account_id": ["A"] * 4 + ["B"] * 4,
            "stage": ["prospect", "new", "growing", "lost", "mature", "mature", "at_risk", "mature"],
        }
    )
    d = churn_durations(panel)
    assert d["start"].tolist() == [1, 0] and d["end"].tolist() == [3, 3]
    assert d["duration"].tolist() == [2.0, 3.0] and d["churned"].tolist() == [True, False]


def test_churn_durations_bad_method():
    with pytest.raises(ValueError, match="method"):
        churn_durations(events_log(), "magic")
