"""Confidence intervals for policy comparisons.

A strategist runs the "risk-targeted retention" policy and the status quo for
20 replications each and asks: *how much more net margin, give or take?*
This module answers with Student-t intervals:

* :func:`t_interval` — mean and two-sided CI of one sample (e.g. the 20 net
  margins of one policy);
* :func:`summarise` — the same for every ``policy x kpi`` group of a tidy
  replications frame;
* :func:`paired_differences` / :func:`paired_summary` — per-replication
  differences ``policy - baseline`` and their CI.  With common random numbers
  replication *r* of both policies saw the same demand, churn and complaint
  draws, so the differences are far less noisy than the raw KPIs;
* :func:`variance_ratio` — how much CRN shrank the variance of a difference
  compared with independent streams, with an F-distribution CI.

All functions are pure (no randomness).  Units follow the KPI being summarised
(currency units for ``revenue``/``margin``, shares for rates, ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _st

#: Columns of :func:`summarise` output (after the group columns).
SUMMARY_COLUMNS: tuple[str, ...] = ("mean", "std", "ci_low", "ci_high", "n")

#: Columns of :func:`paired_summary` output (after ``policy, kpi``).
PAIRED_COLUMNS: tuple[str, ...] = (
    "baseline",
    "baseline_mean",
    "diff_mean",
    "diff_std",
    "ci_low",
    "ci_high",
    "n",
    "rel_diff_pct",
    "rel_ci_low_pct",
    "rel_ci_high_pct",
)


def check_confidence(confidence: float) -> float:
    """Validate a two-sided confidence level (strictly between 0 and 1) and return it as float."""
    if not (isinstance(confidence, (int, float)) and 0 < float(confidence) < 1):
        raise ValueError(f"confidence must be a number strictly between 0 and 1, got {confidence!r}")
    return float(confidence)


def t_critical(n: int, confidence: float = 0.95) -> float:
    """Two-sided Student-t critical value for a sample of size ``n`` (``n - 1`` degrees of freedom).

    Returns ``nan`` when ``n < 2`` (no variance estimate).
    """
    confidence = check_confidence(confidence)
    if n < 2:
        return float("nan")
    return float(_st.t.ppf(0.5 + confidence / 2.0, df=n - 1))


@dataclass(frozen=True)
class Interval:
    """Mean with a two-sided t confidence interval; ``std`` is the sample standard deviation (ddof=1)."""

    mean: float
    std: float
    ci_low: float
    ci_high: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the CI width (same unit as the data)."""
        return (self.ci_high - self.ci_low) / 2.0


def t_interval(values: Sequence[float] | np.ndarray | pd.Series, confidence: float = 0.95) -> Interval:
    """Mean and two-sided t confidence interval of one sample.

    ``mean ± t_{(1+confidence)/2, n-1} * s / sqrt(n)``.  NaNs are dropped.  With
    fewer than two values the std and the interval are ``nan``.

    Examples
    --------
    >>> iv = t_interval([1.0, 2.0, 3.0])
    >>> round(iv.mean, 3), round(iv.ci_low, 3), round(iv.ci_high, 3)
    (2.0, -0.484, 4.484)
    """
    x = np.asarray(values, dtype="float64")
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return Interval(float("nan"), float("nan"), float("nan"), float("nan"), 0)
    mean = float(x.mean())
    if n < 2:
        return Interval(mean, float("nan"), float("nan"), float("nan"), n)
    std = float(x.std(ddof=1))
    half = t_critical(n, confidence) * std / np.sqrt(n)
    return Interval(mean, std, mean - half, mean + half, n)


def summarise(
    frame: pd.DataFrame,
    by: Sequence[str] = ("policy", "kpi"),
    value: str = "value",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean, std and t-CI of ``value`` for every group of ``by``.

    Parameters
    ----------
    frame
        Tidy frame, e.g. the replications of a comparison (``policy, replication, kpi, value``).
    by
        Group columns; the output keeps their order of first appearance (``sort=False``).
    value
        Numeric column to summarise.
    confidence
        Two-sided confidence level, e.g. 0.95.

    Returns
    -------
    DataFrame
        ``*by, mean, std, ci_low, ci_high, n`` (``n`` = number of non-missing values).
    """
    confidence = check_confidence(confidence)
    missing = [c for c in (*by, value) if c not in frame.columns]
    if missing:
        raise ValueError(f"summarise: column(s) {missing} not in frame (columns: {list(frame.columns)})")
    grouped = frame.groupby(list(by), sort=False, observed=True)[value]
    out = grouped.agg(mean="mean", std="std", n="count").reset_index()
    n = out["n"].to_numpy()
    tcrit = np.array([t_critical(int(k), confidence) for k in n])
    with np.errstate(invalid="ignore", divide="ignore"):
        half = tcrit * out["std"].to_numpy() / np.sqrt(n)
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    out["n"] = out["n"].astype("int64")
    return out[[*by, *SUMMARY_COLUMNS]]


def paired_differences(frame: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Per-replication differences ``policy - baseline`` of every KPI.

    Replication *r* of a policy is matched with replication *r* of the baseline
    (same random numbers under CRN).  The baseline itself is left out.

    Parameters
    ----------
    frame
        Tidy replications ``policy, replication, kpi, value``.
    baseline
        Name of the reference policy.

    Returns
    -------
    DataFrame
        ``policy, replication, kpi, value, baseline_value, diff`` in the row order of ``frame``.
    """
    cols = ["policy", "replication", "kpi", "value"]
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ValueError(f"paired_differences: column(s) {missing} not in frame")
    if not (frame["policy"] == baseline).any():
        raise ValueError(f"baseline {baseline!r} not in frame policies {list(pd.unique(frame['policy']))}")
    base = frame.loc[frame["policy"] == baseline, ["replication", "kpi", "value"]]
    base = base.rename(columns={"value": "baseline_value"})
    others = frame.loc[frame["policy"] != baseline, cols]
    merged = others.merge(base, on=["replication", "kpi"], how="left", validate="many_to_one", sort=False)
    unmatched = merged["baseline_value"].isna() & merged["value"].notna()
    if unmatched.any():
        row = merged.loc[unmatched].iloc[0]
        raise ValueError(
            f"paired_differences: policy {row['policy']!r} replication {row['replication']} kpi {row['kpi']!r} "
            f"has no baseline ({baseline!r}) value to pair with"
        )
    merged["diff"] = merged["value"] - merged["baseline_value"]
    return merged


def paired_summary(frame: pd.DataFrame, baseline: str, confidence: float = 0.95) -> pd.DataFrame:
    """Mean paired difference vs ``baseline`` with a t-CI, per ``policy x kpi``.

    The CI is the one-sample t interval of the per-replication differences (the
    paired t interval).  Relative columns express the difference and its CI in
    percent of the baseline mean (``nan`` when the baseline mean is 0).

    Returns
    -------
    DataFrame
        ``policy, kpi, baseline, baseline_mean, diff_mean, diff_std, ci_low, ci_high, n,
        rel_diff_pct, rel_ci_low_pct, rel_ci_high_pct``.
    """
    diffs = paired_differences(frame, baseline)
    out = summarise(diffs, by=("policy", "kpi"), value="diff", confidence=confidence)
    out = out.rename(columns={"mean": "diff_mean", "std": "diff_std"})
    base_mean = (
        frame.loc[frame["policy"] == baseline].groupby("kpi", sort=False)["value"].mean().rename("baseline_mean")
    )
    out = out.merge(base_mean, left_on="kpi", right_index=True, how="left")
    out["baseline"] = baseline
    denom = out["baseline_mean"].abs().where(out["baseline_mean"] != 0)
    out["rel_diff_pct"] = 100.0 * out["diff_mean"] / denom
    out["rel_ci_low_pct"] = 100.0 * out["ci_low"] / denom
    out["rel_ci_high_pct"] = 100.0 * out["ci_high"] / denom
    return out[["policy", "kpi", *PAIRED_COLUMNS]].reset_index(drop=True)


@dataclass(frozen=True)
class VarianceRatio:
    """``var(a) / var(b)`` with an F-distribution confidence interval (assumes roughly normal samples)."""

    ratio: float
    ci_low: float
    ci_high: float
    n_a: int
    n_b: int


def variance_ratio(
    a: Sequence[float] | np.ndarray | pd.Series,
    b: Sequence[float] | np.ndarray | pd.Series,
    confidence: float = 0.95,
) -> VarianceRatio:
    """Ratio of sample variances ``var(a) / var(b)`` and its CI.

    Use it to measure variance reduction: ``a`` = paired differences under common
    random numbers, ``b`` = the same differences with independent streams.  A
    ratio of 0.2 means CRN needs about five times fewer replications for the
    same CI width.  ``(var(a)/var(b)) / (sa^2/sb^2)`` follows ``F(n_a-1, n_b-1)``
    for independent normal samples, which gives the interval.
    """
    confidence = check_confidence(confidence)
    xa = np.asarray(a, dtype="float64")
    xb = np.asarray(b, dtype="float64")
    xa, xb = xa[~np.isnan(xa)], xb[~np.isnan(xb)]
    if xa.size < 2 or xb.size < 2:
        raise ValueError(f"variance_ratio needs at least 2 values in each sample, got {xa.size} and {xb.size}")
    va, vb = float(xa.var(ddof=1)), float(xb.var(ddof=1))
    if vb == 0:
        raise ValueError("variance_ratio: the second sample has zero variance")
    ratio = va / vb
    dfa, dfb = xa.size - 1, xb.size - 1
    alpha = 1.0 - confidence
    lo = ratio / float(_st.f.ppf(1 - alpha / 2, dfa, dfb))
    hi = ratio / float(_st.f.ppf(alpha / 2, dfa, dfb))
    return VarianceRatio(ratio, lo, hi, int(xa.size), int(xb.size))
