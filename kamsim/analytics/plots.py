"""Figures for the analytics tables; every ``plot_*`` returns the matplotlib ``Axes``.

KAM example: a Lorenz curve on the first slide of the account review, a
cohort heatmap on the second.  Each helper draws on ``ax`` (or a new figure),
sets a title and labelled axes with units, and returns ``ax`` so a notebook
can adjust it.  Pass ``title=`` to use another (e.g. Chinese) title; call
``kamsim.course.setup()`` first for CJK fonts.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from kamsim.analytics._validation import HAS_NO, require_columns
from kamsim.analytics.concentration import abc_classes, gini, lorenz_curve
from kamsim.labels import pick


def _axes(ax: Axes | None, size: tuple[float, float] = (6.0, 4.0)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def plot_lorenz(values, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Lorenz curve of value per account with the equality line; the title gives the Gini."""
    ax = _axes(ax)
    lc = lorenz_curve(values)
    ax.plot(lc["share_of_accounts"], lc["share_of_value"], label="Lorenz curve")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="equal value")
    ax.set_xlabel("Share of accounts (smallest first)")
    ax.set_ylabel("Cumulative share of value")
    ax.set_title(title or f"Concentration of value (Gini = {gini(values):.2f})")
    ax.legend(loc="upper left")
    return ax


def plot_pareto(values: pd.Series, thresholds: tuple[float, float] = (0.8, 0.95), ax: Axes | None = None,
                title: str | None = None) -> Axes:
    """Pareto chart: accounts by value (bars, coloured by ABC class) and cumulative share (line)."""
    ax = _axes(ax)
    cls = abc_classes(values, thresholds)
    order = pd.Series(np.asarray(values, dtype=float), index=values.index).sort_values(ascending=False, kind="mergesort")
    colours = cls.reindex(order.index).map({"A": "tab:red", "B": "tab:orange", "C": "tab:grey"})
    x = np.arange(1, len(order) + 1)
    ax.bar(x, order.to_numpy(), color=colours.to_numpy(), width=1.0, linewidth=0)
    ax.set_xlabel("Accounts ranked by value")
    ax.set_ylabel("Value per account")
    twin = ax.twinx()
    total = order.sum()
    twin.plot(x, order.cumsum() / (total if total > 0 else 1.0), color="black")
    twin.set_ylabel("Cumulative share of value")
    twin.grid(False)  # one grid (the bars'), not two misaligned ones
    twin.set_ylim(0, 1.05)
    for t in thresholds:
        twin.axhline(t, linestyle=":", color="grey")
    ax.set_title(title or "ABC classes (A red, B orange, C grey)")
    return ax


def plot_rfm_segments(scores: pd.DataFrame, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Bar chart of the number of accounts per RFM segment (from :func:`rfm_scores`)."""
    ax = _axes(ax)
    counts = scores["segment"].value_counts().sort_values()
    ax.barh(counts.index.astype(str), counts.to_numpy())
    ax.set_xlabel("Accounts")
    ax.set_ylabel("RFM segment")
    ax.set_title(title or "Accounts per RFM segment")
    return ax


def plot_cohort_heatmap(table: pd.DataFrame, value: str = "retention", ax: Axes | None = None,
                        title: str | None = None) -> Axes:
    """Heatmap of a cohort table (from :func:`cohort_retention` / :func:`cohort_revenue`): cohort x age.

    Cohorts are labelled by their period (``2023 Q1`` for quarters, ``2023-04`` for months,
    ``2023`` for years, the Monday's date for weeks) at the axes' normal tick size; with many
    cohorts every k-th is labelled so that the labels never overlap.
    """
    ax = _axes(ax, (7.0, 4.5))
    grid = table.pivot(index="cohort", columns="age", values=value)
    im = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", cmap="viridis", interpolation="nearest")
    ax.grid(False)  # grid lines of the course style would cut through the cells
    rows = np.arange(len(grid.index))
    step = max(1, int(np.ceil(len(rows) / MAX_COHORT_LABELS)))
    ax.set_yticks(rows[::step], cohort_tick_labels(grid.index)[::step])
    ages = np.arange(len(grid.columns))
    age_step = max(1, int(np.ceil(len(ages) / MAX_COHORT_LABELS)))
    ax.set_xticks(ages[::age_step], [str(a) for a in grid.columns[::age_step]])
    ax.set_xlabel(pick("Periods since acquisition", "首单后的期数"))
    ax.set_ylabel(pick("Acquisition cohort", "首单同期群"))
    english, chinese = COHORT_VALUE_LABELS.get(value, (value, value))
    ax.figure.colorbar(im, ax=ax, label=pick(english, chinese))
    ax.set_title(title or f"Cohort {value}")
    return ax


#: Colour-bar label of each value column of the cohort tables (English, Chinese for the Chinese edition).
COHORT_VALUE_LABELS: dict[str, tuple[str, str]] = {
    "retention": ("Share of the cohort still ordering", "仍在下单的客户占比"),
    "active": ("Accounts still ordering", "仍在下单的客户数"),
    "cohort_size": ("Accounts in the cohort", "同期群客户数"),
    "revenue": ("Revenue (CU)", "销售额（CU）"),
    "revenue_per_account": ("Revenue per account (CU)", "每个客户的销售额（CU）"),
    "cumulative_revenue_per_account": ("Cumulative revenue per account (CU)", "每个客户的累计销售额（CU）"),
}


#: Most cohort (and age) tick labels on a heatmap axis; more cohorts get every k-th label.
MAX_COHORT_LABELS = 16


def cohort_tick_labels(cohorts) -> list[str]:
    """Readable labels of cohort start dates: ``2023 Q2``, ``2023-04``, ``2023`` or ``2023-04-03``.

    The period is read from the dates themselves: all on the 1st of January -> years; all on the
    1st of a quarter's first month, at least three months apart -> quarters; all on a 1st -> months;
    otherwise (weekly cohorts) the full date.
    """
    dates = pd.DatetimeIndex(pd.to_datetime(list(cohorts)))
    if len(dates) == 0:
        return []
    first = bool((dates.day == 1).all())
    gaps = np.diff(dates.year * 12 + dates.month) if len(dates) > 1 else np.array([1])  # one cohort: a month
    if first and (dates.month == 1).all() and (gaps % 12 == 0).all():
        return [f"{d.year}" for d in dates]
    if first and dates.month.isin([1, 4, 7, 10]).all() and (gaps % 3 == 0).all():
        return [f"{d.year} Q{(d.month - 1) // 3 + 1}" for d in dates]
    if first:
        return [d.strftime("%Y-%m") for d in dates]
    return [d.strftime("%Y-%m-%d") for d in dates]


def plot_survival(km: pd.DataFrame, ax: Axes | None = None, title: str | None = None, unit: str = "months") -> Axes:
    """Kaplan-Meier step curves with confidence bands (from :func:`kaplan_meier`), one per group."""
    ax = _axes(ax)
    parts = km.groupby("group", sort=False) if "group" in km.columns else [("all accounts", km)]
    for label, part in parts:
        line = ax.step(part["timeline"], part["survival"], where="post", label=str(label))[0]
        ax.fill_between(part["timeline"], part["ci_lower"], part["ci_upper"], step="post", alpha=0.2,
                        color=line.get_color())
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(f"Time since acquisition ({unit})")
    ax.set_ylabel("Share of accounts retained")
    ax.set_title(title or "Account survival (Kaplan-Meier)")
    ax.legend(loc="lower left")
    return ax


def plot_kam_matrix(attractiveness: pd.Series, position: pd.Series, ax: Axes | None = None,
                    title: str | None = None, attractiveness_cut: float | None = None,
                    position_cut: float | None = None) -> Axes:
    """Scatter of accounts on the KAM matrix with the quadrant cut lines (default: medians)."""
    ax = _axes(ax, (5.5, 5.0))
    a = pd.Series(np.asarray(attractiveness, dtype=float))
    p = pd.Series(np.asarray(position, dtype=float))
    ax.scatter(p, a, s=15, alpha=0.7)
    a_cut = a.median() if attractiveness_cut is None else attractiveness_cut
    p_cut = p.median() if position_cut is None else position_cut
    ax.axhline(a_cut, color="grey", linestyle="--")
    ax.axvline(p_cut, color="grey", linestyle="--")
    for text, x, y, ha in (("strategic", 0.98, 0.98, "right"), ("develop", 0.02, 0.98, "left"),
                           ("maintain", 0.98, 0.02, "right"), ("streamline", 0.02, 0.02, "left")):
        ax.text(x, y, text, transform=ax.transAxes, ha=ha, va="top" if y > 0.5 else "bottom", color="grey")
    ax.set_xlabel("Our relative position (strength)")
    ax.set_ylabel("Customer attractiveness")
    ax.set_title(title or "KAM portfolio matrix")
    return ax


def plot_kpi(scorecard: pd.DataFrame, kpi: str = "revenue", ax: Axes | None = None, title: str | None = None) -> Axes:
    """Bar (or, per month, line) chart of one KPI column of :func:`kpi_scorecard` by group."""
    require_columns(scorecard, [kpi], "scorecard", where="plot_kpi", verb=HAS_NO, first=True)
    ax = _axes(ax)
    group = scorecard.columns[0]
    if group == "month":
        ax.plot(scorecard[group], scorecard[kpi], marker="o")
    else:
        ax.bar(scorecard[group].astype(str), scorecard[kpi])
    ax.set_xlabel(group.replace("_", " "))
    ax.set_ylabel(kpi.replace("_", " "))
    ax.set_title(title or f"{kpi.replace('_', ' ').capitalize()} by {group.replace('_', ' ')}")
    return ax
