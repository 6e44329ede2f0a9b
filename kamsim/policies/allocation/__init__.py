"""Allocation policies (资源分配): how the team's regular account-manager hours are shared out each month.

* :mod:`~kamsim.policies.allocation.shares` -- equal, by tier weight, by value, by greedy marginal ROI;
* :mod:`~kamsim.policies.allocation.cadence` -- a contact plan: each tier is due every k months;
* :mod:`~kamsim.policies.allocation.discovery` -- proactive needs discovery vs reactive service;
* :mod:`~kamsim.policies.allocation.per_manager` -- any rule applied within each manager's book.
"""

from kamsim.policies.allocation.shares import (
    DEFAULT_TIER_WEIGHTS,
    EqualAllocation,
    GreedyMarginalROI,
    TierAllocation,
    ValueProportionalAllocation,
)
from kamsim.policies.allocation.cadence import DEFAULT_INTERVALS, CadenceAllocation
from kamsim.policies.allocation.discovery import ProactiveDiscovery, ReactiveService
from kamsim.policies.allocation.per_manager import PerManager

__all__ = [
    "DEFAULT_INTERVALS",
    "DEFAULT_TIER_WEIGHTS",
    "CadenceAllocation",
    "EqualAllocation",
    "GreedyMarginalROI",
    "PerManager",
    "ProactiveDiscovery",
    "ReactiveService",
    "TierAllocation",
    "ValueProportionalAllocation",
]
