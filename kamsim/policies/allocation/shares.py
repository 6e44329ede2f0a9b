"""Allocation policies: how the account managers' regular monthly hours are shared out.

KAM example: a team of 20 account managers has about 2,400 hours a month for
10,000 accounts.  Spreading them evenly gives each account 14 minutes; KAM
practice concentrates them on the accounts that matter (资源向重点客户倾斜).
kamsim offers four rules, each a small class with one method
``allocate(state, capacity_hours)``:

* :class:`EqualAllocation` -- ``capacity / n_active`` each (hook ``eligible(state)``);
* :class:`TierAllocation` -- in proportion to the weight of the account's tier (hook ``weight(state)``);
* :class:`ValueProportionalAllocation` -- a floor share equally, the rest in proportion to value
  (hook ``value(state)``);
* :class:`GreedyMarginalROI` -- blocks of hours to the largest marginal expected margin saved
  (hook ``value(state)``).

Only active accounts (stage not ``"lost"``) receive hours; prospects may
receive acquisition hours.  The returned hours sum to at most ``capacity_hours``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from kamsim.policies.base import AllocationPolicy
from kamsim.policies.checks import (
    active_mask,
    check_capacity,
    check_fraction,
    check_non_negative,
    column,
    in_stages,
    require_columns,
)
from kamsim.policies.registry import register

#: Default tier weights of :class:`TierAllocation`, covering the labels of every built-in segmentation.
DEFAULT_TIER_WEIGHTS: dict[str, float] = {
    # ABC
    "A": 4.0, "B": 2.0, "C": 1.0,
    # value x potential (核心 / 重要 / 一般)
    "core": 4.0, "important": 2.0, "general": 1.0,
    # KAM matrix quadrants
    "strategic": 4.0, "develop": 2.5, "maintain": 1.5, "streamline": 0.5,
    # screening
    "key": 4.0, "standard": 1.0,
    # RFM
    "champions": 3.0, "loyal": 2.5, "at_risk": 3.0, "new": 2.0, "needs_attention": 1.5, "hibernating": 0.5,
}  # fmt: skip


def _share(capacity: float, weights: np.ndarray) -> np.ndarray:
    """Split ``capacity`` in proportion to non-negative ``weights`` (all zero -> nothing)."""
    total = weights.sum()
    if total <= 0:
        return np.zeros_like(weights)
    return capacity * (weights / total)


@register
class EqualAllocation(AllocationPolicy):
    """Every active account gets the same hours (平均分配, the status quo).

    Parameters
    ----------
    include_prospects : bool
        Whether prospects share the hours (acquisition effort).
    """

    name = "equal"

    def __init__(self, include_prospects: bool = True) -> None:
        self.include_prospects = include_prospects

    def eligible(self, state: pd.DataFrame) -> np.ndarray:
        """Boolean array of accounts that share the hours: active, and prospects only if ``include_prospects``."""
        mask = active_mask(state, self.name)
        if not self.include_prospects:
            mask &= ~in_stages(state, ["prospect"], self.name)
        return mask

    def allocate(self, state: pd.DataFrame, capacity_hours: float) -> pd.Series:
        """``capacity_hours / n`` for each of the ``n`` eligible accounts (h)."""
        cap = check_capacity(capacity_hours, self.name)
        return self._allocation(state, _share(cap, self.eligible(state).astype("float64")))


@register
class TierAllocation(AllocationPolicy):
    """Hours in proportion to a weight per tier (分级服务): e.g. an A account gets four times a C account.

    Reads the ``tier`` column of ``state`` (the bundle puts this month's tiers there).

    Parameters
    ----------
    weights : mapping of str to float, optional
        Weight per tier label (>= 0); default :data:`DEFAULT_TIER_WEIGHTS`.
    default_weight : float
        Weight of accounts whose tier is missing or not in ``weights``.
    """

    name = "tier"

    def __init__(self, weights: Mapping[str, float] | None = None, default_weight: float = 1.0) -> None:
        self.weights = None if weights is None else dict(weights)
        self.default_weight = default_weight
        check_non_negative(default_weight, "default_weight", self.name)
        for tier, w in (self.weights or {}).items():
            check_non_negative(w, f"weights[{tier!r}]", self.name)

    def weight(self, state: pd.DataFrame) -> np.ndarray:
        """Weight per account from its tier (float array)."""
        require_columns(state, ["tier"], self.name)
        weights = DEFAULT_TIER_WEIGHTS if self.weights is None else self.weights
        tier = state["tier"].astype("object")
        mapped = tier.map(weights).to_numpy(dtype="float64", na_value=np.nan)
        return np.where(np.isnan(mapped), float(self.default_weight), mapped)

    def allocate(self, state: pd.DataFrame, capacity_hours: float) -> pd.Series:
        """Capacity split over active accounts in proportion to their tier weight (h)."""
        cap = check_capacity(capacity_hours, self.name)
        w = np.where(active_mask(state, self.name), self.weight(state), 0.0)
        return self._allocation(state, _share(cap, w))


@register
class ValueProportionalAllocation(AllocationPolicy):
    """Hours in proportion to account value, after a small equal floor (按价值分配).

    Parameters
    ----------
    value_col : str
        State column with account value (CU); default ``revenue_12m``.
    fallback_col : str
        Used instead when ``value_col`` is zero for every active account (no
        revenue history yet); default ``annual_potential_spend``.
    floor_share : float
        Share (0-1) of the capacity split equally over all active accounts, so
        new accounts and prospects are not starved.
    """

    name = "value"

    def __init__(
        self,
        value_col: str = "revenue_12m",
        fallback_col: str = "annual_potential_spend",
        floor_share: float = 0.1,
    ) -> None:
        self.value_col = value_col
        self.fallback_col = fallback_col
        self.floor_share = floor_share
        check_fraction(floor_share, "floor_share", self.name)

    def value(self, state: pd.DataFrame) -> np.ndarray:
        """Value per account (CU, >= 0); the fallback column when the value column is all zero on active accounts."""
        active = active_mask(state, self.name)
        v = np.maximum(column(state, self.value_col, self.name), 0.0)
        if not (v[active] > 0).any():
            v = np.maximum(column(state, self.fallback_col, self.name), 0.0)
        return v

    def allocate(self, state: pd.DataFrame, capacity_hours: float) -> pd.Series:
        """Floor share equally plus the rest in proportion to value, over active accounts (h)."""
        cap = check_capacity(capacity_hours, self.name)
        active = active_mask(state, self.name)
        value = np.where(active, self.value(state), 0.0)
        floor_cap = cap * float(self.floor_share)
        if value.sum() <= 0:  # nothing to be proportional to: all capacity equally
            floor_cap = cap
        hours = _share(floor_cap, active.astype("float64")) + _share(cap - floor_cap, value)
        return self._allocation(state, hours)


@register
class GreedyMarginalROI(AllocationPolicy):
    """Greedy allocation in blocks of hours by marginal expected margin saved per hour (按边际投资回报率分配).

    Response curve: ``h`` hours on an account save ``value * (1 - exp(-h / h0))``
    CU of expected margin, where ``value = churn_risk * margin_12m`` (hook
    :meth:`value`).  Greedy repeatedly gives one block of ``block_hours`` to
    the account whose next block saves the most.  Because each account's
    successive block gains shrink geometrically, the greedy result equals "take
    the ``n_blocks`` largest block gains overall"; it is computed by bisection
    on the gain threshold (closed-form block counts per account) instead of a
    heap loop, so 10,000 accounts take a few milliseconds.

    Capacity left over when no account has positive value (or less than one
    block) is shared equally among active accounts when ``spread_leftover``.

    Parameters
    ----------
    block_hours : float
        Size of one block (h, > 0).
    h0 : float
        Response scale (h, > 0): ``h0`` hours achieve 63% of an account's value.
    spread_leftover : bool
        Share unused capacity equally over active accounts.
    """

    name = "roi"

    def __init__(self, block_hours: float = 1.0, h0: float = 4.0, spread_leftover: bool = True) -> None:
        self.block_hours = block_hours
        self.h0 = h0
        self.spread_leftover = spread_leftover
        for field in ("block_hours", "h0"):
            v = check_non_negative(getattr(self, field), field, self.name)
            if v == 0:
                raise ValueError(f"policy {self.name!r}: {field} must be > 0, got {getattr(self, field)!r}")

    def value(self, state: pd.DataFrame) -> np.ndarray:
        """Expected margin at stake per account (CU): ``churn_risk * max(margin_12m, 0)``."""
        risk = column(state, "churn_risk", self.name)
        return risk * np.maximum(column(state, "margin_12m", self.name), 0.0)

    def expected_saving(self, state: pd.DataFrame, hours: pd.Series | np.ndarray) -> float:
        """Objective: total expected margin saved (CU) by ``hours`` per account under the response curve."""
        h = np.asarray(hours, dtype="float64")
        value = np.where(active_mask(state, self.name), self.value(state), 0.0)
        return float(np.sum(value * -np.expm1(-h / float(self.h0))))

    def _blocks(self, value: np.ndarray, n_blocks: int) -> np.ndarray:
        """Number of blocks per account under greedy selection of the ``n_blocks`` largest gains."""
        counts = np.zeros(value.size, dtype="int64")
        pos = value > 0
        if n_blocks <= 0 or not pos.any():
            return counts
        decay = float(self.block_hours) / float(self.h0)  # gain of block k: first * exp(-decay * (k - 1))
        log_first = np.log(value[pos] * -np.expm1(-decay))

        def count(log_t: float) -> np.ndarray:  # blocks with gain >= exp(log_t), per account
            return np.floor(np.maximum((log_first - log_t) / decay + 1.0, 0.0)).astype("int64")

        hi = float(log_first.max())  # count(hi) = 1 block for the best account(s)
        if count(hi).sum() > n_blocks:  # ties at the very top: fall through to the remainder step
            hi += decay
        lo = hi - decay * (n_blocks + 1)  # count(lo) >= n_blocks + 1 for the best account alone
        while hi - lo > 0.25 * decay:  # then each account has at most one gain in [lo, hi)
            mid = 0.5 * (lo + hi)
            if count(mid).sum() > n_blocks:
                lo = mid
            else:
                hi = mid
        k = count(hi)
        remaining = n_blocks - int(k.sum())
        if remaining > 0:  # the next-best blocks, one per account, largest gains first
            next_gain = log_first - decay * k
            top = np.argpartition(-next_gain, remaining - 1)[:remaining]
            k[top] += 1
        counts[pos] = k
        return counts

    def allocate(self, state: pd.DataFrame, capacity_hours: float) -> pd.Series:
        """Blocks of ``block_hours`` to the largest marginal gains, then any leftover equally (h)."""
        cap = check_capacity(capacity_hours, self.name)
        active = active_mask(state, self.name)
        value = np.where(active, self.value(state), 0.0)
        block = float(self.block_hours)
        n_blocks = int(np.floor(cap / block))
        if n_blocks * block > cap:  # floating-point round-up of cap / block
            n_blocks -= 1
        hours = self._blocks(value, n_blocks) * block
        leftover = cap - hours.sum()
        if self.spread_leftover and leftover > 0:
            hours = hours + _share(leftover, active.astype("float64"))
        return self._allocation(state, hours)
