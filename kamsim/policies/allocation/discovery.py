"""Proactive needs discovery (主动服务) versus reactive service (被动服务): two allocation policies.

KAM example: a team can spend its spare hours *proactively* -- visiting the
accounts with the most untapped potential to uncover latent needs (潜在需求)
before a competitor does -- or *reactively*, answering the accounts that
complain or look likely to leave.  Both policies below keep a base service
for everybody and differ only in where the remaining hours go:

* :class:`ProactiveDiscovery` -- ``1 - focus_share`` of the capacity equally over
  all active accounts; ``focus_share`` equally over the ``target_share`` of current
  customers with the highest opportunity score ``growth_potential x headroom``,
  ``headroom = max(annual_potential_spend - revenue_12m, 0)`` (CU/year not yet won);
* :class:`ReactiveService` -- the same base; ``focus_share`` equally over the current
  customers that show a trouble signal: stage ``at_risk``, ``churn_risk >=
  risk_threshold``, an open complaint, or satisfaction below ``satisfaction_below``.

With the same ``focus_share`` the two policies spend exactly the same hours;
a comparison with :func:`kamsim.compare` against :class:`EqualAllocation`
therefore isolates *targeting*.  Build bundles in a notebook::

    from kamsim.policies import PolicyBundle, ProactiveDiscovery, ReactiveService
    proactive = PolicyBundle("abc", "none", ProactiveDiscovery(), name="proactive")
    reactive = PolicyBundle("abc", "none", ReactiveService(), name="reactive")

In kamsim's engine an hour of contact raises satisfaction (which raises the
share of wallet and lowers complaints) and lowers the churn and decline
hazards, both with diminishing returns (docs/engine.md).  With the needs model
on (``Scenario.needs.latent_prob > 0``) part of each hour is needs analysis,
which reveals latent needs that can turn into first orders of new product
categories (cross-selling): the targets of :class:`ProactiveDiscovery` spend
``needs_share`` (default 80%) of their hours on it, the flagged accounts of
:class:`ReactiveService` none by default.
"""

from __future__ import annotations

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
from kamsim.vocabulary import CUSTOMER_STAGES


def _split(capacity: float, base_mask: np.ndarray, focus_mask: np.ndarray, focus_share: float) -> np.ndarray:
    """Base share equally over ``base_mask``, focus share equally over ``focus_mask`` (all to base if empty)."""
    hours = np.zeros(base_mask.size, dtype="float64")
    n_base, n_focus = int(base_mask.sum()), int(focus_mask.sum())
    focus_cap = capacity * focus_share if n_focus else 0.0
    base_cap = capacity - focus_cap
    if n_base:
        hours[base_mask] += base_cap / n_base
    if n_focus:
        hours[focus_mask] += focus_cap / n_focus
    return hours


@register
class ProactiveDiscovery(AllocationPolicy):
    """Base service for all, extra hours for the accounts with the largest untapped opportunity.

    Parameters
    ----------
    focus_share : float
        Share (0-1) of the capacity spent on the targets; the rest is shared equally
        over all active accounts (prospects included).
    target_share : float
        Share (0-1] of current customers targeted, those with the highest :meth:`score`.
    needs_share : float
        Share (0-1) of the targets' hours spent on needs analysis (needs model only; the other
        accounts use the scenario's ``needs.discovery_share``).
    """

    name = "proactive_discovery"

    def __init__(self, focus_share: float = 0.5, target_share: float = 0.25, needs_share: float = 0.8) -> None:
        self.focus_share = focus_share
        self.target_share = target_share
        self.needs_share = needs_share
        check_fraction(focus_share, "focus_share", self.name)
        check_fraction(target_share, "target_share", self.name, low_open=True)
        check_fraction(needs_share, "needs_share", self.name)

    def needs_analysis_share(self, state: pd.DataFrame) -> np.ndarray:
        """``needs_share`` for the targets, NaN (the scenario's share) for the other accounts."""
        return np.where(self.targets(state), float(self.needs_share), np.nan)

    def score(self, state: pd.DataFrame) -> np.ndarray:
        """Opportunity score (CU/year): ``growth_potential x max(annual_potential_spend - revenue_12m, 0)``."""
        growth = column(state, "growth_potential", self.name)
        headroom = np.maximum(
            column(state, "annual_potential_spend", self.name) - column(state, "revenue_12m", self.name), 0.0
        )
        return growth * headroom

    def targets(self, state: pd.DataFrame) -> np.ndarray:
        """Boolean array: the ``ceil(target_share x n)`` current customers with the highest score (ties: first)."""
        customers = in_stages(state, CUSTOMER_STAGES, self.name)
        n = int(np.ceil(float(self.target_share) * customers.sum()))
        mask = np.zeros(len(state), dtype=bool)
        if n == 0:
            return mask
        score = np.where(customers, self.score(state), -np.inf)
        order = np.argsort(-score, kind="stable")[:n]
        mask[order] = True
        return mask & customers

    def allocate(self, state: pd.DataFrame, capacity_hours: float) -> pd.Series:
        """Base hours equally over active accounts plus focus hours equally over the targets (h)."""
        cap = check_capacity(capacity_hours, self.name)
        hours = _split(cap, active_mask(state, self.name), self.targets(state), float(self.focus_share))
        return self._allocation(state, hours)


@register
class ReactiveService(AllocationPolicy):
    """Base service for all, extra hours for the accounts that show a trouble signal.

    A current customer is *flagged* if its stage is ``at_risk``, its
    ``churn_risk`` is at least ``risk_threshold``, it has an open complaint
    (column ``open_complaints``, used when present), or its ``satisfaction`` is
    below ``satisfaction_below`` (``None``: not used).

    Parameters
    ----------
    focus_share : float
        Share (0-1) of the capacity spent on flagged accounts; the rest equally over all
        active accounts.  With nobody flagged all hours are shared equally.
    risk_threshold : float
        Monthly churn probability (0-1) from which an account is flagged.
    satisfaction_below : float, optional
        Satisfaction (0-10) under which an account is flagged.
    needs_share : float
        Share (0-1) of the flagged accounts' hours spent on needs analysis (needs model only; default 0:
        fixing problems leaves no time for it; the other accounts use the scenario's ``needs.discovery_share``).
    """

    name = "reactive_service"

    def __init__(
        self,
        focus_share: float = 0.5,
        risk_threshold: float = 0.01,
        satisfaction_below: float | None = 6.0,
        needs_share: float = 0.0,
    ) -> None:
        self.focus_share = focus_share
        self.risk_threshold = risk_threshold
        self.satisfaction_below = satisfaction_below
        self.needs_share = needs_share
        check_fraction(focus_share, "focus_share", self.name)
        check_fraction(risk_threshold, "risk_threshold", self.name)
        check_non_negative(satisfaction_below, "satisfaction_below", self.name, allow_none=True)
        check_fraction(needs_share, "needs_share", self.name)

    def needs_analysis_share(self, state: pd.DataFrame) -> np.ndarray:
        """``needs_share`` for the flagged accounts, NaN (the scenario's share) for the other accounts."""
        return np.where(self.flagged(state), float(self.needs_share), np.nan)

    def flagged(self, state: pd.DataFrame) -> np.ndarray:
        """Boolean array: current customers with at least one trouble signal."""
        require_columns(state, ["churn_risk"], self.name)
        customers = in_stages(state, CUSTOMER_STAGES, self.name)
        flag = in_stages(state, ["at_risk"], self.name).copy()  # to_numpy may be a read-only view
        flag |= column(state, "churn_risk", self.name) >= float(self.risk_threshold)
        if "open_complaints" in state.columns:
            flag |= column(state, "open_complaints", self.name) > 0
        if self.satisfaction_below is not None:
            satisfaction = column(state, "satisfaction", self.name, fill=np.inf)
            flag |= satisfaction < float(self.satisfaction_below)
        return flag & customers

    def allocate(self, state: pd.DataFrame, capacity_hours: float) -> pd.Series:
        """Base hours equally over active accounts plus focus hours equally over flagged accounts (h)."""
        cap = check_capacity(capacity_hours, self.name)
        hours = _split(cap, active_mask(state, self.name), self.flagged(state), float(self.focus_share))
        return self._allocation(state, hours)
