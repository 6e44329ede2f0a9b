"""Policies: segmentation (客户分级), retention (客户挽留), allocation (资源分配) of account-manager hours, pricing (定价).

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
:class:`RetentionPolicy` or :class:`AllocationPolicy` (docs/policies.md); decorate it
with :func:`register` to list it in the registry.

The package is filed by kind: ``segmentation/``, ``retention.py``, ``allocation/``;
``base.py`` holds the contracts and :class:`PolicyBundle`, ``registry.py`` turns names
into objects, ``bundles.py`` defines the named bundles.
"""

# The contracts: three kinds of decision and the bundle that combines them
from kamsim.policies.base import (
    DEFAULT_COST_PER_HOUR,
    AllocationPolicy,
    Policy,
    PolicyBundle,
    PricingPolicy,
    RetentionPolicy,
    SegmentationPolicy,
)

# Names -> objects: the registry (filled as the modules below are imported)
from kamsim.policies.registry import (
    BUNDLES,
    KINDS,
    POLICIES,
    as_bundle,
    available,
    get,
    get_policy,
    register,
    register_bundle,
)

# Segmentation (客户分级)
from kamsim.policies.segmentation import (
    ABCSegmentation,
    KAMMatrixSegmentation,
    NoisyDataSegmentation,
    RFMSegmentation,
    ScreeningSegmentation,
    ValuePotentialSegmentation,
)

# Retention and win-back (客户挽留)
from kamsim.policies.retention import (
    BlanketRetention,
    NoRetention,
    RiskTargetedRetention,
    ValueRiskRetention,
    WinBackCampaign,
)

# Allocation of account-manager hours (资源分配)
from kamsim.policies.allocation import (
    DEFAULT_INTERVALS,
    DEFAULT_TIER_WEIGHTS,
    CadenceAllocation,
    EqualAllocation,
    GreedyMarginalROI,
    PerManager,
    ProactiveDiscovery,
    ReactiveService,
    TierAllocation,
    ValueProportionalAllocation,
)

# Pricing: discounts on top of the negotiated price (定价策略)
from kamsim.policies.pricing import NoDiscount, TargetedDiscount, TierDiscount, UniformDiscount

# The named bundles: status quo and one-decision alternatives
from kamsim.policies import bundles as _bundles  # noqa: F401  (registers the bundles)

# Stage groups the policies act on (defined in kamsim.vocabulary)
from kamsim.vocabulary import CUSTOMER_STAGES, INACTIVE_STAGES

__all__ = [
    "ABCSegmentation",
    "AllocationPolicy",
    "BUNDLES",
    "BlanketRetention",
    "CUSTOMER_STAGES",
    "CadenceAllocation",
    "DEFAULT_COST_PER_HOUR",
    "DEFAULT_INTERVALS",
    "DEFAULT_TIER_WEIGHTS",
    "EqualAllocation",
    "GreedyMarginalROI",
    "INACTIVE_STAGES",
    "KAMMatrixSegmentation",
    "KINDS",
    "NoDiscount",
    "NoRetention",
    "NoisyDataSegmentation",
    "POLICIES",
    "PerManager",
    "Policy",
    "PolicyBundle",
    "PricingPolicy",
    "ProactiveDiscovery",
    "RFMSegmentation",
    "ReactiveService",
    "RetentionPolicy",
    "RiskTargetedRetention",
    "ScreeningSegmentation",
    "SegmentationPolicy",
    "TargetedDiscount",
    "TierAllocation",
    "TierDiscount",
    "ValuePotentialSegmentation",
    "ValueProportionalAllocation",
    "UniformDiscount",
    "ValueRiskRetention",
    "WinBackCampaign",
    "as_bundle",
    "available",
    "get",
    "get_policy",
    "register",
    "register_bundle",
]
