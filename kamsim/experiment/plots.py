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

from kamsim import labels

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from kamsim.experiment.comparison import Comparison

#: Headline KPIs plotted by default (those the comparison has, in this order).
DEFAULT_PLOT_KPIS: tuple[str, ...] = ("net_margin", "revenue", "retention_rate", "mean_satisfaction")


def kpi_label(kpi: str, locale: str | None = None) -> str:
    """Axis label of a KPI with its unit, e.g. ``"Net margin (CU)"`` or ``"净毛利（CU）"``.

    ``locale`` ``None`` follows the course edition (``KAMSIM_LANG``); see :mod:`kamsim.labels`.
    """
    return labels.kpi_axis_label(kpi, locale)


def _locale(locale: str | None) -> str:
    """The label locale: ``locale`` or the course edition; English when no font can draw Chinese."""
    loc = labels.resolve(locale)
    if labels.is_chinese(loc) and not _font_has_chinese():
        return "en_US"
    return loc


def _font_has_chinese() -> bool:
    """True if a font of matplotlib's current ``font.family`` list has Chinese glyphs (else boxes would show)."""
    from matplotlib import font_manager, rcParams

    families: list[str] = []
    for family in rcParams["font.family"]:
        key = f"font.{family}"
        families += list(rcParams[key]) if key in rcParams else [family]
    for family in families:
        try:
            path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        if _has_glyph(path, "中"):
            return True
    return False


def _has_glyph(path: str, char: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        return FT2Font(path).get_char_index(ord(char)) != 0
    except (OSError, RuntimeError):  # pragma: no cover - unreadable font file
        return False


def default_kpis(available: Sequence[str], limit: int = 4) -> list[str]:
    """Headline KPIs present in ``available``; falls back to the first ``limit`` KPIs."""
    chosen = [k for k in DEFAULT_PLOT_KPIS if k in available]
    return chosen or list(available)[:limit]


def plot_comparison(comparison: Comparison, kpis: Sequence[str] | None = None, *, locale: str | None = None) -> Figure:
    """Distributions (top row) and paired-difference forest plots (bottom row), one column per KPI.

    Parameters
    ----------
    comparison
        The comparison to draw.
    kpis
        KPI names; default :func:`default_kpis`.
    locale
        ``"en_US"`` or ``"zh_CN"`` for the titles and axis labels (readable KPI names with
        units, :mod:`kamsim.labels`); default the course edition (``KAMSIM_LANG``).  Chinese
        falls back to English when no installed font can draw it (call ``kamsim.course.setup()``).

    Returns
    -------
    Figure
        A pyplot figure (shown automatically in notebooks; close it with ``plt.close(fig)`` in scripts).
    """
    import seaborn as sns

    kpis = _check_kpis(comparison, kpis)
    loc = _locale(locale)
    zh = labels.is_chinese(loc)
    policies = comparison.policies
    others = [p for p in policies if p != comparison.baseline]
    palette = dict(zip(policies, sns.color_palette("colorblind", len(policies))))
    paired = comparison.paired()
    reps = comparison.replications
    base = comparison.baseline
    policy_word = labels.pick("policy", "策略组合", loc)
    width = max(7.5, 3.8 * len(kpis))
    fig, axes = plt.subplots(2, len(kpis), figsize=(width, 8.0), squeeze=False, layout="constrained")
    for j, kpi in enumerate(kpis):
        name, unit = labels.kpi_name(kpi, loc), labels.kpi_unit(kpi, loc)
        top = axes[0, j]
        _distribution(top, reps.loc[reps["kpi"] == kpi], policies, palette)
        top.set_title(name)
        top.set_xlabel(policy_word)
        top.set_ylabel(_fit(kpi_label(kpi, loc), zh))
        bottom = axes[1, j]
        _forest(bottom, paired.loc[paired["kpi"] == kpi], others, palette, "diff_mean", "ci_low", "ci_high")
        bottom.set_ylabel(policy_word)
        bottom.set_title(f"{name}\n与 {base} 的配对差异" if zh else f"{name}\ndifference vs {base}")
        unit = unit or labels.pick("KPI units", "指标单位", loc)
        bottom.set_xlabel(_fit(f"{policy_word} − {base}（{unit}）" if zh else f"{policy_word} − {base} ({unit})", zh))
    conf = round(100 * comparison.confidence)
    n = comparison.n_replications
    if zh:
        streams = "公共随机数" if comparison.crn else "独立随机数流"
        fig.suptitle(f"策略组合比较：每个策略组合重复运行 {n} 次\n{conf}% 置信区间（{streams}）")
    else:
        streams = "common random numbers" if comparison.crn else "independent streams"
        fig.suptitle(f"Policy comparison: {n} replications per policy\n{conf}% CIs ({streams})")
    return fig


def plot_relative(comparison: Comparison, kpis: Sequence[str] | None = None, *, locale: str | None = None) -> Figure:
    """One forest plot of the KPIs' paired differences in percent of the baseline mean.

    Parameters
    ----------
    comparison
        The comparison to draw.
    kpis
        KPI names; default every KPI except the stage shares ``share_<stage>`` (whose small
        baseline means make percentages explode).  KPIs whose baseline mean is 0 (no
        relative scale) are always left out.
    locale
        Language of the labels, as in :func:`plot_comparison`.
    """
    if kpis is None:
        kpis = [k for k in comparison.kpis if not k.startswith("share_")] or list(comparison.kpis)
    else:
        kpis = _check_kpis(comparison, kpis)
    loc = _locale(locale)
    zh = labels.is_chinese(loc)
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
    ax.set_yticks(np.arange(len(shown)), [labels.kpi_name(k, loc) for k in shown])
    ax.invert_yaxis()
    base, conf = comparison.baseline, round(100 * comparison.confidence)
    if zh:
        ax.set_xlabel(f"与 {base} 的差异（占 {base} 均值的 %）")
        ax.set_ylabel("关键绩效指标")
        ax.set_title(f"与 {base} 的配对差异，{conf}% 置信区间")
    else:
        ax.set_xlabel(f"difference vs {base} (% of baseline mean)")
        ax.set_ylabel("KPI")
        ax.set_title(f"Paired differences vs {base}, {conf}% CIs")
    if others:
        ax.legend(title=labels.pick("policy", "策略组合", loc), loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  fontsize="small")
    return fig


#: Longest axis label kept on one line (characters; a Chinese character counts as two).
AXIS_LABEL_WIDTH = 30


def _fit(text: str, zh: bool) -> str:
    """Break a long axis label before its unit in brackets, so it never outgrows its panel."""
    width = sum(2 if ord(c) > 0x2E80 else 1 for c in text)
    cut = text.rfind("（" if zh else " (")
    if width <= AXIS_LABEL_WIDTH or cut <= 0:
        return text
    return text[:cut] + "\n" + text[cut:].lstrip()


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
    # rotated and anchored at their right end, so long policy names never run into each other
    ax.set_xticks(x, policies, rotation=30, ha="right", rotation_mode="anchor")
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
