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
    # All three are customers when the log starts (no acquisition in it): they enter at the log's first date,
    # Jan 2.  A1: censored Apr 30 = 119 days; A2: lost Mar 15 = 73 days; A3: 119 days.
    assert (d["duration"] * 30.4375).tolist() == pytest.approx([119, 73, 119])
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


def test_churn_durations_start_at_acquisition_and_skip_prospects():
    # Regression (issue 14): durations ran from a prospect's first event and never-acquired prospects entered.
    log = events_log()
    extra = pd.DataFrame(
        {
            "account_id": ["P1", "P1", "P2", "P2", "P2"],
            "date": pd.to_datetime(["2024-01-03", "2024-02-10", "2024-01-04", "2024-01-31", "2024-03-31"]),
            "event_type": ["call", "visit", "call", "stage_change", "stage_change"],
            "stage_from": [None, None, None, "prospect", "new"],
            "stage_to": [None, None, None, "new", "lost"],
        }
    )
    d = churn_durations(pd.concat([log, extra], ignore_index=True))
    assert "P1" not in d["account_id"].tolist()  # never acquired: not at risk
    p2 = d.set_index("account_id").loc["P2"]
    assert p2["start"] == pd.Timestamp("2024-01-31") and bool(p2["churned"])
    assert p2["duration"] * 30.4375 == pytest.approx(60)  # from acquisition, not from the first call


@pytest.fixture(scope="module")
def simulated():
    from kamsim import generate_portfolio, simulate

    return simulate(None, generate_portfolio(2000, seed=1), seed=1, months=36)


def test_stage_and_panel_rules_agree_on_a_simulated_run(simulated):
    # Regression (issue 14): the panel rule missed last-month losses; the stage rule counted prospects.
    events, panel = simulated.events, simulated.panel
    by_stage = churn_durations(events)
    by_panel = churn_durations(panel, events=events)
    assert by_stage["account_id"].tolist() == by_panel["account_id"].tolist()
    assert by_stage["churned"].tolist() == by_panel["churned"].tolist()
    assert np.abs(by_stage["duration"] - by_panel["duration"]).max() < 0.1  # day-based vs whole months
    acquired = events.query("event_type == 'stage_change' and stage_from == 'prospect'")["account_id"].unique()
    always_prospect = panel.groupby("account_id")["stage"].agg(lambda s: bool((s == "prospect").all()))
    never_acquired = set(always_prospect.index[always_prospect.to_numpy()]) - set(acquired)
    assert len(never_acquired) == 2000 - len(by_stage) and never_acquired.isdisjoint(by_stage["account_id"])
    last = int(panel["month"].max())
    lost_last = events.query("event_type == 'stage_change' and stage_to == 'lost' and month == @last")["account_id"]
    assert len(lost_last) > 0
    assert by_panel.set_index("account_id").loc[list(lost_last), "churned"].all()
    panel_only = churn_durations(panel)  # without events the last month stays unseen (censored at its start)
    assert panel_only["churned"].sum() < by_panel["churned"].sum()
    assert by_stage.set_index("account_id").loc[acquired, "duration"].mean() == pytest.approx(20.0, abs=1.5)
