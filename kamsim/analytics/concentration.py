"""Concentration of value: Lorenz curve, Gini, top-k% share and ABC classes.

KAM example: "do 20% of our accounts bring 80% of revenue?" (the Pareto or
80/20 rule, 二八法则).  Sort accounts by value, accumulate, and read off the
share held by the top 20% -- that is :func:`top_share`.  ABC grading (ABC分类)
cuts the same cumulative curve at, by default, 80% and 95% of value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kamsim._measures import abc_codes as _abc_codes
from kamsim._measures import nonnegative_values as _values
from kamsim._measures import top_share as _top_share


def lorenz_curve(values: Sequence[float] | pd.Series | np.ndarray) -> pd.DataFrame:
    """Lorenz curve of ``values`` (e.g. annual revenue per account, CU).

    Returns a DataFrame with columns ``share_of_accounts`` and
    ``share_of_value``, starting at (0, 0) and ending at (1, 1), accounts
    sorted from smallest to largest value.
    """
    arr = np.sort(_values(values))
    n = arr.size
    total = arr.sum()
    cum = np.concatenate([[0.0], np.cumsum(arr)]) / (total if total > 0 else 1.0)
    if total == 0:
        cum = np.linspace(0.0, 1.0, n + 1)
    return pd.DataFrame({"share_of_accounts": np.arange(n + 1) / max(n, 1), "share_of_value": cum})


def gini(values: Sequence[float] | pd.Series | np.ndarray) -> float:
    """Gini coefficient in [0, 1): 0 = every account worth the same, near 1 = one account holds all value."""
    arr = np.sort(_values(values))
    n = arr.size
    if n == 0 or arr.sum() == 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    g = (2.0 * np.sum(ranks * arr)) / (n * arr.sum()) - (n + 1.0) / n
    return float(min(max(g, 0.0), 1.0))  # clip float rounding (e.g. -2e-16 for equal values)


def top_share(values: Sequence[float] | pd.Series | np.ndarray, top: float = 0.2) -> float:
    """Share of total value held by the largest ``top`` fraction of accounts (0-1).

    The number of top accounts is ``ceil(top * n)``.
    """
    return _top_share(values, top)


def abc_classes(values: pd.Series, thresholds: tuple[float, float] = (0.8, 0.95)) -> pd.Series:
    """ABC class per account: 'A' while cumulative value share (largest first) is within the first threshold.

    An account is 'A' if the value of all larger accounts is below
    ``thresholds[0]`` of the total (so the account that crosses 80% is still
    'A'), 'B' likewise for ``thresholds[1]``, else 'C'.  Returns a Series with
    the index of ``values``.
    """
    codes = _abc_codes(values, thresholds)
    return pd.Series(np.array(["A", "B", "C"], dtype=object)[codes], index=values.index, name="abc_class")


def abc_summary(values: pd.Series, thresholds: tuple[float, float] = (0.8, 0.95)) -> pd.DataFrame:
    """ABC summary table: one row per class A, B, C (always all three, possibly empty).

    Columns: ``class``, ``accounts`` (count), ``share_of_accounts`` (0-1),
    ``value`` (sum of ``values`` in the class, same unit as ``values``) and
    ``share_of_value`` (0-1).  Classes are those of :func:`abc_classes`.
    """
    classes = abc_classes(values, thresholds)
    v = pd.Series(_values(values), index=values.index)
    n, total = len(v), float(v.sum())
    counts = classes.value_counts().reindex(["A", "B", "C"], fill_value=0)
    sums = v.groupby(classes.to_numpy()).sum().reindex(["A", "B", "C"], fill_value=0.0)
    return pd.DataFrame(
        {
            "class": ["A", "B", "C"],
            "accounts": counts.to_numpy().astype("int64"),
            "share_of_accounts": counts.to_numpy() / n if n else np.zeros(3),
            "value": sums.to_numpy(dtype="float64"),
            "share_of_value": sums.to_numpy(dtype="float64") / total if total > 0 else np.zeros(3),
        }
    )
