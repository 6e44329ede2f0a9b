"""The explorer's figure: paired differences vs the baseline with confidence intervals, readable labels.

One small forest plot per headline KPI: a dot at the mean paired difference
``policy - baseline`` and a bar for its confidence interval; a dashed line at 0.
An interval that does not cross 0 is a difference the replications support
(drawn solid), one that crosses it is drawn pale.

The figure is a plain :class:`matplotlib.figure.Figure` (no pyplot), so it is
safe to draw in the explorer's background thread and never pops up as a stray
output in JupyterLab; :func:`paired_plot_png` returns it as PNG bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from kamsim.explorer.labels import CHINESE_LOCALES, kpi_label, kpi_unit

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from kamsim.experiment.comparison import Comparison

#: KPIs drawn (those the comparison has, in this order).
PLOT_KPIS: tuple[str, ...] = (
    "net_margin",
    "revenue",
    "retention_rate",
    "churn_rate",
    "mean_satisfaction",
    "retention_cost",
)

#: Okabe-Ito colours (colour-blind safe), one per compared policy.
_COLOURS: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")


def _use_chinese(locale: str) -> bool:
    """Chinese labels if the locale asks for them and a CJK font is available (else English)."""
    if locale not in CHINESE_LOCALES:
        return False
    from kamsim.course.style import use_cjk

    return use_cjk() is not None


def paired_figure(comparison: Comparison, locale: str = "en_US", kpis: Sequence[str] | None = None) -> Figure:
    """Forest plots of the paired differences of ``kpis`` (default :data:`PLOT_KPIS`)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    label_locale = locale if _use_chinese(locale) else "en_US"
    chosen = [k for k in (kpis or PLOT_KPIS) if k in comparison.kpis] or comparison.kpis[:6]
    paired = comparison.paired()
    others = [p for p in comparison.policies if p != comparison.baseline]
    ncols = min(3, len(chosen))
    nrows = int(np.ceil(len(chosen) / ncols))
    height = 0.9 + nrows * (1.1 + 0.35 * len(others))
    fig = Figure(figsize=(4.2 * ncols, height), dpi=100, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    y = np.arange(len(others))
    for i, kpi in enumerate(chosen):
        ax = axes.flat[i]
        rows = paired.loc[paired["kpi"] == kpi].set_index("policy").reindex(others)
        for j, policy in enumerate(others):
            mean = float(rows.loc[policy, "diff_mean"])
            low, high = float(rows.loc[policy, "ci_low"]), float(rows.loc[policy, "ci_high"])
            clear = np.isfinite(low) and np.isfinite(high) and (low > 0 or high < 0)
            colour = _COLOURS[j % len(_COLOURS)]
            ax.errorbar(
                [mean], [y[j]], xerr=[[mean - low], [high - mean]], fmt="o", capsize=4, color=colour,
                alpha=1.0 if clear else 0.45, markersize=6,
            )
        ax.axvline(0.0, color="0.35", linestyle="--", linewidth=1)
        ax.set_yticks(y, others)
        ax.set_ylim(-0.6, len(others) - 0.4)
        ax.invert_yaxis()
        ax.set_title(kpi_label(kpi, label_locale), fontsize=10)
        unit = kpi_unit(kpi)
        ax.set_xlabel(f"difference vs {comparison.baseline}" + (f" ({unit})" if unit else ""), fontsize=9)
        ax.tick_params(labelsize=8)
        ax.ticklabel_format(axis="x", style="sci", scilimits=(-3, 5), useMathText=True)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(chosen):]:
        ax.set_visible(False)
    conf = round(100 * comparison.confidence)
    fig.suptitle(
        f"Paired differences vs {comparison.baseline}: mean and {conf}% CI over "
        f"{comparison.n_replications} replications (solid: CI excludes 0)",
        fontsize=11,
    )
    return fig


def paired_plot_png(comparison: Comparison, locale: str = "en_US", kpis: Sequence[str] | None = None) -> bytes:
    """:func:`paired_figure` as PNG bytes."""
    fig = paired_figure(comparison, locale, kpis)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
