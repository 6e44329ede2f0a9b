"""Policies: segmentation (客户分级), retention (客户挽留) and allocation (资源分配) of account-manager hours.

KAM example: "grade accounts ABC, spend no extra retention effort, share the
team's hours equally" is the status quo; "target the accounts with the largest
margin at risk" is an alternative.  Each decision is a small class with one
method, and a :class:`PolicyBundle` combines one of each for the engine::

    from kamsim import policies
    bundle = policies.get("value_risk")                 # a named bundle (fresh object)
    policies.available()                                # name, kind, description of every built-in
    custom = policies.PolicyBundle(
        policies.ValuePotentialSegmentation(),
        policies.RiskTargetedRetention(threshold=0.08),
        policies.TierAllocation({"core": 3, "important": 2, "general": 1}),
        name="core_focus",
    )

Write your own policy by subclassing :class:`SegmentationPolicy`,
:class:`RetentionPolicy` or :class:`AllocationPolicy` (docs/policies.md).
"""

from kamsim.policies.allocation import (
    DEFAULT_TIER_WEIGHTS,
    EqualAllocation,
    GreedyMarginalROI,
    TierAllocation,
    ValueProportionalAllocation,
)
from kamsim.policies.base import (
    CUSTOMER_STAGES,
    DEFAULT_COST_PER_HOUR,
    INACTIVE_STAGES,
    AllocationPolicy,
    Policy,
    PolicyBundle,
    RetentionPolicy,
    SegmentationPolicy,
)
from kamsim.policies.bundles import BUNDLES, POLICIES, as_bundle, available, get, get_policy
from kamsim.policies.retention import (
    BlanketRetention,
    NoRetention,
    RiskTargetedRetention,
    ValueRiskRetention,
    WinBackCampaign,
)
from kamsim.policies.segmentation import (
    ABCSegmentation,
    KAMMatrixSegmentation,
    RFMSegmentation,
    ScreeningSegmentation,
    ValuePotentialSegmentation,
)

__all__ = [
    "ABCSegmentation",
    "AllocationPolicy",
    "BUNDLES",
    "BlanketRetention",
    "CUSTOMER_STAGES",
    "DEFAULT_COST_PER_HOUR",
    "DEFAULT_TIER_WEIGHTS",
    "EqualAllocation",
    "GreedyMarginalROI",
    "INACTIVE_STAGES",
    "KAMMatrixSegmentation",
    "NoRetention",
    "POLICIES",
    "Policy",
    "PolicyBundle",
    "RFMSegmentation",
    "RetentionPolicy",
    "RiskTargetedRetention",
    "ScreeningSegmentation",
    "SegmentationPolicy",
    "TierAllocation",
    "ValuePotentialSegmentation",
    "ValueProportionalAllocation",
    "ValueRiskRetention",
    "WinBackCampaign",
    "as_bundle",
    "available",
    "get",
    "get_policy",
]
