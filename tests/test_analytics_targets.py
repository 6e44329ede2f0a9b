"""KPI targets vs actuals: kpi_targets, target_attainment, attainment_score (hand-computed examples)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from _analytics_data import accounts_table, events_log

from kamsim.analytics import attainment_score, kpi_scorecard, kpi_targets, target_attainment
from kamsim.analytics.targets import ATTAINMENT_COLUMNS, KPI_DIRECTIONS
from kamsim.analytics.kpi import KPI_COLUMNS
from kamsim.engine.result import KPI_NAMES


def _last_year() -> pd.DataFrame:
    return pd.DataFrame({"manager_id": ["M1", "M2"], "revenue": [1000.0, 400.0], "churn": [0.10, 0.02],
                         "satisfaction": [7.0, 8.0]})


def _this_year() -> pd.DataFrame:
    return pd.DataFrame({"manager_id": ["M1", "M2"], "revenue": [1100.0, 400.0], "churn": [0.06, 0.00],
                         "satisfaction": [7.2, np.nan]})


def test_directions_cover_every_scorecard_and_engine_kpi():
    stage_shares = {k for k in KPI_NAMES if k.startswith("share_")}
    assert set(KPI_COLUMNS) <= set(KPI_DIRECTIONS)
    assert set(KPI_NAMES) - stage_shares <= set(KPI_DIRECTIONS)
    assert KPI_DIRECTIONS["revenue"] == 1 and KPI_DIRECTIONS["churn_rate"] == -1


def test_kpi_targets_change_and_level():
    targets = kpi_targets(_last_year(), by="manager_id", change={"revenue": 0.05, "churn": -0.5},
                          level={"satisfaction": 7.5})
    assert list(targets.columns) == ["manager_id", "revenue", "churn", "satisfaction"]
    assert targets["manager_id"].tolist() == ["M1", "M2"]
    assert targets["revenue"].tolist() == pytest.approx([1050.0, 420.0])
    assert targets["churn"].tolist() == pytest.approx([0.05, 0.01])
    assert targets["satisfaction"].tolist() == [7.5, 7.5]


def test_kpi_targets_from_a_series_or_one_row_table():
    one = kpi_targets(pd.Series({"revenue": 200.0, "churn": 0.1}), change={"revenue": 0.1})
    assert one.to_dict("list") == {"group": ["all"], "revenue": [pytest.approx(220.0)]}
    card = kpi_scorecard(events_log(), by=None)  # group column "group"
    assert kpi_targets(card, level={"churn": 0.05})["churn"].tolist() == [0.05]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "at least one KPI"),
        ({"change": {"profit": 0.1}}, "'profit'"),
        ({"change": {"revenue": -1.0}}, "change['revenue']"),
        ({"change": {"revenue": 0.1}, "level": {"revenue": 5.0}}, "both"),
        ({"level": {"churn": float("nan")}}, "level['churn']"),
    ],
)
def test_kpi_targets_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        kpi_targets(_last_year(), by="manager_id", **kwargs)


def test_kpi_targets_needs_by_for_several_rows():
    with pytest.raises(ValueError, match="by="):
        kpi_targets(_last_year(), change={"revenue": 0.1})
    with pytest.raises(ValueError, match="'tier'"):
        kpi_targets(_last_year(), by="tier", change={"revenue": 0.1})


def test_attainment_hand_example():
    targets = kpi_targets(_last_year(), by="manager_id", change={"revenue": 0.05}, level={"churn": 0.05,
                                                                                          "satisfaction": 7.5})
    table = target_attainment(_this_year(), targets, by="manager_id")
    assert list(table.columns) == ["manager_id", *ATTAINMENT_COLUMNS]
    assert table["manager_id"].tolist() == ["M1"] * 3 + ["M2"] * 3
    assert table["kpi"].tolist() == ["revenue", "churn", "satisfaction"] * 2
    t = table.set_index(["manager_id", "kpi"])
    # Higher is better: attainment = actual / target.
    assert t.loc[("M1", "revenue"), "attainment"] == pytest.approx(1100 / 1050)
    assert t.loc[("M2", "revenue"), "attainment"] == pytest.approx(400 / 420)
    assert t.loc[("M2", "revenue"), "gap"] == pytest.approx(-20.0)
    # Lower is better: churn 6% against 5% is 20% worse than target -> 0.8; churn 0 -> 2.0.
    assert t.loc[("M1", "churn"), "attainment"] == pytest.approx(0.8)
    assert t.loc[("M2", "churn"), "attainment"] == pytest.approx(2.0)
    assert t["met"].tolist() == [True, False, False, False, True, False]  # M2 satisfaction missing -> not met
    assert math.isnan(t.loc[("M2", "satisfaction"), "attainment"])


def test_attainment_with_a_dict_a_series_and_exact_target():
    table = target_attainment(_this_year(), {"revenue": 400.0}, by="manager_id")
    assert table["met"].tolist() == [True, True]  # equal to target counts as met
    assert table["attainment"].tolist() == pytest.approx([2.75, 1.0])
    actual = pd.Series({"churn_rate": 0.04, "net_margin": 90.0})
    one = target_attainment(actual, {"churn_rate": 0.05, "net_margin": 100})
    assert one["group"].tolist() == ["all", "all"]
    assert one["attainment"].tolist() == pytest.approx([1.2, 0.9])
    assert one["met"].tolist() == [True, False]


def test_attainment_zero_target_and_custom_direction():
    frame = pd.DataFrame({"policy": ["a", "b"], "escalations": [0.0, 2.0]})
    table = target_attainment(frame, {"escalations": 0.0}, by="policy", directions={"escalations": -1})
    assert table["met"].tolist() == [True, False]
    assert table["attainment"].isna().all()
    with pytest.raises(ValueError, match="no direction known for KPI 'escalations'"):
        target_attainment(frame, {"escalations": 1.0}, by="policy")
    with pytest.raises(ValueError, match="must be 1"):
        target_attainment(frame, {"escalations": 1.0}, by="policy", directions={"escalations": 0})


def test_attainment_rejects_missing_groups_and_columns():
    targets = kpi_targets(_last_year().iloc[:1], by="manager_id", change={"revenue": 0.0})
    with pytest.raises(ValueError, match="no row for group 'M2'"):
        target_attainment(_this_year(), targets, by="manager_id")
    with pytest.raises(ValueError, match="no column for target KPI 'margin'"):
        target_attainment(_this_year(), {"margin": 1.0}, by="manager_id")
    with pytest.raises(ValueError, match="duplicate value 'M1'"):
        target_attainment(pd.concat([_this_year(), _this_year()]), {"revenue": 1.0}, by="manager_id")


def test_attainment_on_a_real_scorecard():
    card = kpi_scorecard(events_log(), accounts_table(), by="tier", cost_per_hour=50.0)
    table = target_attainment(card, {"revenue": 450.0, "churn": 0.25}, by="tier").set_index(["tier", "kpi"])
    assert table.loc[("key", "revenue"), "met"] and not table.loc[("other", "revenue"), "met"]
    assert table.loc[("key", "churn"), "attainment"] == pytest.approx(1 - (0.5 - 0.25) / 0.25)


def test_attainment_score_weights_and_cap():
    targets = kpi_targets(_last_year(), by="manager_id", change={"revenue": 0.05}, level={"churn": 0.05,
                                                                                          "satisfaction": 7.5})
    table = target_attainment(_this_year(), targets, by="manager_id")
    revenue_only = attainment_score(table, {"revenue": 1.0}, by="manager_id").set_index("manager_id")
    assert revenue_only["score"].tolist() == pytest.approx([1100 / 1050, 400 / 420])
    assert revenue_only["kpis_met"].tolist() == [1, 0]
    balanced = attainment_score(table, {"revenue": 2, "churn": 1, "satisfaction": 1}, by="manager_id", cap=1.5)
    m1 = (2 * 1100 / 1050 + 0.8 + 7.2 / 7.5) / 4
    m2 = (2 * 400 / 420 + 1.5 + 0.0) / 4  # churn 2.0 capped at 1.5; missing satisfaction counts 0
    assert balanced["score"].tolist() == pytest.approx([m1, m2])
    uncapped = attainment_score(table, {"churn": 1}, by="manager_id", cap=None)
    assert uncapped["score"].tolist() == pytest.approx([0.8, 2.0])


@pytest.mark.parametrize(
    "weights, cap, message",
    [({}, 1.5, "weights"), ({"revenue": -1}, 1.5, "weights"), ({"revenue": 0}, 1.5, "weights"),
     ({"margin": 1}, 1.5, "'margin'"), ({"revenue": 1}, 0, "cap")],
)
def test_attainment_score_rejects_bad_input(weights, cap, message):
    table = target_attainment(_this_year(), {"revenue": 1000.0}, by="manager_id")
    with pytest.raises(ValueError, match=message):
        attainment_score(table, weights, by="manager_id", cap=cap)
    with pytest.raises(ValueError, match="output of target_attainment"):
        attainment_score(table, {"revenue": 1})  # group column is manager_id, not group
