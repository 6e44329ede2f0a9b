"""The sections of a scenario after the lifecycle: orders, pricing, needs, interactions, satisfaction, complaints,
contracts and managers (one pydantic model each; units and ranges on every field)."""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator

from kamsim.scenario._base import (
    PointEffect,
    Points,
    Probability,
    Ratio,
    ScaleHours,
    Sigma,
    StageDays,
    TaskHours,
    TraitEffect,
    _field,
    _Section,
)
from kamsim.scenario.lifecycle import StageProbabilities, StageValues
from kamsim.vocabulary import COMPLAINT_STAGES, CUSTOMER_STAGES, MAX_MONTHS


#: A scenario whose ``orders.max_per_month`` cuts more than this expected share of a stage's orders is invalid.
ORDER_CUT_ERROR: float = 0.01

#: ... and above this share ``simulate`` warns (``UserWarning``); the defaults cut about 0.015%.
ORDER_CUT_WARNING: float = 0.001


class Orders(_Section):
    """Monthly orders (transactions): count, product, quantity, price, discount and margin."""

    rate: StageValues = _field(
        StageValues(new=1.0, growing=1.5, mature=2.0, at_risk=1.0, won_back=1.2), "Mean number of orders (Poisson)", "orders per month"
    )
    share_of_wallet: StageProbabilities = _field(
        StageProbabilities(new=0.20, growing=0.35, mature=0.50, at_risk=0.30, won_back=0.30),
        "Share of annual_potential_spend bought from us at the reference satisfaction",
        "share",
    )
    satisfaction_effect: PointEffect = _field(0.08, "Log spend multiplier per satisfaction point above the reference", "per point")
    amount_sigma: Sigma = _field(0.5, "Log-normal sigma of an order's value around its mean", "log CU")
    base_discount: Probability = _field(0.05, "Discount on list price for every order", "share of list price")
    price_sensitivity_discount: Probability = _field(0.10, "Extra discount x price_sensitivity", "share of list price")
    max_discount: Probability = _field(0.40, "Upper bound of the discount", "share of list price")
    max_per_month: int = _field(8, "Cap on orders per account and month (draws are pre-allocated)", "orders", ge=1, le=100)

    @model_validator(mode="after")
    def _cap_leaves_rates_alone(self) -> Orders:
        """Refuse rates that the cap ``max_per_month`` would cut by more than ``ORDER_CUT_ERROR`` of their orders."""
        shares = self.cut_shares()
        worst = max(shares, key=shares.__getitem__)
        if shares[worst] > ORDER_CUT_ERROR:
            raise ValueError(self.cap_advice(worst))
        return self

    def cut_shares(self) -> dict[str, float]:
        """Expected share of each stage's orders removed by the cap: ``E[max(N - cap, 0)] / rate``, N ~ Poisson(rate).

        Returns
        -------
        dict
            Customer stage -> share of that stage's orders (and expected spend) cut (0-1).
        """
        return {stage: poisson_excess_share(getattr(self.rate, stage), self.max_per_month) for stage in CUSTOMER_STAGES}

    def cap_advice(self, stage: str) -> str:
        """Message saying how much of ``stage``'s orders the cap cuts and which ``max_per_month`` would not."""
        rate = getattr(self.rate, stage)
        share = poisson_excess_share(rate, self.max_per_month)
        text = (f"orders.max_per_month = {self.max_per_month} cuts about {share:.2%} of the orders (and spend) of stage "
                f"{stage!r} at orders.rate.{stage} = {rate:g} orders per month; ")
        enough = next((k for k in range(self.max_per_month, 101) if poisson_excess_share(rate, k) <= ORDER_CUT_WARNING), None)
        if enough is None:
            return text + f"lower orders.rate.{stage} (even the largest cap, 100, cuts more than {ORDER_CUT_WARNING:.1%})"
        return text + f"raise orders.max_per_month to at least {enough}"


class PriceResponse(_Section):
    """How accounts answer a pricing policy's discount (价格响应): more volume and, if price-sensitive, less churn.

    A policy discount ``delta`` comes on top of the negotiated discount ``d`` of :class:`Orders`; the unit price
    falls by the ratio ``rho = (1 - d - delta) / (1 - d)`` and each order's quantity is multiplied by
    ``rho ** -eps``, ``eps = elasticity + elasticity_per_sensitivity * price_sensitivity``.  The churn and
    decline hazards are multiplied by ``1 - min(churn_effect * delta * price_sensitivity, max_hazard_reduction)``.
    Without a policy discount nothing changes.
    """

    elasticity: Annotated[float, Field(ge=0.0, le=5.0)] = _field(
        0.3, "Price elasticity of an order's quantity (-d log quantity / d log price) at price_sensitivity 0", "elasticity"
    )
    elasticity_per_sensitivity: Annotated[float, Field(ge=0.0, le=5.0)] = _field(
        1.5, "Extra elasticity per unit of price_sensitivity (0-1)", "per unit trait"
    )
    churn_effect: TraitEffect = _field(
        3.0, "Share of the churn and decline hazard removed per unit of discount x price_sensitivity", "per unit"
    )
    max_hazard_reduction: Probability = _field(0.5, "Largest share of the churn and decline hazard a discount removes", "share")


class Needs(_Section):
    """Latent needs and cross-selling (需求识别, 交叉销售); off while ``latent_prob`` is 0 (the default).

    With ``latent_prob > 0`` every account buys only the product categories it already bought in its history
    (one category drawn for an account without history); each other category is a latent need with probability
    ``latent_prob``.  Needs-analysis hours ``D`` reveal each latent need with probability
    ``reveal_max * (1 - exp(-D / discovery_scale_hours))`` per month; a revealed need becomes the first order of
    that category with probability ``convert_prob * strategic_fit * satisfaction / 10`` per month, and from then on
    the account buys the category and spends ``category_uplift`` more per adopted category.
    """

    latent_prob: Probability = _field(0.0, "Each category an account does not buy is a latent need (0 = needs model off)",
                                      "probability")
    discovery_share: Probability = _field(
        0.2, "Share of ordinary contact hours spent on needs analysis (a policy may set its own)", "share"
    )
    reveal_max: Probability = _field(0.6, "Largest monthly probability that needs analysis reveals a latent need",
                                     "probability per month")
    discovery_scale_hours: ScaleHours = _field(4.0, "Needs-analysis hours at which reveal_max is 63% reached", "hours per month")
    convert_prob: Probability = _field(
        0.5, "Monthly probability that a revealed need becomes a first order, at strategic_fit 1 and satisfaction 10",
        "probability per month",
    )
    category_uplift: Annotated[float, Field(ge=0.0, le=5.0)] = _field(
        0.15, "Relative increase of expected spend per adopted category", "ratio per category"
    )


class Interactions(_Section):
    """How allocated account-manager hours become visits, calls and QBRs."""

    visit_hours: TaskHours = _field(2.5, "Typical hours of one visit", "hours")
    call_hours: TaskHours = _field(0.75, "Typical hours of one call", "hours")
    qbr_hours: TaskHours = _field(3.0, "Hours of one quarterly business review", "hours")
    qbr_every_months: int = _field(3, "A QBR is held every this many months if the hours allow", "months", ge=1, le=MAX_MONTHS)
    visit_share: Probability = _field(0.6, "Share of non-QBR hours spent on visits (rest: calls)", "share")
    max_per_month: int = _field(6, "Cap on interaction records per account and month", "interactions", ge=1, le=100)


class Satisfaction(_Section):
    """Monthly change of satisfaction (0-10) and survey answers."""

    mean_reversion: Probability = _field(0.15, "Share of the gap to baseline_satisfaction closed each month", "share per month")
    contact_gain: Points = _field(0.3, "Points gained per month at saturating effective contact", "points per month")
    contact_scale_hours: ScaleHours = _field(4.0, "Effective contact hours at which the gain reaches 63%", "hours per month")
    complaint_drop: Points = _field(0.4, "Points lost per complaint raised", "points per complaint")
    wait_drop_per_day: Points = _field(0.03, "Points lost per day a resolved complaint waited for a handler", "points per day")
    open_drop: Points = _field(0.3, "Points lost per complaint still open at month end", "points per complaint")
    resolved_gain: Points = _field(0.1, "Points regained per complaint resolved (service recovery)", "points per complaint")
    noise_sd: Points = _field(0.25, "Standard deviation of the monthly random change", "points")
    contact_wait_drop_per_day: Points = _field(
        0.02, "Points lost per day an account's manager tasks waited this month (queue mode, mean over its tasks)",
        "points per day",
    )
    missed_contact_drop: Points = _field(0.15, "Points lost per missed manager task (queue mode)", "points per task")
    survey_prob: Probability = _field(0.08, "Probability that a customer answers a survey in a month", "probability per month")
    survey_sd: Points = _field(1.0, "Standard deviation of a survey score around satisfaction", "points")


class ComplaintStages(_Section):
    """Mean duration of each of the six complaint-handling stages (seed 003)."""

    accept: StageDays = _field(0.5, "Accept and record the complaint (受理)", "days")
    investigate: StageDays = _field(2.0, "Investigate the facts (调查)", "days")
    analyse_cause: StageDays = _field(1.5, "Analyse the cause (分析原因)", "days")
    propose_solution: StageDays = _field(1.0, "Propose a solution (提出方案)", "days")
    implement: StageDays = _field(2.0, "Implement the solution (实施)", "days")
    follow_up: StageDays = _field(1.0, "Follow up with the customer (跟踪回访)", "days")

    @model_validator(mode="after")
    def _positive_total(self) -> ComplaintStages:
        if self.total_days() <= 0:
            raise ValueError("the six stage durations sum to 0; at least one must be > 0")
        return self

    def as_array(self) -> np.ndarray:
        """Mean stage durations in ``COMPLAINT_STAGES`` order (days)."""
        return np.array([getattr(self, s) for s in COMPLAINT_STAGES], dtype="float64")

    def total_days(self) -> float:
        """Mean total handling time (days)."""
        return float(self.as_array().sum())


class Complaints(_Section):
    """Complaints (投诉): Poisson arrivals per customer, a desk with finite handlers, six-stage handling."""

    base_rate: Annotated[float, Field(ge=0.0, le=10.0)] = _field(
        0.05, "Mean complaints per customer and month at the reference satisfaction", "complaints per month"
    )
    satisfaction_effect: PointEffect = _field(0.25, "Log rate increase per satisfaction point below the reference", "per point")
    handlers: int | None = _field(
        None, "Number of complaint handlers; None = handlers_per_1000_accounts", "handlers", ge=1, le=1_000_000
    )
    handlers_per_1000_accounts: float = _field(
        15.0, "Handlers per 1,000 accounts (rounded up) when handlers is None", "handlers", gt=0, le=1000
    )
    stage_days: ComplaintStages = _field(ComplaintStages(), "Mean durations of the six handling stages", "days")
    handling: Literal["stages", "exponential"] = _field(
        "stages",
        "'stages': each stage exponential with its mean; 'exponential': total exponential, split by the means",
        "choice",
    )
    max_per_month: int = _field(5, "Cap on complaints per account and month (draws are pre-allocated)", "complaints", ge=1, le=100)

    def n_handlers(self, n_accounts: int) -> int:
        """Number of handlers for a portfolio of ``n_accounts`` accounts."""
        if self.handlers is not None:
            return int(self.handlers)
        return max(1, int(np.ceil(n_accounts * self.handlers_per_1000_accounts / 1000.0 - 1e-9)))


class Contracts(_Section):
    """Contracts (合同) of 1 or 2 years and their renewal."""

    two_year_share: Probability = _field(0.4, "Share of contracts signed for 24 months (rest: 12 months)", "share")
    renewal_prob: Probability = _field(0.85, "Renewal probability at the reference satisfaction", "probability")
    renewal_satisfaction_effect: PointEffect = _field(0.6, "Log-odds of renewal per satisfaction point", "per point")
    resign_prob: Probability = _field(0.10, "A customer without a contract signs a new one", "probability per month")


class StaffChange(_Section):
    """One change of the account-management team at the start of a month (人员变动).

    ``action``: ``"hire"`` adds ``manager`` (with ``capacity_hours`` and ``skill``, no accounts yet);
    ``"leave"`` takes ``manager``'s hours away and moves all her accounts to ``to``; ``"move"`` moves
    ``share`` of ``manager``'s accounts (those with the largest account ids; at least one) to ``to``.
    """

    month: int = _field(0, "Month of the change (at its start)", "month", ge=0, le=MAX_MONTHS)
    action: Literal["hire", "leave", "move"] = _field("move", "What changes", "text")
    manager: str = _field("", "The manager hired, leaving, or giving accounts", "manager id", max_length=50)
    to: str = _field("", "The manager taking the accounts (leave, move)", "manager id", max_length=50)
    share: Probability = _field(0.5, "Share of the manager's accounts moved (move)", "share")
    capacity_hours: Annotated[float, Field(ge=0.0, le=744.0)] = _field(
        120.0, "Monthly hours of a hired manager (before capacity_multiplier)", "hours per month"
    )
    skill: Probability = _field(0.5, "Skill of a hired manager", "0-1")


class Managers(_Section):
    """Account managers: monthly hours, skill, and how requests for their time are served."""

    capacity_multiplier: Ratio = _field(1.0, "Multiplier on every manager's capacity_hours", "ratio")
    skill_floor: Annotated[float, Field(ge=0.0, le=10.0)] = _field(
        0.5, "Effective hours = hours x (skill_floor + skill)", "ratio"
    )
    queueing: bool = _field(
        False,
        "Managers work through tasks one at a time, by priority (SimPy queues), instead of cutting every request "
        "by the same share",
        "flag",
    )
    deadline_days: Annotated[float, Field(ge=0.1, le=365.0)] = _field(
        14.0, "Queue mode: a task not started this many days after it was requested is missed", "days"
    )
    planned_share: Probability = _field(
        0.85,
        "Queue mode: share of the team's hours the allocation policy plans (the rest absorbs escalations, "
        "retention actions and uneven arrivals)",
        "share",
    )
    escalation_hours: Annotated[float, Field(ge=0.0, le=100.0)] = _field(
        1.0, "Queue mode: manager hours per complaint of a first-tier account (escalation)", "hours"
    )
    changes: list[StaffChange] = _field([], "Hires, departures and account moves during the run", "list")


def poisson_excess_share(rate: float, cap: int) -> float:
    """Expected share of Poisson counts above a cap: ``E[max(N - cap, 0)] / rate`` with ``N ~ Poisson(rate)``.

    Parameters
    ----------
    rate
        Poisson mean (>= 0, events per period); 0 gives 0.
    cap
        Largest count kept (>= 0).

    Returns
    -------
    float
        Share of the expected events the cap removes (0-1).
    """
    if rate <= 0:
        return 0.0
    log_rate = math.log(rate)
    top = cap + int(rate + 12.0 * math.sqrt(rate)) + 40  # the tail beyond is below 1e-20
    excess = sum((k - cap) * math.exp(k * log_rate - rate - math.lgamma(k + 1)) for k in range(cap + 1, top + 1))
    return min(excess / rate, 1.0)


