"""Figures of a policy comparison.

Two questions, two panels per KPI:

* *What does each policy deliver, and how much does it vary?* — the KPI's
  distribution over replications, one box (plus the individual replications)
  per policy;
* *Is the difference to the baseline real?* — a forest plot: the mean paired
  difference ``policy - baseline`` with its confidence interval.  An interval
  that does not cross the zero line is a difference the replications support.

:func:`plot_relative` puts every KPI on one forest plot in percent of the
baseline mean, for a one-glance overview.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, MaxNLocator
import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from kamsim.experiment.comparison import Comparison

#: Headline KPIs plotted by default (those the comparison has, in this order).
DEFAULT_PLOT_KPIS: tuple[str, ...] = ("net_margin", "revenue", "retention_rate", "mean_satisfaction")

_UNITS: dict[str, str] = {
    "revenue": "CU",
    "margin": "CU",
    "net_margin": "CU",
    "retention_cost": "CU",
    "retention_rate": "share of accounts",
    "churn_rate": "share of accounts",
    "mean_satisfaction": "score 0-10",
    "active_accounts_end": "accounts",
    "manager_utilisation": "share of capacity",
    "complaints": "count",
    "mean_complaint_wait_days": "days",
}


def kpi_label(kpi: str) -> str:
    """Axis label of a KPI with its unit, e.g. ``"net_margin (CU)"``."""
    unit = _UNITS.get(kpi, "share of accounts" if kpi.startswith("share_") else "")
    return f"{kpi} ({unit})" if unit else kpi


def default_kpis(available: Sequence[str], limit: int = 4) -> list[str]:
    """Headline KPIs present in ``available``; falls back to the first ``limit`` KPIs."""
    chosen = [k for k in DEFAULT_PLOT_KPIS if k in available]
    return chosen or list(available)[:limit]


def plot_comparison(comparison: Comparison, kpis: Sequence[str] | None = None) -> Figure:
    """Distributions (top row) and paired-difference forest plots (bottom row), one column per KPI.

    Parameters
    ----------
    comparison
        The comparison to draw.
    kpis
        KPI names; default :func:`default_kpis`.

    Returns
    -------
    Figure
        A pyplot figure (shown automatically in notebooks; close it with ``plt.close(fig)`` in scripts).
    """
    import seaborn as sns

    kpis = _check_kpis(comparison, kpis)
    policies = comparison.policies
    others = [p for p in policies if p != comparison.baseline]
    palette = dict(zip(policies, sns.color_palette("colorblind", len(policies))))
    paired = comparison.paired()
    reps = comparison.replications
    width = max(7.5, 3.8 * len(kpis))
    fig, axes = plt.subplots(2, len(kpis), figsize=(width, 7.5), squeeze=False, layout="constrained")
    for j, kpi in enumerate(kpis):
        _distribution(axes[0, j], reps.loc[reps["kpi"] == kpi], policies, palette)
        top = axes[0, j]
        top.set_title(kpi)
        top.set_xlabel("policy")
        top.set_ylabel(kpi_label(kpi))
        top.tick_params(axis="x", labelrotation=30)
        _forest(axes[1, j], paired.loc[paired["kpi"] == kpi], others, palette, "diff_mean", "ci_low", "ci_high")
        axes[1, j].set_title(f"{kpi}\ndifference vs {comparison.baseline}")
        axes[1, j].set_xlabel(f"policy - {comparison.baseline} ({_UNITS.get(kpi, 'KPI units')})")
    conf = round(100 * comparison.confidence)
    fig.suptitle(
        f"Policy comparison: {comparison.n_replications} replications per policy\n"
        f"{conf}% CIs ({'common random numbers' if comparison.crn else 'independent streams'})"
    )
    return fig


def plot_relative(comparison: Comparison, kpis: Sequence[str] | None = None) -> Figure:
    """One forest plot of the KPIs' paired differences in percent of the baseline mean.

    Parameters
    ----------
    comparison
        The comparison to draw.
    kpis
        KPI names; default every KPI except the stage shares ``share_<stage>`` (whose small
        baseline means make percentages explode).  KPIs whose baseline mean is 0 (no
        relative scale) are always left out.
    """
    if kpis is None:
        kpis = [k for k in comparison.kpis if not k.startswith("share_")] or list(comparison.kpis)
    else:
        kpis = _check_kpis(comparison, kpis)
    paired = comparison.paired()
    paired = paired.loc[paired["kpi"].isin(kpis) & paired["rel_diff_pct"].notna()]
    others = [p for p in comparison.policies if p != comparison.baseline]
    shown = [k for k in kpis if k in set(paired["kpi"])]
    height = 1.5 + 0.14 * max(1, len(shown)) * max(1, len(others))
    fig, ax = plt.subplots(figsize=(8.0, min(height, 14.0)), layout="constrained")
    import seaborn as sns

    palette = dict(zip(others, sns.color_palette("colorblind", len(comparison.policies))[1:]))
    step = 0.8 / max(1, len(others))
    for i, policy in enumerate(others):
        rows = paired.loc[paired["policy"] == policy].set_index("kpi").reindex(shown)
        y = np.arange(len(shown)) + (i - (len(others) - 1) / 2) * step
        mean = rows["rel_diff_pct"].to_numpy(dtype=float)
        err = np.vstack([mean - rows["rel_ci_low_pct"].to_numpy(float), rows["rel_ci_high_pct"].to_numpy(float) - mean])
        ax.errorbar(mean, y, xerr=err, fmt="o", capsize=3, color=palette[policy], label=policy)
    ax.axvline(0.0, color="0.3", linestyle="--", linewidth=1)
    ax.set_yticks(np.arange(len(shown)), shown)
    ax.invert_yaxis()
    ax.set_xlabel(f"difference vs {comparison.baseline} (% of baseline mean)")
    ax.set_ylabel("KPI")
    ax.set_title(f"Paired differences vs {comparison.baseline}, {round(100 * comparison.confidence)}% CIs")
    if others:
        ax.legend(title="policy", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    return fig


def _compact(value: float, _pos: object = None) -> str:
    """Tick label: 1.5M, 150k, 0.93 (large money amounts stay readable)."""
    size = abs(value)
    if size >= 1e9:
        return f"{value / 1e9:g}G"
    if size >= 1e6:
        return f"{value / 1e6:g}M"
    if size >= 1e4:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


def _distribution(ax, rows: pd.DataFrame, policies: list[str], palette: dict) -> None:
    """Box per policy plus every replication as a dot (deterministic horizontal spread)."""
    samples = [rows.loc[rows["policy"] == p, "value"].to_numpy(dtype=float) for p in policies]
    x = np.arange(len(policies))
    boxes = ax.boxplot(samples, positions=x, widths=0.6, showfliers=False, patch_artist=True,
                       medianprops={"color": "0.1"})
    for patch, policy in zip(boxes["boxes"], policies):
        patch.set_facecolor(palette[policy])
        patch.set_alpha(0.7)
    for i, values in enumerate(samples):
        spread = np.linspace(-0.15, 0.15, len(values)) if len(values) > 1 else np.zeros(len(values))
        ax.scatter(x[i] + spread, values, s=9, color="0.2", alpha=0.6, zorder=3)
    ax.set_xticks(x, policies)
    ax.yaxis.set_major_formatter(FuncFormatter(_compact))


def _forest(ax, rows: pd.DataFrame, policies: list[str], palette: dict, mid: str, lo: str, hi: str) -> None:
    rows = rows.set_index("policy").reindex(policies)
    y = np.arange(len(policies))
    mean = rows[mid].to_numpy(dtype=float)
    err = np.vstack([mean - rows[lo].to_numpy(dtype=float), rows[hi].to_numpy(dtype=float) - mean])
    for i, policy in enumerate(policies):
        ax.errorbar(mean[i], y[i], xerr=err[:, [i]], fmt="o", capsize=4, color=palette[policy])
    ax.axvline(0.0, color="0.3", linestyle="--", linewidth=1)
    ax.set_yticks(y, policies)
    ax.set_ylim(len(policies) - 0.5, -0.5)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.xaxis.set_major_formatter(FuncFormatter(_compact))
    ax.set_ylabel("policy")


def _check_kpis(comparison: Comparison, kpis: Sequence[str] | None) -> list[str]:
    if kpis is None:
        return default_kpis(comparison.kpis)
    if isinstance(kpis, str):
        kpis = [kpis]
    unknown = [k for k in kpis if k not in comparison.kpis]
    if unknown:
        raise ValueError(f"kpis: unknown KPI name(s) {unknown}; the comparison has {list(comparison.kpis)}")
    if not kpis:
        raise ValueError("kpis: give at least one KPI name")
    return list(kpis)
