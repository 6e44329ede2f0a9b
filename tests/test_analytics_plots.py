"""Every plot_* helper returns an Axes with a title and labelled axes, on both log kinds."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from _analytics_data import CSV_COLUMNS, accounts_table, events_log, write_plain_csv  # noqa: E402

from kamsim.analytics import (  # noqa: E402
    churn_durations,
    cohort_retention,
    customer_totals,
    kaplan_meier,
    kpi_scorecard,
    read_transactions,
    rfm_scores,
    rfm_table,
)
from kamsim.analytics import plots  # noqa: E402


@pytest.fixture(params=["events", "csv"])
def log(request, tmp_path):
    if request.param == "events":
        return events_log()
    return read_transactions(write_plain_csv(tmp_path), **CSV_COLUMNS)


def _check(ax):
    assert isinstance(ax, matplotlib.axes.Axes)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    plt.close(ax.figure)


def test_all_plots(log):
    revenue = customer_totals(log)["revenue"]
    _check(plots.plot_lorenz(revenue))
    _check(plots.plot_pareto(revenue))
    _check(plots.plot_rfm_segments(rfm_scores(rfm_table(log))))
    _check(plots.plot_cohort_heatmap(cohort_retention(log)))
    d = churn_durations(log, "inactivity", inactivity_days=60)
    _check(plots.plot_survival(kaplan_meier(d["duration"], d["churned"])))
    _check(plots.plot_survival(kaplan_meier(d["duration"], d["churned"], groups=["a", "b", "a"])))
    _check(plots.plot_kam_matrix(revenue, pd.Series([0.2, 0.5, 0.9], index=revenue.index)))
    _check(plots.plot_kpi(kpi_scorecard(log, accounts_table(), by="tier"), "revenue"))
    _check(plots.plot_kpi(kpi_scorecard(log, by="month"), "orders"))


def test_plot_on_given_axes_and_title():
    fig, ax = plt.subplots()
    out = plots.plot_lorenz([1.0, 2.0, 7.0], ax=ax, title="客户集中度")
    assert out is ax and ax.get_title() == "客户集中度"
    plt.close(fig)
    with pytest.raises(ValueError, match="no column 'nope'"):
        plots.plot_kpi(kpi_scorecard(events_log(), by=None), "nope")


def test_cohort_heatmap_labels_are_readable():
    import numpy as np

    quarters = pd.date_range("2022-01-01", periods=8, freq="QS")
    table = pd.DataFrame([(c, a, 0.9) for c in quarters for a in range(3)], columns=["cohort", "age", "retention"])
    ax = plots.plot_cohort_heatmap(table)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "2022 Q1" and labels[-1] == "2023 Q4"
    default = matplotlib.rcParams["ytick.labelsize"]
    size = matplotlib.font_manager.FontProperties(size=default).get_size_in_points()
    assert all(t.get_fontsize() == size for t in ax.get_yticklabels())  # the axes' normal size, not 7 pt
    assert not any(line.get_visible() for line in ax.get_ygridlines())
    plt.close(ax.figure)
    months = pd.date_range("2020-01-01", periods=40, freq="MS")
    table = pd.DataFrame({"cohort": months, "age": 0, "retention": np.linspace(0, 1, 40)})
    ax = plots.plot_cohort_heatmap(table)
    assert 8 <= len(ax.get_yticks()) <= plots.MAX_COHORT_LABELS and ax.get_yticklabels()[0].get_text() == "2020-01"
    plt.close(ax.figure)


def test_cohort_tick_labels_per_period():
    assert plots.cohort_tick_labels(pd.to_datetime(["2022-01-01", "2023-01-01"])) == ["2022", "2023"]
    assert plots.cohort_tick_labels(pd.to_datetime(["2022-04-01", "2022-07-01"])) == ["2022 Q2", "2022 Q3"]
    assert plots.cohort_tick_labels(pd.to_datetime(["2022-04-01", "2022-05-01"])) == ["2022-04", "2022-05"]
    assert plots.cohort_tick_labels(pd.to_datetime(["2022-04-04", "2022-04-11"])) == ["2022-04-04", "2022-04-11"]
    assert plots.cohort_tick_labels([]) == []


def test_cohort_heatmap_speaks_the_edition(monkeypatch):
    table = pd.DataFrame({"cohort": pd.to_datetime(["2022-01-01", "2022-02-01"]), "age": 0, "retention": [1.0, 0.5]})
    monkeypatch.delenv("KAMSIM_LANG", raising=False)
    ax = plots.plot_cohort_heatmap(table)
    assert ax.get_ylabel() == "Acquisition cohort" and ax.figure.axes[-1].get_ylabel() == "Share of the cohort still ordering"
    plt.close(ax.figure)
    monkeypatch.setenv("KAMSIM_LANG", "zh_CN")
    ax = plots.plot_cohort_heatmap(table)
    assert ax.get_xlabel() == "首单后的期数" and ax.figure.axes[-1].get_ylabel() == "仍在下单的客户占比"
    plt.close(ax.figure)
