"""Small computations shared by several :mod:`kamsim.analytics` modules (private).

KAM example: "revenue of the last 12 months", "margin per unit of revenue",
"orders of accounts we cannot look up" -- the same few steps recur in the
relationship, team, pricing, contribution, needs and forecast analytics, and
are written once here:

* windows of months of a CRM log: :func:`month_window`, :func:`in_window`, :func:`account_index`;
* the value measures of the needs and forecast tables: :data:`VALUES`, :func:`check_value`, :func:`measure`;
* :func:`ratio` (NaN where the denominator is not positive) and the :data:`UNKNOWN` group label.

Every name here is imported by the public modules; none is part of the public API
(:func:`month_window` is published as :func:`kamsim.analytics.relationships.month_window`).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from kamsim.analytics._validation import require_columns

#: Group label of orders or accounts whose key cannot be looked up (missing product, unknown account).
UNKNOWN: str = "(unknown)"

#: Value measures of :func:`kamsim.analytics.product_mix` and :func:`kamsim.analytics.revenue_trend`.
VALUES: tuple[str, ...] = ("amount", "margin", "orders")


# ----------------------------------------------------------------------------- ratios


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` where the denominator is > 0, else NaN (float arrays)."""
    return np.divide(numerator, denominator, out=np.full_like(numerator, np.nan), where=denominator > 0)


# ----------------------------------------------------------------------------- value measures


def check_value(value: str, where: str) -> None:
    """``ValueError`` unless ``value`` is one of :data:`VALUES`."""
    if value not in VALUES:
        raise ValueError(f"{where}: value must be one of {list(VALUES)}, got {value!r}")


def measure(t: pd.DataFrame, value: str) -> pd.Series:
    """The per-row quantity of a canonical log to add up: amount (CU), margin (CU) or 1 per order."""
    if value == "orders":
        return pd.Series(1.0, index=t.index)
    if value == "margin" and t["margin"].isna().all():
        raise ValueError("value='margin': the log has no margin column")
    return t[value].astype("float64").fillna(0.0)


# ----------------------------------------------------------------------------- windows of months


def month_window(events: pd.DataFrame, months: int | tuple[int, int] | None = None) -> tuple[int, int]:
    """Resolve a window specification to ``(first, last)`` month indices (inclusive).

    Parameters
    ----------
    events : DataFrame
        Activity log with a ``month`` column.
    months : int, (int, int) or None
        ``None``: every month in the log; ``n``: the last ``n`` months of the
        log; ``(first, last)``: those months.
    """
    require_columns(events, ["month"], "events", check_type=True)
    if isinstance(months, tuple | list):
        if len(months) != 2:
            raise ValueError(f"months: expected (first, last), got {months!r}")
        first, last = int(months[0]), int(months[1])
        if first > last:
            raise ValueError(f"months: first month {first} is after last month {last}")
        return first, last
    if len(events) == 0:
        raise ValueError("events: the log is empty, so a window of months cannot be derived")
    lo, hi = int(events["month"].min()), int(events["month"].max())
    if months is None:
        return lo, hi
    if isinstance(months, bool) or not isinstance(months, int | np.integer) or months < 1:
        raise ValueError(f"months: expected None, a number of months >= 1 or (first, last), got {months!r}")
    return hi - int(months) + 1, hi


def in_window(events: pd.DataFrame, window: tuple[int, int]) -> pd.DataFrame:
    """The rows of ``events`` whose ``month`` is in ``window`` (inclusive)."""
    month = events["month"]
    return events[(month >= window[0]) & (month <= window[1])]


def account_index(ids: Iterable[str]) -> pd.Index:
    """String index ``account_id`` of the distinct ``ids``, in order of first appearance."""
    return pd.Index(pd.unique(pd.Series(list(ids), dtype="string")), name="account_id", dtype="string")
