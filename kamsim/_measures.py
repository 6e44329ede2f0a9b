"""Numeric kernels shared below the analytics layer: concentration of value.

KAM example: "the top 20% of our accounts hold 80% of potential spend".  A
:class:`~kamsim.portfolio.Portfolio` reports that share of its own accounts, and
:mod:`kamsim.analytics.concentration` reports it for any values; both compute it here,
so the portfolio does not depend on the analytics layer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def nonnegative_values(values: Sequence[float] | pd.Series | np.ndarray) -> np.ndarray:
    """``values`` as a 1-D float64 array; ``ValueError`` if not 1-D, if NaN, or if negative."""
    arr = np.asarray(values, dtype="float64")
    if arr.ndim != 1:
        raise ValueError("values must be one-dimensional")
    if np.isnan(arr).any():
        raise ValueError("values contain NaN")
    if (arr < 0).any():
        raise ValueError("values must be non-negative")
    return arr


def top_share(values: Sequence[float] | pd.Series | np.ndarray, top: float = 0.2) -> float:
    """Share (0-1) of the total held by the largest ``ceil(top * n)`` values; 0 when the total is 0."""
    if not 0 < top <= 1:
        raise ValueError(f"top must be in (0, 1], got {top}")
    arr = np.sort(nonnegative_values(values))[::-1]
    if arr.size == 0 or arr.sum() == 0:
        return 0.0
    k = int(np.ceil(top * arr.size))
    return float(arr[:k].sum() / arr.sum())


def abc_codes(values: Sequence[float] | pd.Series | np.ndarray, thresholds: tuple[float, float] = (0.8, 0.95)) -> np.ndarray:
    """ABC class per value as int8 codes 0 = A, 1 = B, 2 = C (the array kernel of ``analytics.abc_classes``).

    A value is A while the share of the total held by all larger values (ties: earlier first) is below
    ``thresholds[0]``, B while below ``thresholds[1]``, else C.  ``ValueError`` for NaN, negative values or
    thresholds outside ``0 < A < B <= 1``.
    """
    a, b = thresholds
    if not 0 < a < b <= 1:
        raise ValueError(f"thresholds must satisfy 0 < A < B <= 1, got {thresholds}")
    arr = nonnegative_values(values)
    order = np.argsort(-arr, kind="stable")  # largest first, ties in input order
    ranked = arr[order]
    total = ranked.sum()
    before = (np.cumsum(ranked) - ranked) / (total if total > 0 else 1.0)
    codes = np.empty(arr.size, dtype=np.int8)
    codes[order] = np.where(before < a, 0, np.where(before < b, 1, 2))
    return codes
