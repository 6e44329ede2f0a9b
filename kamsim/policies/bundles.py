"""Named policy bundles for experiments: the status quo and one-decision alternatives to it.

KAM example: a course experiment compares "what we do today" with a few
alternatives -- blanket care, risk-targeted care, value x risk care, a
win-back campaign, or a different way of sharing account-manager hours.  Each
alternative changes one decision of the status quo, so a comparison shows the
effect of that one decision:

* ``status_quo`` -- ABC tiers, no retention, equal hours;
* ``blanket`` -- plus 1 extra hour per current customer;
* ``risk_targeted`` -- plus 2 hours for customers with monthly churn risk >= 5%;
* ``value_risk`` -- plus 2 hours each for the largest value at risk, 200 h a month;
* ``win_back`` -- plus 3 hours each for valuable lost accounts, 100 h a month;
* ``tier_allocation`` -- hours by ABC tier weights A 4 : B 2 : C 1;
* ``value_allocation`` -- hours in proportion to 12-month revenue (10% equal floor);
* ``roi_allocation`` -- hours by greedy marginal ROI;
* ``discovery`` -- half the hours to the accounts with the most untapped wallet, mostly needs analysis;
* ``loyalty_discount`` -- 5% extra discount for price-sensitive customers at risk (pricing);
* ``per_manager`` -- equal hours within each manager's own book.

Each factory is filed with :func:`~kamsim.policies.registry.register_bundle` and
builds fresh objects on every call (``kamsim.policies.get(name)``).
"""

from __future__ import annotations

from kamsim.policies.allocation import (
    EqualAllocation,
    GreedyMarginalROI,
    PerManager,
    ProactiveDiscovery,
    TierAllocation,
    ValueProportionalAllocation,
)
from kamsim.policies.base import AllocationPolicy, PolicyBundle, PricingPolicy, RetentionPolicy
from kamsim.policies.pricing import TargetedDiscount
from kamsim.policies.registry import register_bundle
from kamsim.policies.retention import (
    BlanketRetention,
    NoRetention,
    RiskTargetedRetention,
    ValueRiskRetention,
    WinBackCampaign,
)
from kamsim.policies.segmentation import ABCSegmentation


def status_quo_with(
    name: str,
    retention: RetentionPolicy | None = None,
    allocation: AllocationPolicy | None = None,
    pricing: PricingPolicy | None = None,
) -> PolicyBundle:
    """The status quo (ABC tiers, no retention, equal hours, no extra discount) with some decisions replaced."""
    return PolicyBundle(
        ABCSegmentation(),
        retention if retention is not None else NoRetention(),
        allocation if allocation is not None else EqualAllocation(),
        name=name,
        pricing=pricing if pricing is not None else "none",
    )


@register_bundle("status_quo", "Today's practice: ABC tiers, no retention effort, hours shared equally")
def status_quo(name: str) -> PolicyBundle:
    return status_quo_with(name)


@register_bundle("blanket", "Every current customer gets 1 extra hour a month")
def blanket(name: str) -> PolicyBundle:
    return status_quo_with(name, retention=BlanketRetention(hours_per_account=1.0))


@register_bundle("risk_targeted", "2 extra hours for customers whose monthly churn risk is at least 5%")
def risk_targeted(name: str) -> PolicyBundle:
    return status_quo_with(name, retention=RiskTargetedRetention(threshold=0.05, hours_per_account=2.0))


@register_bundle("value_risk", "2 extra hours each for the largest churn_risk x margin_12m, 200 hours a month")
def value_risk(name: str) -> PolicyBundle:
    return status_quo_with(name, retention=ValueRiskRetention(budget_hours=200.0, hours_per_account=2.0))


@register_bundle("win_back", "3 hours each for lost accounts with revenue in the last 12 months, 100 hours a month")
def win_back(name: str) -> PolicyBundle:
    return status_quo_with(name, retention=WinBackCampaign(hours_per_account=3.0, budget_hours=100.0))


@register_bundle("tier_allocation", "Hours shared by ABC tier weights A 4 : B 2 : C 1")
def tier_allocation(name: str) -> PolicyBundle:
    return status_quo_with(name, allocation=TierAllocation({"A": 4.0, "B": 2.0, "C": 1.0}))


@register_bundle("value_allocation", "10% of hours shared equally, 90% in proportion to revenue_12m")
def value_allocation(name: str) -> PolicyBundle:
    return status_quo_with(name, allocation=ValueProportionalAllocation())


@register_bundle("roi_allocation", "Hours given greedily to the largest marginal expected margin saved")
def roi_allocation(name: str) -> PolicyBundle:
    return status_quo_with(name, allocation=GreedyMarginalROI())


@register_bundle("discovery", "Half the hours to the quarter of customers with the most untapped wallet, 80% needs analysis")
def discovery(name: str) -> PolicyBundle:
    return status_quo_with(name, allocation=ProactiveDiscovery())


@register_bundle("loyalty_discount", "5% extra discount for price-sensitive customers (>= 0.6) with churn risk >= 1%")
def loyalty_discount(name: str) -> PolicyBundle:
    return status_quo_with(name, pricing=TargetedDiscount(0.05, min_price_sensitivity=0.6, min_churn_risk=0.01))


@register_bundle("per_manager", "Hours shared equally within each manager's own book, with her own hours")
def per_manager(name: str) -> PolicyBundle:
    return status_quo_with(name, allocation=PerManager("equal"))
