"""Named policy bundles for experiments, and the registry of built-in policies.

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
* ``roi_allocation`` -- hours by greedy marginal ROI.

>>> from kamsim import policies
>>> policies.get("risk_targeted").retention.threshold
0.05
>>> policies.get_policy("retention", "blanket", hours_per_account=0.5).hours_per_account
0.5
"""

from __future__ import annotations

import re

from collections.abc import Callable
from typing import Any

import pandas as pd

from kamsim.policies.allocation import EqualAllocation, GreedyMarginalROI, TierAllocation, ValueProportionalAllocation
from kamsim.policies.base import AllocationPolicy, Policy, PolicyBundle, RetentionPolicy
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

#: Built-in single policies by kind and registry name.
POLICIES: dict[str, dict[str, type[Policy]]] = {
    "segmentation": {
        cls.name: cls
        for cls in (
            ABCSegmentation,
            RFMSegmentation,
            ValuePotentialSegmentation,
            KAMMatrixSegmentation,
            ScreeningSegmentation,
        )
    },
    "retention": {
        cls.name: cls
        for cls in (NoRetention, BlanketRetention, RiskTargetedRetention, ValueRiskRetention, WinBackCampaign)
    },
    "allocation": {
        cls.name: cls for cls in (EqualAllocation, TierAllocation, ValueProportionalAllocation, GreedyMarginalROI)
    },
}


def _with(
    retention: RetentionPolicy | None = None, allocation: AllocationPolicy | None = None
) -> Callable[[str], PolicyBundle]:
    """Factory of a bundle that changes the status quo in retention and/or allocation."""

    def make(name: str) -> PolicyBundle:
        return PolicyBundle(
            ABCSegmentation(),
            retention if retention is not None else NoRetention(),
            allocation if allocation is not None else EqualAllocation(),
            name=name,
        )

    return make


#: Named bundles: name -> (description, factory called with the name).  Factories build fresh objects.
BUNDLES: dict[str, tuple[str, Callable[[str], PolicyBundle]]] = {
    "status_quo": (
        "Today's practice: ABC tiers, no retention effort, hours shared equally",
        lambda name: _with()(name),
    ),
    "blanket": (
        "Every current customer gets 1 extra hour a month",
        lambda name: _with(retention=BlanketRetention(hours_per_account=1.0))(name),
    ),
    "risk_targeted": (
        "2 extra hours for customers whose monthly churn risk is at least 5%",
        lambda name: _with(retention=RiskTargetedRetention(threshold=0.05, hours_per_account=2.0))(name),
    ),
    "value_risk": (
        "2 extra hours each for the largest churn_risk x margin_12m, 200 hours a month",
        lambda name: _with(retention=ValueRiskRetention(budget_hours=200.0, hours_per_account=2.0))(name),
    ),
    "win_back": (
        "3 hours each for lost accounts with revenue in the last 12 months, 100 hours a month",
        lambda name: _with(retention=WinBackCampaign(hours_per_account=3.0, budget_hours=100.0))(name),
    ),
    "tier_allocation": (
        "Hours shared by ABC tier weights A 4 : B 2 : C 1",
        lambda name: _with(allocation=TierAllocation({"A": 4.0, "B": 2.0, "C": 1.0}))(name),
    ),
    "value_allocation": (
        "10% of hours shared equally, 90% in proportion to revenue_12m",
        lambda name: _with(allocation=ValueProportionalAllocation())(name),
    ),
    "roi_allocation": (
        "Hours given greedily to the largest marginal expected margin saved",
        lambda name: _with(allocation=GreedyMarginalROI())(name),
    ),
}


def _first_line(cls: type) -> str:
    """First docstring line as plain text (reST roles and literals unwrapped)."""
    doc = (cls.__doc__ or "").strip()
    line = doc.splitlines()[0].rstrip(".") if doc else ""
    line = re.sub(r":\w+:`~?([^`]+)`", r"\1", line)
    return line.replace("``", "")


def available(kind: str | None = None) -> pd.DataFrame:
    """Registry of built-ins: one row per bundle and per single policy.

    Parameters
    ----------
    kind : {"bundle", "segmentation", "retention", "allocation"}, optional
        Only list this kind.

    Returns
    -------
    DataFrame
        Columns ``name``, ``kind``, ``description``; bundles first.
    """
    kinds = ("bundle", *POLICIES)
    if kind is not None and kind not in kinds:
        raise ValueError(f"unknown policy kind {kind!r}; available kinds: {', '.join(kinds)}")
    rows = [(name, "bundle", desc) for name, (desc, _) in BUNDLES.items()]
    for k, classes in POLICIES.items():
        rows += [(name, k, _first_line(cls)) for name, cls in classes.items()]
    table = pd.DataFrame(rows, columns=["name", "kind", "description"])
    if kind is not None:
        table = table[table["kind"] == kind].reset_index(drop=True)
    return table


def get(name: str) -> PolicyBundle:
    """A fresh :class:`PolicyBundle` for the registered bundle ``name``.

    Raises
    ------
    ValueError
        If ``name`` is not a registered bundle; the message lists the available names.
    """
    if not isinstance(name, str) or name not in BUNDLES:
        raise ValueError(f"unknown policy bundle {name!r}; available bundles: {', '.join(BUNDLES)}")
    return BUNDLES[name][1](name)


def get_policy(kind: str, name: str, **params: Any) -> Policy:
    """A single built-in policy of ``kind`` registered as ``name``, built with ``params``.

    Examples
    --------
    >>> get_policy("allocation", "roi", h0=2.0)
    GreedyMarginalROI(block_hours=1.0, h0=2.0, spread_leftover=True)

    Raises
    ------
    ValueError
        For an unknown kind or name (the message lists the available ones) or an unknown parameter.
    """
    if kind not in POLICIES:
        raise ValueError(f"unknown policy kind {kind!r}; available kinds: {', '.join(POLICIES)}")
    classes = POLICIES[kind]
    if not isinstance(name, str) or name not in classes:
        raise ValueError(f"unknown {kind} policy {name!r}; available {kind} policies: {', '.join(classes)}")
    try:
        return classes[name](**params)
    except TypeError as exc:
        raise ValueError(f"{kind} policy {name!r}: bad parameters {sorted(params)}: {exc}") from None


def as_bundle(policy: PolicyBundle | str | None) -> PolicyBundle:
    """Normalise the engine's ``policy`` argument: a bundle as is, a name via :func:`get`, None = status quo."""
    if policy is None:
        return PolicyBundle.default()
    if isinstance(policy, PolicyBundle):
        return policy
    if isinstance(policy, str):
        return get(policy)
    raise ValueError(f"policy must be a PolicyBundle, a bundle name or None, got {type(policy).__name__}")


__all__ = [
    "BUNDLES",
    "POLICIES",
    "as_bundle",
    "available",
    "get",
    "get_policy",
]
