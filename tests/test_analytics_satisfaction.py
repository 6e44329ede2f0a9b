"""Satisfaction and complaint analytics: NPS, survey summaries and trends, satisfaction vs churn, complaint statistics.

Hand-computed examples on tiny logs, plus consistency with a short engine run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamsim.analytics import churn_by_satisfaction, complaint_stats, complaint_table, nps, nps_table, satisfaction_trend
from kamsim.analytics.complaints import COMPLAINT_MEASURES
from kamsim.analytics.satisfaction import NPS_CATEGORIES, nps_category, satisfaction_band, survey_scores
from kamsim.analytics.satisfaction_churn import account_satisfaction_churn


def _events(rows: list[dict]) -> pd.DataFrame:
    """A minimal events log: account_id, date, event_type, score, stage_to, detail, wait_days."""
    frame = pd.DataFrame(rows)
    for col in ("score", "wait_days"):
        if col not in frame:
            frame[col] = np.nan
    for col in ("stage_to", "detail"):
        if col not in frame:
            frame[col] = pd.NA
    frame["date"] = pd.to_datetime(frame["date"])
    for col in ("account_id", "event_type", "stage_to", "detail"):
        frame[col] = frame[col].astype("string")
    return frame


def _survey(acc: str, date: str, score: float) -> dict:
    return {"account_id": acc, "date": date, "event_type": "survey", "score": score}


def _lost(acc: str, date: str, to: str = "lost") -> dict:
    return {"account_id": acc, "date": date, "event_type": "stage_change", "stage_to": to}


# ----------------------------------------------------------------------------- NPS


def test_nps_hand_example():
    # 2 promoters (10, 9), 2 passives (8, 7), 1 detractor (6) of 5: 100 * (2 - 1) / 5
    assert nps([10, 9, 8, 7, 6]) == pytest.approx(20.0)
    assert nps([0, 3, 6]) == pytest.approx(-100.0)
    assert nps([9, 10]) == pytest.approx(100.0)
    assert nps([7, 8]) == pytest.approx(0.0)


def test_nps_ignores_missing_and_empty_is_nan():
    assert nps(pd.Series([10, np.nan, 5, 9])) == pytest.approx(100 * (2 - 1) / 3)
    assert np.isnan(nps([]))


def test_nps_category_edges():
    cat = nps_category(pd.Series([0, 6, 6.99, 7, 8, 8.99, 9, 10, np.nan]))
    assert list(cat.cat.categories) == list(NPS_CATEGORIES)
    assert cat.cat.ordered
    assert cat.iloc[:8].tolist() == ["detractor"] * 3 + ["passive"] * 3 + ["promoter"] * 2
    assert pd.isna(cat.iloc[8])


@pytest.mark.parametrize("bad, row", [([5, 11], 1), ([-1, 5], 0), (["7", "x"], 1)])
def test_scores_outside_0_10_or_not_numeric_raise_with_row(bad, row):
    with pytest.raises(ValueError, match=rf"row {row}"):
        nps(pd.Series(bad, dtype=object))


def test_satisfaction_band_custom_bins_last_band_closed():
    band = satisfaction_band([0, 4.9, 5, 10], bins=[0, 5, 10])
    assert band.tolist() == ["0-5", "0-5", "5-10", "5-10"]
    band = satisfaction_band([2, 8], bins=[0, 5, 10], labels=["low", "high"])
    assert band.tolist() == ["low", "high"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"bins": [0, 5, 5, 10]}, "increasing"),
        ({"bins": [0, 5, 10], "labels": ["a"]}, "labels"),
        ({"bins": [2, 10]}, "outside the bins"),
    ],
)
def test_satisfaction_band_validates(kwargs, message):
    with pytest.raises(ValueError, match=message):
        satisfaction_band([1, 9], **kwargs)


# ----------------------------------------------------------------------------- survey tables


@pytest.fixture
def survey_log() -> pd.DataFrame:
    rows = [
        _survey("A1", "2023-01-05", 10),
        _survey("A2", "2023-01-20", 6),
        {"account_id": "A1", "date": "2023-01-21", "event_type": "order"},  # no score: ignored
        _survey("A1", "2023-03-02", 8),
        _survey("A3", "2023-03-15", 9),
        _survey("A2", "2023-03-30", 3),
    ]
    return _events(rows)


def test_survey_scores_keeps_survey_rows_sorted(survey_log):
    answers = survey_scores(survey_log.iloc[::-1])
    assert answers.columns.tolist() == ["account_id", "date", "score"]
    assert answers["score"].tolist() == [10, 6, 8, 9, 3]
    assert answers["date"].is_monotonic_increasing


def test_nps_table_overall(survey_log):
    table = nps_table(survey_log)
    row = table.iloc[0]
    assert len(table) == 1
    assert (row["responses"], row["promoters"], row["passives"], row["detractors"]) == (5, 2, 1, 2)
    assert row["mean_score"] == pytest.approx(36 / 5)
    assert row["share_passives"] == pytest.approx(0.2)
    assert row["nps"] == pytest.approx(0.0)


def test_nps_table_by_account_column(survey_log):
    accounts = pd.DataFrame({"account_id": ["A1", "A2", "A3"], "region": ["east", "west", "east"]})
    table = nps_table(survey_log, by="region", accounts=accounts).set_index("region")
    # east: A1 10, 8 and A3 9 -> 2 promoters, 1 passive; west: A2 6, 3 -> 2 detractors
    assert table.loc["east", "responses"] == 3
    assert table.loc["east", "nps"] == pytest.approx(100 * 2 / 3)
    assert table.loc["west", "nps"] == pytest.approx(-100.0)


def test_nps_table_unknown_column_raises(survey_log):
    with pytest.raises(ValueError, match="no column 'region'"):
        nps_table(survey_log, by="region")


def test_satisfaction_trend_monthly_with_empty_month(survey_log):
    trend = satisfaction_trend(survey_log, freq="M")
    assert trend["period"].tolist() == [pd.Timestamp("2023-01-01"), pd.Timestamp("2023-02-01"), pd.Timestamp("2023-03-01")]
    assert trend["responses"].tolist() == [2, 0, 3]
    assert trend["nps"].iloc[0] == pytest.approx(0.0)  # 10 and 6
    assert np.isnan(trend["nps"].iloc[1])
    assert trend["mean_score"].iloc[2] == pytest.approx((8 + 9 + 3) / 3)


def test_satisfaction_trend_quarterly_and_bad_freq(survey_log):
    trend = satisfaction_trend(survey_log, freq="Q")
    assert trend["responses"].tolist() == [5]
    with pytest.raises(ValueError, match="freq"):
        satisfaction_trend(survey_log, freq="D")


def test_missing_score_column_raises():
    with pytest.raises(ValueError, match="missing column 'score'"):
        nps_table(pd.DataFrame({"account_id": ["A1"], "date": ["2023-01-01"]}))


# ----------------------------------------------------------------------------- satisfaction -> churn


@pytest.fixture
def churn_log() -> pd.DataFrame:
    rows = [
        _survey("A1", "2023-01-10", 10),
        _lost("A1", "2023-03-31"),  # promoter, lost in the window
        _survey("A2", "2023-01-10", 3),  # detractor, stays
        _survey("A3", "2023-01-05", 5),
        _survey("A3", "2023-01-20", 9),  # last 9 (promoter), mean 7 (passive)
        _lost("A3", "2023-02-28"),
        _survey("A4", "2023-01-03", 8),
        _lost("A4", "2023-01-25"),  # lost before the cutoff: not a customer any more
        _survey("A5", "2023-01-15", 2),
        _lost("A5", "2023-05-31"),  # lost after the 3-month window
        _lost("A6", "2022-12-31"),
        _lost("A6", "2023-01-31", to="won_back"),  # won back before the cutoff: a customer again
        _survey("A6", "2022-11-10", 7),
        _survey("A7", "2023-02-10", 1),  # answered after the cutoff only: excluded
    ]
    return _events(rows)


def test_account_satisfaction_churn_hand_example(churn_log):
    table = account_satisfaction_churn(churn_log, cutoff="2023-02-01", horizon_months=3)
    assert table.index.tolist() == ["A1", "A2", "A3", "A5", "A6"]
    assert table["score"].tolist() == [10, 3, 9, 2, 7]
    assert table["answers"].tolist() == [1, 1, 2, 1, 1]
    assert table["churned"].tolist() == [True, False, True, False, False]
    assert table.loc["A3", "churn_date"] == pd.Timestamp("2023-02-28")
    mean = account_satisfaction_churn(churn_log, cutoff="2023-02-01", horizon_months=3, score="mean")
    assert mean.loc["A3", "score"] == pytest.approx(7.0)


def test_churn_by_satisfaction_nps_bands(churn_log):
    table = churn_by_satisfaction(churn_log, cutoff="2023-02-01", horizon_months=3).set_index("band")
    assert table.index.tolist() == list(NPS_CATEGORIES)
    assert table["accounts"].tolist() == [2, 1, 2]  # A2, A5 | A6 | A1, A3
    assert table["churned"].tolist() == [0, 0, 2]
    assert table["churn_rate"].tolist() == [0.0, 0.0, 1.0]
    assert table.loc["detractor", "mean_score"] == pytest.approx(2.5)
    assert table.attrs["cutoff"] == pd.Timestamp("2023-02-01")
    # a longer horizon also catches A5 (lost in May)
    longer = churn_by_satisfaction(churn_log, cutoff="2023-02-01", horizon_months=6).set_index("band")
    assert longer.loc["detractor", "churned"] == 1
    assert longer.loc["detractor", "churn_rate_se"] == pytest.approx(np.sqrt(0.5 * 0.5 / 2))


def test_churn_by_satisfaction_custom_bins_and_mean_score(churn_log):
    table = churn_by_satisfaction(
        churn_log, cutoff="2023-02-01", horizon_months=3, bins=[0, 5, 10], labels=["low", "high"], score="mean"
    ).set_index("band")
    # low: A2 (3), A5 (2); high: A1 (10), A3 (mean 7), A6 (7)
    assert table["accounts"].tolist() == [2, 3]
    assert table.loc["high", "churn_rate"] == pytest.approx(2 / 3)


def test_default_cutoff_leaves_a_full_horizon(churn_log):
    table = account_satisfaction_churn(churn_log, horizon_months=3)
    # last event 2023-05-31 -> cutoff 2023-06-01 - 3 months = 2023-03-01
    assert table.attrs["cutoff"] == pd.Timestamp("2023-03-01")


@pytest.mark.parametrize("kwargs", [{"score": "median"}, {"horizon_months": 0}, {"horizon_months": 1.5}])
def test_churn_arguments_validated(churn_log, kwargs):
    with pytest.raises(ValueError):
        account_satisfaction_churn(churn_log, cutoff="2023-02-01", **kwargs)


# ----------------------------------------------------------------------------- complaints


@pytest.fixture
def complaint_log() -> pd.DataFrame:
    detail = "K000001|queue=1.50|accept=0.50|investigate=2.00|analyse_cause=1.00|propose_solution=0.50|implement=1.00|follow_up=0.50"
    rows = [
        {"account_id": "A1", "date": "2023-01-02", "event_type": "complaint_opened", "detail": "K000001"},
        {"account_id": "A2", "date": "2023-01-05", "event_type": "complaint_opened", "detail": "K000002"},
        {"account_id": "A1", "date": "2023-01-09", "event_type": "complaint_resolved", "detail": detail, "wait_days": 7.0},
        _survey("A1", "2023-01-10", 4),
    ]
    return _events(rows)


def test_complaint_table_parses_stages(complaint_log):
    table = complaint_table(complaint_log)
    assert table["complaint_id"].tolist() == ["K000001", "K000002"]
    assert table["resolved"].tolist() == [True, False]
    first = table.iloc[0]
    assert first["queue_days"] == pytest.approx(1.5)
    assert first["investigate_days"] == pytest.approx(2.0)
    assert first["handling_days"] == pytest.approx(5.5)
    assert first["resolution_days"] == pytest.approx(7.0)
    assert first["resolved_date"] == pd.Timestamp("2023-01-09")
    assert np.isnan(table.iloc[1]["queue_days"])


def test_complaint_stats_from_events(complaint_log):
    stats = complaint_stats(complaint_log)
    assert stats.index.tolist() == list(COMPLAINT_MEASURES)
    assert stats.loc["queue_days", "count"] == 1
    assert stats.loc["handling_days", "mean"] == pytest.approx(5.5)
    assert stats.loc["investigate_days", "share_of_handling"] == pytest.approx(2.0 / 5.5)
    assert np.isnan(stats.loc["queue_days", "share_of_handling"])


def test_complaint_stats_result_style_table():
    stages = {f"{s}_days": [1.0, 1.0, 1.0] for s in ("accept", "investigate", "analyse_cause", "propose_solution", "implement", "follow_up")}
    table = pd.DataFrame(
        {
            "opened_day": [0.0, 1.0, 2.0],
            "started_day": [0.0, 3.0, 8.0],
            "resolved_day": [6.0, 9.0, np.nan],
            "queue_days": [0.0, 2.0, 6.0],
            "handling_days": [6.0, 6.0, 6.0],
            "resolved": [True, True, False],
            **stages,
        }
    )
    stats = complaint_stats(table)
    assert stats.loc["queue_days", "mean"] == pytest.approx(1.0)
    assert stats.loc["resolution_days", "mean"] == pytest.approx(7.0)  # (6 + 8) / 2
    assert stats.loc["queue_days", "max"] == pytest.approx(2.0)
    everything = complaint_stats(table, resolved_only=False)
    assert everything.loc["queue_days", "mean"] == pytest.approx(8.0 / 3)
    assert everything.loc["resolution_days", "count"] == 2


def test_complaint_stats_validates():
    with pytest.raises(ValueError, match="missing column"):
        complaint_stats(pd.DataFrame({"queue_days": [1.0]}))
    with pytest.raises(ValueError, match="quantile"):
        complaint_stats(pd.DataFrame({"queue_days": [1.0]}), quantile=1.5)


def test_complaint_stats_match_engine_run():
    """The events route and the result table agree, and resolution time equals the engine KPI."""
    import kamsim

    portfolio = kamsim.generate_portfolio(150, seed=3)
    scenario = kamsim.Scenario(months=6).updated({"complaints.handlers": 1})
    result = kamsim.simulate(scenario, portfolio, seed=4)
    from_result = complaint_stats(result.complaints)
    from_events = complaint_stats(result.events)
    assert from_result.loc["queue_days", "count"] == from_events.loc["queue_days", "count"] > 10
    assert from_result.loc["queue_days", "mean"] > 0  # one handler: complaints queue
    # the events carry durations rounded to 0.01 day
    pd.testing.assert_series_equal(from_result["mean"], from_events["mean"], atol=0.01, check_names=False)
    assert from_result.loc["resolution_days", "mean"] == pytest.approx(result.kpis()["mean_complaint_wait_days"])
    table = complaint_table(result.events)
    done = table[table["resolved"]]
    np.testing.assert_allclose(done["resolution_days"], done["queue_days"] + done["handling_days"], atol=0.05)
