"""Inputs of the "buy till you die" models: checks of frequency, recency, T and their unit (private).

Shared by :class:`~kamsim.analytics.lifetime_value.BetaGeoFitter` and
:class:`~kamsim.analytics.pareto_nbd.ParetoNBDFitter` (and :func:`~kamsim.analytics.lifetime_value.clv`):

* :func:`as_array` and :func:`check_frt` turn the inputs into finite float arrays and name the first bad row;
* :func:`units` reads the model period (``attrs["periods_per_month"]`` of :func:`~kamsim.analytics.rfm.rfm_table`
  columns) and :func:`fit_unit` checks the three inputs of a fit agree on it;
* :func:`compress` gives the distinct ``(x, t_x, T)`` rows and their counts (one likelihood term each).
"""

from __future__ import annotations

import numpy as np


def units(*values) -> set[float]:
    """The ``attrs["periods_per_month"]`` carried by pandas inputs (e.g. columns of an rfm_table)."""
    return {float(v.attrs["periods_per_month"]) for v in values if "periods_per_month" in getattr(v, "attrs", {})}


def same_unit(a: float, b: float) -> bool:
    """True if two periods-per-month values agree to 0.1 %."""
    return abs(a - b) <= 1e-3 * max(abs(a), abs(b))


def as_array(x, name: str) -> np.ndarray:
    """``x`` as a one-dimensional float array of finite values (``ValueError`` naming ``name`` and the row)."""
    arr = np.asarray(x, dtype="float64")
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    bad = np.flatnonzero(~np.isfinite(arr))
    if len(bad):
        raise ValueError(f"{name}: row {int(bad[0])} is {arr[bad[0]]}; values must be finite")
    return arr


def check_frt(frequency, recency, T) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Checked ``(x, t_x, T)`` arrays: whole ``x >= 0``, ``0 <= t_x <= T``, ``t_x = 0`` when ``x = 0``, ``T > 0``."""
    x, tx, t = as_array(frequency, "frequency"), as_array(recency, "recency"), as_array(T, "T")
    if not len(x) == len(tx) == len(t):
        raise ValueError(f"frequency, recency and T must have the same length ({len(x)}, {len(tx)}, {len(t)})")
    checks = [
        ((x < 0) | (x != np.round(x)), "frequency", "must be a whole number >= 0"),
        (tx < 0, "recency", "must be >= 0"),
        (tx > t + 1e-9, "recency", "must not exceed T"),
        ((x == 0) & (tx != 0), "recency", "must be 0 when frequency is 0"),
        (t <= 0, "T", "must be > 0"),
    ]
    for mask, name, msg in checks:
        rows = np.flatnonzero(mask)
        if len(rows):
            raise ValueError(f"{name}: row {int(rows[0])} {msg} (frequency={x[rows[0]]}, recency={tx[rows[0]]}, T={t[rows[0]]})")
    return x, tx, t


def fit_unit(where: str, frequency, recency, T) -> float | None:
    """The model periods per month carried by the inputs of a fit (None if unknown); ``ValueError`` if they differ."""
    found = units(frequency, recency, T)
    if len(found) > 1:
        raise ValueError(f"{where}: frequency, recency and T come from tables with different periods {sorted(found)}")
    return found.pop() if found else None


def compress(x: np.ndarray, tx: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct ``(x, t_x, T)`` rows and how many customers share each: ``(x, t_x, T, weight)``."""
    keys, counts = np.unique(np.column_stack([x, tx, t]), axis=0, return_counts=True)
    return keys[:, 0], keys[:, 1], keys[:, 2], counts.astype(float)
