"""Contact cadence (联系节奏): how often each tier of accounts hears from its account manager.

KAM example: a sales director with too few account-manager hours writes a
contact plan -- "A accounts every month, B accounts every quarter, C accounts
twice a year".  In a given month only the accounts that are *due* get a
contact, and the team's hours are shared among them.  Compare this with the
other allocation rules in :mod:`kamsim.policies.allocation.shares`, which touch every
active account every month and only vary *how many* hours each gets.

:class:`CadenceAllocation` implements such a plan as an allocation policy:

* every tier label has a contact **interval** in months (1 = every month,
  3 = every quarter, ...); tiers not listed use ``default_interval``;
* an account with interval ``k`` is due in month ``m`` when
  ``(m + offset) % k == 0``; its ``offset`` comes from a stable hash of its
  ``account_id`` (CRC-32), so about ``1/k`` of a tier is due each month and the
  workload is level across months (stagger, 错峰);
* the month's capacity is split among the due accounts in proportion to the
  weight of their tier (``weights``, default 1 for every tier): a due account
  gets a "contact" of ``capacity * weight / sum(weights of due accounts)`` hours.

The policy stays a pure function of ``state`` (it reads the ``month``,
``tier``, ``stage`` columns and the index): no randomness, no memory.

>>> import pandas as pd
>>> from kamsim.policies import CadenceAllocation
>>> state = pd.DataFrame({"stage": ["mature", "mature"], "tier": ["A", "C"], "month": [0, 0]},
...                      index=pd.Index(["A00001", "A00002"], name="account_id"))
>>> CadenceAllocation({"A": 1, "C": 1}).allocate(state, 10.0).tolist()
[5.0, 5.0]
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

import numpy as np
import pandas as pd

from kamsim.policies.base import AllocationPolicy
from kamsim.policies.checks import active_mask, check_capacity, check_non_negative, column, in_stages, require_columns
from kamsim.policies.registry import register

#: Default contact intervals (months) of :class:`CadenceAllocation` for ABC tiers:
#: A monthly, B quarterly, C half-yearly.
DEFAULT_INTERVALS: dict[str, int] = {"A": 1, "B": 3, "C": 6}


def _check_interval(value: object, field: str, policy: str) -> int:
    """Validate a contact interval: a whole number of months >= 1."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        if not (isinstance(value, float) and float(value).is_integer()):
            raise ValueError(f"policy {policy!r}: {field} must be a whole number of months >= 1, got {value!r}")
    if int(value) < 1:  # type: ignore[arg-type]
        raise ValueError(f"policy {policy!r}: {field} must be a whole number of months >= 1, got {value!r}")
    return int(value)  # type: ignore[arg-type]


def stagger_offsets(account_ids: pd.Index | list[str]) -> np.ndarray:
    """Stable non-negative integer per account id (CRC-32 of the id text), used to stagger contacts.

    The same id always gives the same number, on every machine and Python
    version (unlike the built-in ``hash`` of a string).
    """
    return np.array([zlib.crc32(str(a).encode("utf-8")) for a in account_ids], dtype="int64")


@register
class CadenceAllocation(AllocationPolicy):
    """Contact every tier at its own interval (A monthly, B quarterly, ...); due accounts share the hours.

    Parameters
    ----------
    intervals : mapping of str to int, optional
        Contact interval per tier label, in months (>= 1); default
        :data:`DEFAULT_INTERVALS` (``{"A": 1, "B": 3, "C": 6}``).
    weights : mapping of str to float, optional
        Relative size of one contact per tier (>= 0); the hours of a month are
        split among the due accounts in proportion to these weights.  Default:
        1 for every tier (every due account gets the same hours).
    default_interval : int
        Interval (months) of accounts whose tier is missing or not in ``intervals``.
    default_weight : float
        Weight of accounts whose tier is missing or not in ``weights``.
    include_prospects : bool
        Whether prospects are contacted (acquisition effort) on their tier's cadence.

    Notes
    -----
    With ``intervals`` all 1 and equal weights this is :class:`~kamsim.policies.EqualAllocation`;
    with intervals all 1 and tier weights it is :class:`~kamsim.policies.TierAllocation`.
    Months in which no account is due leave the capacity unused.
    """

    name = "cadence"

    def __init__(
        self,
        intervals: Mapping[str, int] | None = None,
        weights: Mapping[str, float] | None = None,
        default_interval: int = 1,
        default_weight: float = 1.0,
        include_prospects: bool = True,
    ) -> None:
        self.intervals = None if intervals is None else dict(intervals)
        self.weights = None if weights is None else dict(weights)
        self.default_interval = default_interval
        self.default_weight = default_weight
        self.include_prospects = include_prospects
        _check_interval(default_interval, "default_interval", self.name)
        check_non_negative(default_weight, "default_weight", self.name)
        for tier, k in (self.intervals or {}).items():
            _check_interval(k, f"intervals[{tier!r}]", self.name)
        for tier, w in (self.weights or {}).items():
            check_non_negative(w, f"weights[{tier!r}]", self.name)

    def _per_tier(self, state: pd.DataFrame, mapping: Mapping[str, float], default: float) -> np.ndarray:
        require_columns(state, ["tier"], self.name)
        mapped = state["tier"].astype("object").map(dict(mapping)).to_numpy(dtype="float64", na_value=np.nan)
        return np.where(np.isnan(mapped), float(default), mapped)

    def interval(self, state: pd.DataFrame) -> np.ndarray:
        """Contact interval per account from its tier (months, int array)."""
        intervals = DEFAULT_INTERVALS if self.intervals is None else self.intervals
        return self._per_tier(state, intervals, self.default_interval).astype("int64")

    def weight(self, state: pd.DataFrame) -> np.ndarray:
        """Relative size of a contact per account from its tier (float array)."""
        return self._per_tier(state, self.weights or {}, self.default_weight)

    def due(self, state: pd.DataFrame) -> np.ndarray:
        """Boolean array: the account is active (and eligible) and its contact falls in this month.

        An account with interval ``k`` is due when ``(month + offset) % k == 0``,
        ``offset`` = :func:`stagger_offsets` of its id.
        """
        month = column(state, "month", self.name).astype("int64")
        k = self.interval(state)
        on_cycle = (month + stagger_offsets(state.index)) % k == 0
        mask = active_mask(state, self.name) & on_cycle
        if not self.include_prospects:
            mask &= ~in_stages(state, ["prospect"], self.name)
        return mask

    def allocate(self, state: pd.DataFrame, capacity_hours: float) -> pd.Series:
        """Capacity split over the due accounts in proportion to their tier weight (h); others get 0."""
        cap = check_capacity(capacity_hours, self.name)
        w = np.where(self.due(state), self.weight(state), 0.0)
        total = w.sum()
        hours = cap * w / total if total > 0 else np.zeros(len(state))
        return self._allocation(state, hours)


__all__ = ["DEFAULT_INTERVALS", "CadenceAllocation", "stagger_offsets"]
