"""Scenario: every parameter of the kamsim engine, with unit, default and range check.

KAM example: "our complaint desk has 5 handlers, a satisfied key account
(score 7/10) places about two orders a month, and an account at risk is lost
with probability 5% a month".  A :class:`Scenario` writes such assumptions
down in one validated object that can be saved as YAML or TOML and shared
between a trainer and the class::

    >>> from kamsim.scenario import Scenario
    >>> s = Scenario(months=24)
    >>> s.complaints.handlers is None          # derived from the portfolio size
    True
    >>> s.updated({"complaints.handlers": 5}).complaints.handlers
    5

Every field carries a description, a unit and a range (``Scenario.describe()`` lists
them); unknown fields are rejected and range errors name the field, e.g.
``complaints.base_rate: Input should be greater than or equal to 0``.
Every number must be finite (``.inf`` and ``.nan`` are refused), and ``true`` /
``false`` are not numbers.  Time is in months and probabilities are per month
unless a name says ``_days`` or ``_hours``.  See docs/engine.md for the equations
that use them.

Scenario files (:meth:`Scenario.from_file`) are YAML or TOML in UTF-8 (a byte-order
mark is allowed) of at most :data:`MAX_FILE_BYTES` bytes; a key given twice and a
file that sets no field are errors.
"""

from __future__ import annotations

import math
import stat
import sys
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kamsim.vocabulary import COMPLAINT_STAGES, CUSTOMER_STAGES, MAX_MONTHS, STAGES

#: Largest scenario file read (bytes, 1 MiB); a real scenario is a few kB.
MAX_FILE_BYTES: int = 1_048_576

#: Longest error message (characters); the rest is cut and replaced by ``...``.
MAX_MESSAGE_CHARS: int = 2000

#: Validation errors listed in one message (the others are counted).
MAX_ERRORS_SHOWN: int = 10

#: Deepest nesting of mappings and lists in a scenario file (a scenario needs 4 levels).
MAX_NESTING: int = 32

#: A scenario whose ``orders.max_per_month`` cuts more than this expected share of a stage's orders is invalid.
ORDER_CUT_ERROR: float = 0.01

#: ... and above this share ``simulate`` warns (``UserWarning``); the defaults cut about 0.015%.
ORDER_CUT_WARNING: float = 0.001


def _is_number_type(annotation: Any) -> bool:
    """True for ``int``, ``float`` and optional numbers (``int | None``)."""
    return any(a in (int, float) for a in (typing.get_args(annotation) or (annotation,)))


def _field(default: Any, description: str, unit: str, range_text: str | None = None, **constraints: Any) -> Any:
    """A pydantic ``Field`` whose description ends with the unit and whose schema carries ``unit`` (and ``range``)."""
    extra = {"unit": unit} if range_text is None else {"unit": unit, "range": range_text}
    return Field(default, description=f"{description} [{unit}]", json_schema_extra=extra, **constraints)


def _sub(model: type[BaseModel], description: str) -> Any:
    """A nested sub-model field with a default instance."""
    return Field(default_factory=model, description=f"{description} [section]", json_schema_extra={"unit": "section"})


# Value types: every float is finite (model_config allow_inf_nan=False); the upper bounds keep values in a range
# where the model's exp/log terms stay finite and a value still means something.
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Ratio = Annotated[float, Field(ge=0.0, le=100.0)]  # multipliers and relative increases
TraitEffect = Annotated[float, Field(ge=0.0, le=10.0)]  # log multipliers per unit of a 0-1 trait, per complaint
PointEffect = Annotated[float, Field(ge=0.0, le=5.0)]  # log multipliers (log-odds) per satisfaction point
Points = Annotated[float, Field(ge=0.0, le=10.0)]  # satisfaction points (the scale is 0-10)
Sigma = Annotated[float, Field(ge=0.0, le=3.0)]  # log-normal sigma
TaskHours = Annotated[float, Field(ge=0.01, le=100.0)]  # hours of one visit, call or QBR
ScaleHours = Annotated[float, Field(ge=0.01, le=1000.0)]  # hours per month at which an effect reaches 63%
StageDays = Annotated[float, Field(ge=0.0, le=365.0)]  # mean duration of a complaint-handling stage


class _Section(BaseModel):
    """Common configuration: unknown fields are errors, assignments are validated.

    A partial mapping given for a sub-model field is laid over that field's
    default, so ``{"churn_hazard": {"at_risk": 0.08}}`` changes only the
    at-risk hazard and keeps the defaults of the other stages.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_bools_as_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """``true``/``false`` given for a number (``months: true``) is an error, not 1 or 0."""
        annotation = cls.model_fields[info.field_name].annotation if info.field_name else None
        if _is_number_type(annotation) and isinstance(value, (bool, np.bool_)):
            raise ValueError(f"expected a number, got {str(bool(value)).lower()}")
        return value

    @model_validator(mode="before")
    @classmethod
    def _merge_partial_sections(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        merged = dict(data)
        for name, info in cls.model_fields.items():
            value = merged.get(name)
            if not isinstance(value, dict):
                continue
            default = info.get_default(call_default_factory=True)
            if isinstance(default, BaseModel):
                merged[name] = {**default.model_dump(), **value}
        return merged


class StageProbabilities(_Section):
    """A monthly probability for each customer stage."""

    new: Probability = _field(0.0, "Value for stage 'new'", "probability per month")
    growing: Probability = _field(0.0, "Value for stage 'growing'", "probability per month")
    mature: Probability = _field(0.0, "Value for stage 'mature'", "probability per month")
    at_risk: Probability = _field(0.0, "Value for stage 'at_risk'", "probability per month")
    won_back: Probability = _field(0.0, "Value for stage 'won_back'", "probability per month")


#: Smallest positive value of a :class:`StageValues` field (an order rate: a tinier one makes the rare
#: order ``spend / rate`` overflow).
MIN_STAGE_VALUE: float = 0.001


def _zero_or_at_least_minimum(value: float) -> float:
    if 0.0 < value < MIN_STAGE_VALUE:
        raise ValueError(f"must be 0 or at least {MIN_STAGE_VALUE:g}, got {value:g}")
    return value


StageValue = Annotated[float, Field(ge=0.0, le=100.0), AfterValidator(_zero_or_at_least_minimum)]
_STAGE_VALUE_RANGE = f"0, or {MIN_STAGE_VALUE:g} to 100"


class StageValues(_Section):
    """A value for each customer stage: 0, or 0.001 to 100 (unit given by the field using it)."""

    new: StageValue = _field(0.0, "Value for stage 'new'", "see parent field", _STAGE_VALUE_RANGE)
    growing: StageValue = _field(0.0, "Value for stage 'growing'", "see parent field", _STAGE_VALUE_RANGE)
    mature: StageValue = _field(0.0, "Value for stage 'mature'", "see parent field", _STAGE_VALUE_RANGE)
    at_risk: StageValue = _field(0.0, "Value for stage 'at_risk'", "see parent field", _STAGE_VALUE_RANGE)
    won_back: StageValue = _field(0.0, "Value for stage 'won_back'", "see parent field", _STAGE_VALUE_RANGE)


def _default_transitions() -> dict[str, dict[str, float]]:
    return {
        "prospect": {"new": 0.03},
        "new": {"growing": 0.10, "at_risk": 0.02, "lost": 0.01},
        "growing": {"mature": 0.06, "at_risk": 0.02, "lost": 0.005},
        "mature": {"at_risk": 0.02, "lost": 0.004},
        "at_risk": {"mature": 0.10, "lost": 0.06},
        "lost": {"won_back": 0.01},
        "won_back": {"mature": 0.08, "at_risk": 0.03, "lost": 0.01},
    }


class Lifecycle(_Section):
    """Stage transitions (客户生命周期) and the churn hazard model."""

    acquisition_prob: Probability = _field(0.02, "Prospect -> new, at strategic_fit 0.5 and no contact", "probability per month")
    acquisition_contact_effect: Ratio = _field(
        1.5, "Relative increase of acquisition_prob at saturating business-development hours", "ratio"
    )
    progress_prob: StageProbabilities = _field(
        StageProbabilities(new=0.12, growing=0.06, won_back=0.08),
        "Move to the next stage (new->growing->mature; won_back->mature) at growth_potential 0.5",
        "probability per month",
    )
    growth_effect: TraitEffect = _field(1.0, "progress_prob x (1 + growth_effect (growth_potential - 0.5))", "per unit trait")
    decline_prob: StageProbabilities = _field(
        StageProbabilities(new=0.02, growing=0.015, mature=0.015, won_back=0.03),
        "Move to at_risk at the reference churn multiplier 1",
        "probability per month",
    )
    recover_prob: Probability = _field(0.10, "at_risk -> mature at churn multiplier 1 (divided by the multiplier)", "probability per month")
    churn_hazard: StageProbabilities = _field(
        StageProbabilities(new=0.008, growing=0.004, mature=0.003, at_risk=0.05, won_back=0.01),
        "Loss (-> lost) at the reference churn multiplier 1",
        "probability per month",
    )
    winback_prob: Probability = _field(0.004, "lost -> won_back without win-back effort", "probability per month")
    winback_effect: Ratio = _field(4.0, "Relative increase of winback_prob at saturating win-back hours", "ratio")
    winback_scale_hours: ScaleHours = _field(4.0, "Hours at which win-back effort reaches 63% of its effect", "hours per month")
    satisfaction_reference: float = _field(7.0, "Satisfaction at which the churn multiplier is 1", "score 0-10", ge=0, le=10)
    satisfaction_effect: PointEffect = _field(0.30, "Log churn multiplier per satisfaction point below the reference", "per point")
    credit_risk_effect: TraitEffect = _field(2.0, "Log churn multiplier per unit of credit_risk", "per unit probability")
    price_sensitivity_effect: TraitEffect = _field(0.5, "Log churn multiplier per unit of price_sensitivity above 0.5", "per unit trait")
    cooperativeness_effect: TraitEffect = _field(0.8, "Log churn reduction per unit of cooperativeness above 0.5", "per unit trait")
    contact_effect: TraitEffect = _field(0.5, "Maximum log churn reduction from regular account-manager contact", "log ratio")
    contact_scale_hours: ScaleHours = _field(4.0, "Effective contact hours at which the contact effect reaches 63%", "hours per month")
    open_complaint_effect: TraitEffect = _field(0.2, "Log churn multiplier per complaint still open (service quality)", "per complaint")
    no_contract_multiplier: Ratio = _field(1.5, "Churn multiplier for a customer without a running contract", "ratio")
    constant_hazards: bool = _field(
        False,
        "Validation mode: stages follow the fixed monthly matrix transition_probs, ignoring traits and policy",
        "flag",
    )
    transition_probs: dict[str, dict[str, float]] = _field(
        _default_transitions(),
        "Constant-hazard mode only: from-stage -> {to-stage: probability}; staying gets the rest",
        "probability per month",
        "0 to 1 each, a row sums to <= 1",
    )

    @field_validator("transition_probs", mode="before")
    @classmethod
    def _check_transition_shape(cls, value: Any) -> Any:
        """Stage names and row shapes first, so a hostile mapping is refused before its values are read."""
        if not isinstance(value, dict):
            return value  # pydantic reports the type
        for src, row in value.items():
            if src not in STAGES:
                raise ValueError(f"unknown stage {_short(repr(src))}; stages are {list(STAGES)}")
            if not isinstance(row, dict):
                raise ValueError(f"{src}: expected a mapping {{to-stage: probability}}, got {type(row).__name__}")
            for dst, p in row.items():
                if dst not in STAGES:
                    raise ValueError(f"{src}: unknown stage {_short(repr(dst))}; stages are {list(STAGES)}")
                if isinstance(p, (bool, np.bool_)):
                    raise ValueError(f"{src} -> {dst}: expected a probability, got {str(bool(p)).lower()}")
        return value

    @field_validator("transition_probs")
    @classmethod
    def _check_transitions(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for src, row in value.items():
            if src not in STAGES:
                raise ValueError(f"unknown stage {src!r}; stages are {list(STAGES)}")
            for dst, p in row.items():
                if dst not in STAGES:
                    raise ValueError(f"{src}: unknown stage {dst!r}; stages are {list(STAGES)}")
                if dst == src:
                    raise ValueError(f"{src}: give only moves to other stages (staying gets the rest)")
                if not 0.0 <= float(p) <= 1.0:
                    raise ValueError(f"{src} -> {dst}: probability {p} outside [0, 1]")
            if sum(row.values()) > 1.0 + 1e-12:
                raise ValueError(f"{src}: probabilities sum to {sum(row.values()):.6g} > 1")
        return value

    def transition_matrix(self) -> np.ndarray:
        """The constant monthly transition matrix P (rows/columns in ``schema.STAGES`` order; rows sum to 1)."""
        k = len(STAGES)
        p = np.zeros((k, k))
        for i, src in enumerate(STAGES):
            for dst, prob in self.transition_probs.get(src, {}).items():
                p[i, STAGES.index(dst)] = prob
            p[i, i] = 1.0 - p[i].sum()
        return p


class RetentionEffect(_Section):
    """How extra retention hours (from the retention policy) lower the churn hazard."""

    max_reduction: Probability = _field(0.5, "Largest share of the churn and decline hazard removed by retention effort", "share")
    scale_hours: ScaleHours = _field(3.0, "Hours at which the effect reaches 63% of max_reduction", "hours per month")


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


class Scenario(_Section):
    """All engine parameters.  Build with keywords, from a dict, or with :meth:`from_file`.

    Examples
    --------
    >>> Scenario(months=12).months
    12
    >>> Scenario(complaints={"base_rate": -1})           # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Scenario
    complaints.base_rate
    ...
    """

    name: str = _field("default", "Label of the scenario", "text", max_length=200)
    months: int = _field(36, "Months simulated when simulate(months=None)", "months", ge=1, le=MAX_MONTHS)
    lifecycle: Lifecycle = _sub(Lifecycle, "Stage transitions and churn hazard")
    retention: RetentionEffect = _sub(RetentionEffect, "Effect of retention hours")
    orders: Orders = _sub(Orders, "Orders and prices")
    interactions: Interactions = _sub(Interactions, "Visits, calls, QBRs")
    satisfaction: Satisfaction = _sub(Satisfaction, "Satisfaction dynamics and surveys")
    complaints: Complaints = _sub(Complaints, "Complaint arrivals and handling queue")
    contracts: Contracts = _sub(Contracts, "Contract terms and renewal")
    managers: Managers = _sub(Managers, "Account-manager capacity and skill")
    pricing: PriceResponse = _sub(PriceResponse, "Volume and churn response to a pricing policy's discount")
    needs: Needs = _sub(Needs, "Latent needs, needs analysis and cross-selling")

    # ------------------------------------------------------------------ I/O

    @classmethod
    def from_file(cls, path: str | Path) -> Scenario:
        """Read a scenario from ``.yaml``/``.yml`` or ``.toml`` (UTF-8, a byte-order mark is allowed).

        Raises
        ------
        ValueError
            If the file is missing, unreadable, of another type, larger than
            :data:`MAX_FILE_BYTES`, not UTF-8, not valid YAML/TOML, gives a YAML
            key twice, sets no field (empty or comments only), or a value is
            invalid; the message names the file and the field (at most
            :data:`MAX_MESSAGE_CHARS` characters).
        """
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix not in (".yaml", ".yml", ".toml"):
            raise ValueError(_clip(f"{p}: scenario files must end in .yaml, .yml or .toml"))
        data = _parse(_read_text(p), suffix, p)
        if data is None or (isinstance(data, dict) and not data):
            raise ValueError(_clip(f"{p}: empty scenario file (no field is set); give at least one field, "
                                   f"e.g. 'name: baseline' (YAML) or 'name = \"baseline\"' (TOML)"))
        return cls.from_dict(data, source=str(p))

    @classmethod
    def from_dict(cls, data: Any, source: str = "scenario") -> Scenario:
        """Validate a mapping; errors are ``ValueError`` naming ``source`` and the field path (``None``: defaults)."""
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ValueError(_clip(f"{source}: expected a mapping of fields, got {type(data).__name__}"))
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ValueError(_clip(f"{source}: {_format_errors(exc)}")) from None
        except RecursionError:
            raise ValueError(_clip(f"{source}: values nested too deeply")) from None

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (JSON/YAML friendly) that :meth:`from_dict` reads back."""
        return self.model_dump(mode="json")

    def to_yaml(self, path: str | Path | None = None) -> str:
        """YAML text of :meth:`to_dict`; also written to ``path`` if given."""
        import yaml

        text = yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def updated(self, changes: dict[str, Any]) -> Scenario:
        """A validated copy with ``changes`` applied; keys are dotted paths like ``"complaints.handlers"``."""
        data = self.to_dict()
        for key, value in changes.items():
            node = data
            parts = key.split(".")
            for part in parts[:-1]:
                if not isinstance(node.get(part), dict):
                    raise ValueError(f"scenario: unknown section {part!r} in {key!r}")
                node = node[part]
            node[parts[-1]] = value
        return type(self).from_dict(data, source="scenario update")

    @classmethod
    def describe(cls) -> pd.DataFrame:
        """Every field: ``field`` (dotted path), ``default``, ``unit``, ``range`` (allowed values), ``description``."""
        rows: list[tuple[str, Any, str, str, str]] = []
        _walk(cls, cls(), "", rows)
        frame = pd.DataFrame(rows, columns=["field", "default", "unit", "range", "description"])
        frame["default"] = pd.Series([r[1] for r in rows], dtype=object)  # keep None and mixed types as given
        return frame


def _walk(model: type[BaseModel], instance: BaseModel, prefix: str, rows: list[tuple[str, Any, str, str, str]]) -> None:
    for name, info in model.model_fields.items():
        value = getattr(instance, name)
        path = f"{prefix}{name}"
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        unit = str(extra.get("unit", ""))
        desc = (info.description or "").rsplit(" [", 1)[0]
        if isinstance(value, (StageProbabilities, StageValues)):
            stage_info = type(value).model_fields[CUSTOMER_STAGES[0]]
            stage_extra = stage_info.json_schema_extra if isinstance(stage_info.json_schema_extra, dict) else {}
            stage_range = str(stage_extra.get("range", _range(stage_info)))
            for stage in CUSTOMER_STAGES:  # per-stage values share the parent's unit and meaning
                rows.append((f"{path}.{stage}", getattr(value, stage), unit, stage_range, f"{desc} (stage {stage})"))
        elif isinstance(value, BaseModel):
            _walk(type(value), value, f"{path}.", rows)
        else:
            rows.append((path, value, unit, str(extra.get("range", _range(info))), desc))


def _range(info: Any) -> str:
    """The allowed values of a field in words: ``0 to 1``, ``> 0 to 1000``, ``>= 1``, a choice, ..."""
    low = high = None
    for item in info.metadata:
        for attr, sign in (("ge", ""), ("gt", "> ")):
            if getattr(item, attr, None) is not None:
                low = f"{sign}{_number(getattr(item, attr))}"
        for attr, sign in (("le", ""), ("lt", "< ")):
            if getattr(item, attr, None) is not None:
                high = f"{sign}{_number(getattr(item, attr))}"
        if getattr(item, "max_length", None) is not None:
            return f"at most {item.max_length} characters"
    annotation = info.annotation
    if typing.get_origin(annotation) is Literal:
        return " or ".join(repr(a) for a in typing.get_args(annotation))
    if annotation is bool:
        return "true or false"
    if not _is_number_type(annotation):
        return "see text"
    if low is not None and high is not None:
        return f"{low} to {high}" + (" or null" if type(None) in typing.get_args(annotation) else "")
    return f">= {low}" if low is not None and not low.startswith(">") else (low or "finite")


def _number(value: float) -> str:
    """``1000000`` -> ``1,000,000``; ``0.01`` -> ``0.01``."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


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


# ----------------------------------------------------------------------------- reading files


def _read_text(path: Path) -> str:
    """The file's text (UTF-8, a byte-order mark removed); ``ValueError`` naming the file otherwise."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(_clip(f"{path}: cannot read scenario file (not a regular file)"))
        if info.st_size > MAX_FILE_BYTES:
            raise ValueError(_too_large(path, info.st_size))
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ValueError(_clip(f"{path}: cannot read scenario file ({exc.strerror or exc})")) from None
    if len(raw) > MAX_FILE_BYTES:  # grew since stat
        raise ValueError(_too_large(path, len(raw)))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValueError(_clip(f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); "
                               f"save the scenario file as UTF-8")) from None


def _too_large(path: Path, size: int) -> str:
    return _clip(f"{path}: scenario file too large ({size / 1e6:.1f} MB; the limit is "
                 f"{MAX_FILE_BYTES:,} bytes = 1 MiB): a scenario file lists a few dozen fields")


def _parse(text: str, suffix: str, path: Path) -> Any:
    try:
        return _parse_toml(text, path) if suffix == ".toml" else _parse_yaml(text, path)
    except RecursionError:
        raise ValueError(_clip(f"{path}: values nested too deeply")) from None


def _parse_toml(text: str, path: Path) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(_clip(f"{path}: invalid TOML ({exc})")) from None


def _parse_yaml(text: str, path: Path) -> Any:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser: about 5x faster on a 1 MB file

    class UniqueKeyLoader(base):  # type: ignore[valid-type,misc]
        """A safe loader that refuses a key given twice in one mapping (PyYAML keeps the last silently)."""

        def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
            if isinstance(node, yaml.MappingNode):
                first_line: dict[Any, int] = {}
                for key_node, _ in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        continue
                    key = self.construct_object(key_node, deep=True)
                    try:
                        earlier = first_line.setdefault(key, key_node.start_mark.line + 1)
                    except TypeError:  # unhashable key: PyYAML reports it below
                        continue
                    if earlier != key_node.start_mark.line + 1:
                        raise ValueError(_clip(
                            f"{path}: line {key_node.start_mark.line + 1}: key {_short(repr(key))} given twice "
                            f"(first on line {earlier}); give each field once"))
            return super().construct_mapping(node, deep=deep)

    try:
        _check_yaml_nesting(text, base, path)  # libyaml's composer recurses in C: refuse deep nesting first
        return yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise ValueError(_clip(f"{path}: invalid YAML ({exc})")) from None


def _check_yaml_nesting(text: str, loader: Any, path: Path) -> None:
    """``ValueError`` if mappings and lists nest deeper than :data:`MAX_NESTING` (one pass over the parse events)."""
    import yaml

    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_NESTING:
                    line = event.start_mark.line + 1 if event.start_mark is not None else "?"
                    raise ValueError(_clip(f"{path}: line {line}: values nested more than {MAX_NESTING} levels deep "
                                           f"(a scenario needs 4)"))
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError as exc:  # PyYAML >= 6.0.4 stops deep flow nesting itself, with its own words
        if "nesting depth" not in str(exc):
            raise
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        raise ValueError(_clip(f"{path}: line {line}: values nested more than {MAX_NESTING} levels deep "
                               f"(a scenario needs 4)")) from None


# ----------------------------------------------------------------------------- messages


def _short(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters (with ``...``)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _clip(message: str) -> str:
    """An error message of at most :data:`MAX_MESSAGE_CHARS` characters."""
    return _short(message, MAX_MESSAGE_CHARS)


def _format_errors(exc: ValidationError) -> str:
    """``field.path: message`` for each error (the first :data:`MAX_ERRORS_SHOWN`), joined by ``; ``."""
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    parts = []
    for err in errors[:MAX_ERRORS_SHOWN]:
        loc = ".".join(_short(str(x)) for x in err["loc"]) or "(root)"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field (not a Scenario parameter)"
        parts.append(f"{loc}: {msg}")
    if len(errors) > MAX_ERRORS_SHOWN:
        parts.append(f"and {len(errors) - MAX_ERRORS_SHOWN} more errors")
    return "; ".join(parts)
