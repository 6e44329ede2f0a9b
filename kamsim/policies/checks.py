"""Helpers for writing policies: read ``state`` columns safely and check what a policy returns.

A custom policy reads the monthly snapshot with :func:`column` (float array, missing values filled, the
policy named in every error), :func:`in_stages` / :func:`active_mask`, and shares a budget with
:func:`cap_to_budget`.  The bundle checks every decision with :func:`check_hours` and
:func:`check_discounts`; constructors check their settings with :func:`check_non_negative`,
:func:`check_fraction` and :func:`check_capacity`.  Every error is a ``ValueError`` that names the policy.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from kamsim.vocabulary import INACTIVE_STAGES

#: Largest discount a pricing policy may give (share of list price); ``PricingPolicy.max_discount``.
MAX_DISCOUNT: float = 0.5


def require_columns(state: pd.DataFrame, columns: Iterable[str], policy: str) -> None:
    """Raise ``ValueError`` naming the policy and the missing ``state`` columns."""
    if not isinstance(state, pd.DataFrame):
        raise ValueError(f"policy {policy!r}: state must be a pandas DataFrame, got {type(state).__name__}")
    missing = [c for c in columns if c not in state.columns]
    if missing:
        raise ValueError(f"policy {policy!r}: state is missing column(s) {missing}")


def column(state: pd.DataFrame, name: str, policy: str, fill: float = 0.0) -> np.ndarray:
    """Column ``name`` of ``state`` as a float64 array, missing values replaced by ``fill``."""
    require_columns(state, [name], policy)
    values = state[name]
    if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
        try:
            values = pd.to_numeric(values, errors="raise")
        except (TypeError, ValueError):
            raise ValueError(
                f"policy {policy!r}: state column {name!r} must be numeric, got dtype {values.dtype}"
            ) from None
    arr = values.to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isnan(arr), fill, arr)


def in_stages(state: pd.DataFrame, stages: Iterable[str], policy: str) -> np.ndarray:
    """Boolean array: is the account's ``stage`` one of ``stages``."""
    require_columns(state, ["stage"], policy)
    return state["stage"].isin(list(stages)).to_numpy(dtype=bool)


def active_mask(state: pd.DataFrame, policy: str = "allocation") -> np.ndarray:
    """Boolean array: accounts that may receive regular hours (stage not in :data:`INACTIVE_STAGES`)."""
    return ~in_stages(state, INACTIVE_STAGES, policy)


def cap_to_budget(hours: np.ndarray, priority: np.ndarray, budget_hours: float | None) -> np.ndarray:
    """Cut ``hours`` so that they sum to at most ``budget_hours``, serving the highest ``priority`` first.

    Accounts are served in decreasing priority (ties: original order); the
    account that crosses the budget gets the remainder, later ones get 0.
    ``budget_hours=None`` means no cap.
    """
    hours = np.asarray(hours, dtype="float64")
    if budget_hours is None or hours.sum() <= budget_hours:
        return hours
    order = np.argsort(-np.asarray(priority, dtype="float64"), kind="stable")
    sorted_hours = hours[order]
    before = np.cumsum(sorted_hours) - sorted_hours
    granted = np.clip(budget_hours - before, 0.0, sorted_hours)
    out = np.empty_like(hours)
    out[order] = granted
    return out


def check_hours(values: object, index: pd.Index, what: str, policy: str) -> np.ndarray:
    """A policy's hours Series as float hours aligned to ``index`` (missing = 0).

    Raises
    ------
    ValueError
        Naming the policy and ``what`` it was asked, for a non-Series or for hours that are
        negative or not finite (with the first such account).
    """
    if not isinstance(values, pd.Series):
        raise ValueError(f"policy {policy!r}: {what} must return a pandas Series, got {type(values).__name__}")
    if not values.index.equals(index):
        values = values.reindex(index)
    arr = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    arr = np.where(np.isnan(arr), 0.0, arr)
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"policy {policy!r}: {what} returned {float(arr[row])!r} hours for account {index[row]!r}; need finite >= 0"
        )
    return arr


def check_discounts(values: object, index: pd.Index, policy: str) -> np.ndarray:
    """A pricing policy's discounts aligned to ``index`` (missing = 0), each in [0, :data:`MAX_DISCOUNT`].

    Raises
    ------
    ValueError
        Naming the policy, for a non-Series or a discount outside the range (with the first such account).
    """
    if not isinstance(values, pd.Series):
        raise ValueError(f"policy {policy!r}: price(state) must return a pandas Series, got {type(values).__name__}")
    if not values.index.equals(index):
        values = values.reindex(index)
    arr = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    arr = np.where(np.isnan(arr), 0.0, arr)
    bad = ~np.isfinite(arr) | (arr < 0) | (arr > MAX_DISCOUNT)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"policy {policy!r}: price(state) returned a discount of {float(arr[row])!r} for account {index[row]!r}; "
            f"need 0 <= discount <= {MAX_DISCOUNT} (share of list price)"
        )
    return arr


def check_capacity(capacity_hours: float, policy: str) -> float:
    """Validate ``capacity_hours`` (finite, >= 0) and return it as float."""
    try:
        cap = float(capacity_hours)
    except (TypeError, ValueError):
        raise ValueError(f"policy {policy!r}: capacity_hours must be a number, got {capacity_hours!r}") from None
    if not np.isfinite(cap) or cap < 0:
        raise ValueError(f"policy {policy!r}: capacity_hours must be finite and >= 0, got {capacity_hours!r}")
    return cap


def check_non_negative(value: float | None, field: str, policy: str, *, allow_none: bool = False) -> float | None:
    """Validate a non-negative finite setting; the message names the policy and the field."""
    if value is None and allow_none:
        return None
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"policy {policy!r}: {field} must be a number, got {value!r}") from None
    if not np.isfinite(v) or v < 0:
        raise ValueError(f"policy {policy!r}: {field} must be finite and >= 0, got {value!r}")
    return v


def check_fraction(value: float, field: str, policy: str, *, low_open: bool = False) -> float:
    """Validate a share in [0, 1] (or (0, 1] with ``low_open``); the message names the policy and the field."""
    v = check_non_negative(value, field, policy)
    assert v is not None
    if v > 1 or (low_open and v == 0):
        interval = "(0, 1]" if low_open else "[0, 1]"
        raise ValueError(f"policy {policy!r}: {field} must be in {interval}, got {value!r}")
    return v
