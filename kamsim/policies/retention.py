"""Retention policies: who gets extra account-manager hours this month, and how many.

KAM example: churn signals show up in the CRM -- fewer orders, a bad survey,
an open complaint.  A company can (a) do nothing, (b) give every customer the
same extra care, (c) focus on accounts whose churn risk is high, (d) focus on
the margin actually at risk (risk x value, 风险 x 价值), or (e) run a win-back
campaign (客户赢回) for valuable lost accounts.  Each hour costs money
(``cost_per_hour``, CU/h) and a budget caps the total hours per month.

* :class:`NoRetention` -- nobody;
* :class:`BlanketRetention` -- every current customer, the same hours (hook ``eligible(state)``);
* :class:`RiskTargetedRetention` -- customers with ``churn_risk >= threshold`` or the riskiest
  ``top_share`` (hook ``risk(state)``);
* :class:`ValueRiskRetention` -- customers with the largest ``churn_risk * margin_12m``
  (hook ``value_at_risk(state)``);
* :class:`WinBackCampaign` -- lost accounts (stage ``"lost"``) with value above ``min_value``
  (hook ``value(state)``).

"Current customers" are the stages in :data:`~kamsim.vocabulary.CUSTOMER_STAGES`
(not prospects, not lost).  All policies return float hours >= 0 indexed like ``state``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamsim.policies.base import DEFAULT_COST_PER_HOUR, RetentionPolicy
from kamsim.policies.checks import cap_to_budget, check_fraction, check_non_negative, column, in_stages
from kamsim.policies.registry import register
from kamsim.vocabulary import CUSTOMER_STAGES


class _BudgetedRetention(RetentionPolicy):
    """Shared settings validation: ``hours_per_account``, ``budget_hours`` (None = no cap), ``cost_per_hour``."""

    def _validate(self) -> None:
        check_non_negative(self.hours_per_account, "hours_per_account", self.name)
        check_non_negative(self.budget_hours, "budget_hours", self.name, allow_none=True)
        check_non_negative(self.cost_per_hour, "cost_per_hour", self.name)


@register
class NoRetention(RetentionPolicy):
    """No retention effort: zero extra hours for every account (the status quo)."""

    name = "none"

    def __init__(self, cost_per_hour: float = DEFAULT_COST_PER_HOUR) -> None:
        self.cost_per_hour = cost_per_hour
        check_non_negative(cost_per_hour, "cost_per_hour", self.name)

    def retain(self, state: pd.DataFrame) -> pd.Series:
        """Zero hours for every account."""
        return self._hours(state, 0.0)


@register
class BlanketRetention(_BudgetedRetention):
    """Every current customer gets the same extra hours (一视同仁).

    Parameters
    ----------
    hours_per_account : float
        Extra hours per eligible account per month (h).
    budget_hours : float, optional
        Cap on total hours per month (h); when it binds, every eligible account
        gets ``budget_hours / n_eligible`` hours.
    cost_per_hour : float
        Cost of one hour of effort (CU/h).
    """

    name = "blanket"

    def __init__(
        self,
        hours_per_account: float = 1.0,
        budget_hours: float | None = None,
        cost_per_hour: float = DEFAULT_COST_PER_HOUR,
    ) -> None:
        self.hours_per_account = hours_per_account
        self.budget_hours = budget_hours
        self.cost_per_hour = cost_per_hour
        self._validate()

    def eligible(self, state: pd.DataFrame) -> np.ndarray:
        """Boolean array of accounts that receive the effort: current customers."""
        return in_stages(state, CUSTOMER_STAGES, self.name)

    def retain(self, state: pd.DataFrame) -> pd.Series:
        """``hours_per_account`` for every eligible account, scaled down equally to fit the budget."""
        mask = self.eligible(state)
        n = int(mask.sum())
        per = float(self.hours_per_account)
        if self.budget_hours is not None and n > 0:
            per = min(per, float(self.budget_hours) / n)
        return self._hours(state, np.where(mask, per, 0.0))


@register
class RiskTargetedRetention(_BudgetedRetention):
    """Extra hours for current customers whose churn risk is high (风险预警).

    Parameters
    ----------
    threshold : float
        Monthly churn-risk level (0-1) from which an account is targeted.
    top_share : float, optional
        If given, target instead the ``top_share`` (0-1] of current customers with
        the highest churn risk (ties broken by order in ``state``); ``threshold`` is ignored.
    hours_per_account : float
        Extra hours per targeted account per month (h).
    budget_hours : float, optional
        Cap on total hours per month (h); the riskiest accounts are served first.
    cost_per_hour : float
        Cost of one hour of effort (CU/h).
    """

    name = "risk_targeted"

    def __init__(
        self,
        threshold: float = 0.05,
        top_share: float | None = None,
        hours_per_account: float = 2.0,
        budget_hours: float | None = None,
        cost_per_hour: float = DEFAULT_COST_PER_HOUR,
    ) -> None:
        self.threshold = threshold
        self.top_share = top_share
        self.hours_per_account = hours_per_account
        self.budget_hours = budget_hours
        self.cost_per_hour = cost_per_hour
        check_fraction(threshold, "threshold", self.name)
        if top_share is not None:
            check_fraction(top_share, "top_share", self.name, low_open=True)
        self._validate()

    def risk(self, state: pd.DataFrame) -> np.ndarray:
        """Risk score per account used for targeting (default: ``churn_risk``, missing = 0)."""
        return column(state, "churn_risk", self.name)

    def retain(self, state: pd.DataFrame) -> pd.Series:
        """``hours_per_account`` for targeted accounts, capped by the budget (riskiest first)."""
        risk = self.risk(state)
        eligible = in_stages(state, CUSTOMER_STAGES, self.name)
        if self.top_share is None:
            target = eligible & (risk >= self.threshold)
        else:
            k = int(np.ceil(self.top_share * eligible.sum()))
            order = np.argsort(-np.where(eligible, risk, -np.inf), kind="stable")[:k]
            target = np.zeros(len(state), dtype=bool)
            target[order] = True
        hours = np.where(target, float(self.hours_per_account), 0.0)
        return self._hours(state, cap_to_budget(hours, risk, self.budget_hours))


@register
class ValueRiskRetention(_BudgetedRetention):
    """Extra hours where the expected margin at risk is largest (value x risk, 价值 x 风险).

    Expected value at risk of an account is ``churn_risk * margin_12m`` (CU):
    the margin of the last 12 months times the monthly churn probability.
    Accounts are served in decreasing value at risk until ``budget_hours`` is spent.

    Parameters
    ----------
    budget_hours : float
        Total hours per month (h).
    hours_per_account : float
        Extra hours per targeted account (h).
    min_value_at_risk : float
        Accounts with value at risk at or below this (CU) are never targeted.
    cost_per_hour : float
        Cost of one hour of effort (CU/h).
    """

    name = "value_risk"

    def __init__(
        self,
        budget_hours: float | None = 200.0,
        hours_per_account: float = 2.0,
        min_value_at_risk: float = 0.0,
        cost_per_hour: float = DEFAULT_COST_PER_HOUR,
    ) -> None:
        self.budget_hours = budget_hours
        self.hours_per_account = hours_per_account
        self.min_value_at_risk = min_value_at_risk
        self.cost_per_hour = cost_per_hour
        check_non_negative(min_value_at_risk, "min_value_at_risk", self.name)
        self._validate()

    def value_at_risk(self, state: pd.DataFrame) -> np.ndarray:
        """Expected margin at risk per account (CU): ``churn_risk * max(margin_12m, 0)``."""
        risk = column(state, "churn_risk", self.name)
        margin = np.maximum(column(state, "margin_12m", self.name), 0.0)
        return risk * margin

    def retain(self, state: pd.DataFrame) -> pd.Series:
        """``hours_per_account`` for the accounts with the largest value at risk, within the budget."""
        var = self.value_at_risk(state)
        target = in_stages(state, CUSTOMER_STAGES, self.name) & (var > self.min_value_at_risk)
        hours = np.where(target, float(self.hours_per_account), 0.0)
        return self._hours(state, cap_to_budget(hours, var, self.budget_hours))


@register
class WinBackCampaign(_BudgetedRetention):
    """Win-back effort (客户赢回) for lost accounts that were worth more than ``min_value``.

    Only accounts whose stage is ``"lost"`` are targeted; the engine books the
    hours as win-back cost (``targets_lost`` is True).

    Parameters
    ----------
    min_value : float
        Lost accounts with value (``value_col``) above this (CU) are targeted.
    value_col : str
        State column measuring an account's value (CU); default ``revenue_12m``,
        so accounts lost more than a year ago (no revenue in the window) drop out.
    hours_per_account : float
        Hours per targeted account per month (h).
    budget_hours : float, optional
        Cap on total hours per month (h); the most valuable accounts are served first.
    cost_per_hour : float
        Cost of one hour of effort (CU/h).
    """

    name = "win_back"
    targets_lost = True

    def __init__(
        self,
        min_value: float = 0.0,
        value_col: str = "revenue_12m",
        hours_per_account: float = 3.0,
        budget_hours: float | None = 100.0,
        cost_per_hour: float = DEFAULT_COST_PER_HOUR,
    ) -> None:
        self.min_value = min_value
        self.value_col = value_col
        self.hours_per_account = hours_per_account
        self.budget_hours = budget_hours
        self.cost_per_hour = cost_per_hour
        check_non_negative(min_value, "min_value", self.name)
        if not isinstance(value_col, str):
            raise ValueError(f"policy {self.name!r}: value_col must be a column name, got {value_col!r}")
        self._validate()

    def value(self, state: pd.DataFrame) -> np.ndarray:
        """Value of each account (CU) used for targeting and priority (default: ``state[value_col]``)."""
        return column(state, self.value_col, self.name)

    def retain(self, state: pd.DataFrame) -> pd.Series:
        """``hours_per_account`` for lost accounts with value above ``min_value``, most valuable first."""
        value = self.value(state)
        target = in_stages(state, ["lost"], self.name) & (value > self.min_value)
        hours = np.where(target, float(self.hours_per_account), 0.0)
        return self._hours(state, cap_to_budget(hours, value, self.budget_hours))
