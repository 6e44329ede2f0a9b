"""Allocation within each manager's book (按客户经理分配): any allocation rule, applied per manager.

KAM example: the team's rules think of its hours as one pool, but each manager can
only give her own hours to her own accounts.  :class:`PerManager` runs an
allocation rule once per manager -- on her accounts, with her share of the
capacity -- so a manager with a heavy book spreads her hours thinner instead of
being asked for more than she has::

    from kamsim.policies import PerManager, PolicyBundle, TierAllocation
    bundle = PolicyBundle("abc", "none", PerManager(TierAllocation()), name="tier_per_manager")

Each manager's share of ``capacity_hours`` is her ``manager_capacity_hours`` (a column
of the engine's state, after team changes) over the team's total; in a state without
that column, books share the hours in proportion to their number of accounts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamsim.policies.base import AllocationPolicy
from kamsim.policies.checks import check_capacity, check_hours, column, require_columns
from kamsim.policies.registry import get_policy, register


@register
class PerManager(AllocationPolicy):
    """Apply an allocation rule separately to each manager's accounts, with her own share of the hours.

    Parameters
    ----------
    inner : AllocationPolicy or str
        The rule applied within each book (a registered allocation name or an object); default ``"equal"``.
    """

    name = "per_manager"

    def __init__(self, inner: AllocationPolicy | str = "equal") -> None:
        self.inner = get_policy("allocation", inner) if isinstance(inner, str) else inner
        if not isinstance(self.inner, AllocationPolicy):
            raise ValueError(f"policy {self.name!r}: inner must be an AllocationPolicy, got {type(inner).__name__}")

    def allocate(self, state: pd.DataFrame, capacity_hours: float) -> pd.Series:
        """The inner rule's hours per book, each book given ``capacity_hours x`` its manager's capacity share (h)."""
        cap = check_capacity(capacity_hours, self.name)
        require_columns(state, ["manager_id"], self.name)
        manager = state["manager_id"].astype("object").to_numpy()
        books = pd.unique(manager)
        if "manager_capacity_hours" in state.columns:
            own = column(state, "manager_capacity_hours", self.name)
            capacity = {m: float(own[manager == m][0]) for m in books}
        else:  # a state from elsewhere: books share the hours by their number of accounts
            capacity = {m: float(np.sum(manager == m)) for m in books}
        total = sum(capacity.values())
        hours = np.zeros(len(state))
        for m in books:
            rows = np.flatnonzero(manager == m)
            share = cap * capacity[m] / total if total > 0 else 0.0
            book = state.iloc[rows]
            hours[rows] = check_hours(self.inner.allocate(book, share), book.index, "allocate(book)", self.name)
        return self._allocation(state, hours)

    def needs_analysis_share(self, state: pd.DataFrame) -> np.ndarray | float | None:
        """The inner rule's share of needs-analysis hours, book by book (None if the rule has none)."""
        manager = state["manager_id"].astype("object").to_numpy()
        out = np.full(len(state), np.nan)
        found = False
        for m in pd.unique(manager):
            rows = np.flatnonzero(manager == m)
            share = self.inner.needs_analysis_share(state.iloc[rows])
            if share is not None:
                out[rows] = share
                found = True
        return out if found else None
