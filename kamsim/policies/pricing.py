"""Pricing policies (定价策略): who gets a discount on top of the negotiated price, and how much.

KAM example: "a 5% loyalty discount for the price-sensitive accounts" or "3% for
every A account, nothing for the others".  A discount buys volume (more units per
order, through the price elasticity of ``Scenario.pricing``) and, for
price-sensitive accounts, a lower churn hazard -- and it costs margin on every unit,
also on those the account would have bought anyway.  Compare the policies with
:func:`kamsim.compare`::

    from kamsim.policies import PolicyBundle, TargetedDiscount
    loyalty = PolicyBundle("abc", "none", "equal", name="loyalty_5pct",
                           pricing=TargetedDiscount(0.05, min_price_sensitivity=0.6))

Every policy gives discounts to current customers only (prospects and lost accounts do not order).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from kamsim.policies.base import PricingPolicy
from kamsim.policies.checks import check_fraction, column, in_stages, require_columns
from kamsim.policies.registry import register
from kamsim.vocabulary import CUSTOMER_STAGES


def _check_discount(value: float, field: str, policy: str) -> float:
    """A discount setting in [0, ``PricingPolicy.max_discount``]; the message names the policy and the field."""
    v = check_fraction(value, field, policy)
    if v > PricingPolicy.max_discount:
        raise ValueError(f"policy {policy!r}: {field} must be at most {PricingPolicy.max_discount}, got {value!r}")
    return v


@register
class NoDiscount(PricingPolicy):
    """No policy discount: every account pays its negotiated price (the status quo)."""

    name = "none"

    def price(self, state: pd.DataFrame) -> pd.Series:
        """Zero for every account."""
        return self._discounts(state, 0.0)


@register
class UniformDiscount(PricingPolicy):
    """The same discount for every current customer (一刀切).

    Parameters
    ----------
    discount : float
        Share of list price taken off every order (0-0.5).
    """

    name = "uniform_discount"

    def __init__(self, discount: float = 0.05) -> None:
        self.discount = _check_discount(discount, "discount", self.name)

    def price(self, state: pd.DataFrame) -> pd.Series:
        """``discount`` for current customers, 0 for the others."""
        return self._discounts(state, np.where(in_stages(state, CUSTOMER_STAGES, self.name), self.discount, 0.0))


@register
class TierDiscount(PricingPolicy):
    """A discount per tier (分级定价), e.g. ``{"A": 0.05, "B": 0.02}``; other tiers pay the negotiated price.

    Parameters
    ----------
    discounts : mapping
        Tier label -> discount (share of list price, 0-0.5).  Reads this month's ``tier``.
    """

    name = "tier_discount"

    def __init__(self, discounts: Mapping[str, float] | None = None) -> None:
        self.discounts = dict(discounts) if discounts is not None else {"A": 0.05, "B": 0.02}
        for tier, d in self.discounts.items():
            _check_discount(d, f"discounts[{tier!r}]", self.name)

    def price(self, state: pd.DataFrame) -> pd.Series:
        """The tier's discount for current customers (0 for a tier not listed or missing)."""
        require_columns(state, ["tier"], self.name)
        mapped = state["tier"].astype("object").map(self.discounts).to_numpy(dtype="float64", na_value=np.nan)
        mapped = np.where(np.isnan(mapped), 0.0, mapped)
        return self._discounts(state, np.where(in_stages(state, CUSTOMER_STAGES, self.name), mapped, 0.0))


@register
class TargetedDiscount(PricingPolicy):
    """A discount for the current customers that are price-sensitive and/or at risk (精准让利).

    Parameters
    ----------
    discount : float
        Share of list price taken off (0-0.5).
    min_price_sensitivity : float
        Only accounts whose ``price_sensitivity`` (0-1) is at least this.
    min_churn_risk : float
        Only accounts whose ``churn_risk`` (monthly loss probability) is at least this.
    """

    name = "targeted_discount"

    def __init__(self, discount: float = 0.05, min_price_sensitivity: float = 0.6, min_churn_risk: float = 0.0) -> None:
        self.discount = _check_discount(discount, "discount", self.name)
        self.min_price_sensitivity = check_fraction(min_price_sensitivity, "min_price_sensitivity", self.name)
        self.min_churn_risk = check_fraction(min_churn_risk, "min_churn_risk", self.name)

    def targets(self, state: pd.DataFrame) -> np.ndarray:
        """Boolean array: the accounts that get the discount."""
        customer = in_stages(state, CUSTOMER_STAGES, self.name)
        sensitive = column(state, "price_sensitivity", self.name) >= self.min_price_sensitivity
        at_risk = column(state, "churn_risk", self.name) >= self.min_churn_risk
        return customer & sensitive & at_risk

    def price(self, state: pd.DataFrame) -> pd.Series:
        """``discount`` for the targeted accounts, 0 for the others."""
        return self._discounts(state, np.where(self.targets(state), self.discount, 0.0))
