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
