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

Every field carries a description and a unit (``Scenario.describe()`` lists
them); unknown fields are rejected and range errors name the field, e.g.
``complaints.base_rate: Input should be greater than or equal to 0``.
Time is in months and probabilities are per month unless a name says
``_days`` or ``_hours``.  See docs/engine.md for the equations that use them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kamsim.vocabulary import COMPLAINT_STAGES, CUSTOMER_STAGES, STAGES

def _field(default: Any, description: str, unit: str, **constraints: Any) -> Any:
    """A pydantic ``Field`` whose description ends with the unit and whose schema carries ``unit``."""
    return Field(default, description=f"{description} [{unit}]", json_schema_extra={"unit": unit}, **constraints)


def _sub(model: type[BaseModel], description: str) -> Any:
    """A nested sub-model field with a default instance."""
    return Field(default_factory=model, description=f"{description} [section]", json_schema_extra={"unit": "section"})


Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]


class _Section(BaseModel):
    """Common configuration: unknown fields are errors, assignments are validated.

    A partial mapping given for a sub-model field is laid over that field's
    default, so ``{"churn_hazard": {"at_risk": 0.08}}`` changes only the
    at-risk hazard and keeps the defaults of the other stages.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

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


class StageValues(_Section):
    """A non-negative value for each customer stage (unit given by the field using it)."""

    new: NonNegative = _field(0.0, "Value for stage 'new'", "see parent field")
    growing: NonNegative = _field(0.0, "Value for stage 'growing'", "see parent field")
    mature: NonNegative = _field(0.0, "Value for stage 'mature'", "see parent field")
    at_risk: NonNegative = _field(0.0, "Value for stage 'at_risk'", "see parent field")
    won_back: NonNegative = _field(0.0, "Value for stage 'won_back'", "see parent field")


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
    acquisition_contact_effect: NonNegative = _field(
        1.5, "Relative increase of acquisition_prob at saturating business-development hours", "ratio"
    )
    progress_prob: StageProbabilities = _field(
        StageProbabilities(new=0.12, growing=0.06, won_back=0.08),
        "Move to the next stage (new->growing->mature; won_back->mature) at growth_potential 0.5",
        "probability per month",
    )
    growth_effect: NonNegative = _field(1.0, "progress_prob x (1 + growth_effect (growth_potential - 0.5))", "per unit trait")
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
    winback_effect: NonNegative = _field(4.0, "Relative increase of winback_prob at saturating win-back hours", "ratio")
    winback_scale_hours: float = _field(4.0, "Hours at which win-back effort reaches 63% of its effect", "hours per month", gt=0)
    satisfaction_reference: float = _field(7.0, "Satisfaction at which the churn multiplier is 1", "score 0-10", ge=0, le=10)
    satisfaction_effect: NonNegative = _field(0.30, "Log churn multiplier per satisfaction point below the reference", "per point")
    credit_risk_effect: NonNegative = _field(2.0, "Log churn multiplier per unit of credit_risk", "per unit probability")
    price_sensitivity_effect: NonNegative = _field(0.5, "Log churn multiplier per unit of price_sensitivity above 0.5", "per unit trait")
    cooperativeness_effect: NonNegative = _field(0.8, "Log churn reduction per unit of cooperativeness above 0.5", "per unit trait")
    contact_effect: NonNegative = _field(0.5, "Maximum log churn reduction from regular account-manager contact", "log ratio")
    contact_scale_hours: float = _field(4.0, "Effective contact hours at which the contact effect reaches 63%", "hours per month", gt=0)
    open_complaint_effect: NonNegative = _field(0.2, "Log churn multiplier per complaint still open (service quality)", "per complaint")
    no_contract_multiplier: NonNegative = _field(1.5, "Churn multiplier for a customer without a running contract", "ratio")
    constant_hazards: bool = _field(
        False,
        "Validation mode: stages follow the fixed monthly matrix transition_probs, ignoring traits and policy",
        "flag",
    )
    transition_probs: dict[str, dict[str, float]] = _field(
        _default_transitions(),
        "Constant-hazard mode only: from-stage -> {to-stage: probability}; staying gets the rest",
        "probability per month",
    )

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
    scale_hours: float = _field(3.0, "Hours at which the effect reaches 63% of max_reduction", "hours per month", gt=0)


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
    satisfaction_effect: NonNegative = _field(0.08, "Log spend multiplier per satisfaction point above the reference", "per point")
    amount_sigma: NonNegative = _field(0.5, "Log-normal sigma of an order's value around its mean", "log CU")
    base_discount: Probability = _field(0.05, "Discount on list price for every order", "share of list price")
    price_sensitivity_discount: Probability = _field(0.10, "Extra discount x price_sensitivity", "share of list price")
    max_discount: Probability = _field(0.40, "Upper bound of the discount", "share of list price")
    max_per_month: int = _field(8, "Cap on orders per account and month (draws are pre-allocated)", "orders", ge=1, le=100)


class Interactions(_Section):
    """How allocated account-manager hours become visits, calls and QBRs."""

    visit_hours: float = _field(2.5, "Typical hours of one visit", "hours", gt=0)
    call_hours: float = _field(0.75, "Typical hours of one call", "hours", gt=0)
    qbr_hours: float = _field(3.0, "Hours of one quarterly business review", "hours", gt=0)
    qbr_every_months: int = _field(3, "A QBR is held every this many months if the hours allow", "months", ge=1)
    visit_share: Probability = _field(0.6, "Share of non-QBR hours spent on visits (rest: calls)", "share")
    max_per_month: int = _field(6, "Cap on interaction records per account and month", "interactions", ge=1, le=100)


class Satisfaction(_Section):
    """Monthly change of satisfaction (0-10) and survey answers."""

    mean_reversion: Probability = _field(0.15, "Share of the gap to baseline_satisfaction closed each month", "share per month")
    contact_gain: NonNegative = _field(0.3, "Points gained per month at saturating effective contact", "points per month")
    contact_scale_hours: float = _field(4.0, "Effective contact hours at which the gain reaches 63%", "hours per month", gt=0)
    complaint_drop: NonNegative = _field(0.4, "Points lost per complaint raised", "points per complaint")
    wait_drop_per_day: NonNegative = _field(0.03, "Points lost per day a resolved complaint waited for a handler", "points per day")
    open_drop: NonNegative = _field(0.3, "Points lost per complaint still open at month end", "points per complaint")
    resolved_gain: NonNegative = _field(0.1, "Points regained per complaint resolved (service recovery)", "points per complaint")
    noise_sd: NonNegative = _field(0.25, "Standard deviation of the monthly random change", "points")
    survey_prob: Probability = _field(0.08, "Probability that a customer answers a survey in a month", "probability per month")
    survey_sd: NonNegative = _field(1.0, "Standard deviation of a survey score around satisfaction", "points")


class ComplaintStages(_Section):
    """Mean duration of each of the six complaint-handling stages (seed 003)."""

    accept: NonNegative = _field(0.5, "Accept and record the complaint (受理)", "days")
    investigate: NonNegative = _field(2.0, "Investigate the facts (调查)", "days")
    analyse_cause: NonNegative = _field(1.5, "Analyse the cause (分析原因)", "days")
    propose_solution: NonNegative = _field(1.0, "Propose a solution (提出方案)", "days")
    implement: NonNegative = _field(2.0, "Implement the solution (实施)", "days")
    follow_up: NonNegative = _field(1.0, "Follow up with the customer (跟踪回访)", "days")

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

    base_rate: NonNegative = _field(0.05, "Mean complaints per customer and month at the reference satisfaction", "complaints per month")
    satisfaction_effect: NonNegative = _field(0.25, "Log rate increase per satisfaction point below the reference", "per point")
    handlers: int | None = _field(None, "Number of complaint handlers; None = handlers_per_1000_accounts", "handlers", ge=1)
    handlers_per_1000_accounts: float = _field(15.0, "Handlers per 1,000 accounts (rounded up) when handlers is None", "handlers", gt=0)
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
    renewal_satisfaction_effect: NonNegative = _field(0.6, "Log-odds of renewal per satisfaction point", "per point")
    resign_prob: Probability = _field(0.10, "A customer without a contract signs a new one", "probability per month")


class Managers(_Section):
    """Account managers: monthly hours (SimPy containers) and skill."""

    capacity_multiplier: NonNegative = _field(1.0, "Multiplier on every manager's capacity_hours", "ratio")
    skill_floor: NonNegative = _field(0.5, "Effective hours = hours x (skill_floor + skill)", "ratio")


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

    name: str = _field("default", "Label of the scenario", "text")
    months: int = _field(36, "Months simulated when simulate(months=None)", "months", ge=1, le=1200)
    lifecycle: Lifecycle = _sub(Lifecycle, "Stage transitions and churn hazard")
    retention: RetentionEffect = _sub(RetentionEffect, "Effect of retention hours")
    orders: Orders = _sub(Orders, "Orders and prices")
    interactions: Interactions = _sub(Interactions, "Visits, calls, QBRs")
    satisfaction: Satisfaction = _sub(Satisfaction, "Satisfaction dynamics and surveys")
    complaints: Complaints = _sub(Complaints, "Complaint arrivals and handling queue")
    contracts: Contracts = _sub(Contracts, "Contract terms and renewal")
    managers: Managers = _sub(Managers, "Account-manager capacity and skill")

    # ------------------------------------------------------------------ I/O

    @classmethod
    def from_file(cls, path: str | Path) -> Scenario:
        """Read a scenario from ``.yaml``/``.yml`` or ``.toml``.

        Raises
        ------
        ValueError
            If the file is missing, unreadable, of another type, or a value is
            invalid; the message names the file and the field.
        """
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix not in (".yaml", ".yml", ".toml"):
            raise ValueError(f"{p}: scenario files must end in .yaml, .yml or .toml")
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"{p}: cannot read scenario file ({exc.strerror or exc})") from None
        data = _parse(text, suffix, p)
        return cls.from_dict(data, source=str(p))

    @classmethod
    def from_dict(cls, data: Any, source: str = "scenario") -> Scenario:
        """Validate a mapping; errors are ``ValueError`` naming ``source`` and the field path."""
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ValueError(f"{source}: expected a mapping of fields, got {type(data).__name__}")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ValueError(f"{source}: {_format_errors(exc)}") from None

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
        """Every field: ``field`` (dotted path), ``default``, ``unit``, ``description``."""
        rows: list[tuple[str, Any, str, str]] = []
        _walk(cls, cls(), "", rows)
        frame = pd.DataFrame(rows, columns=["field", "default", "unit", "description"])
        frame["default"] = pd.Series([r[1] for r in rows], dtype=object)  # keep None and mixed types as given
        return frame


def _walk(model: type[BaseModel], instance: BaseModel, prefix: str, rows: list[tuple[str, Any, str, str]]) -> None:
    for name, info in model.model_fields.items():
        value = getattr(instance, name)
        path = f"{prefix}{name}"
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        unit = str(extra.get("unit", ""))
        desc = (info.description or "").rsplit(" [", 1)[0]
        if isinstance(value, (StageProbabilities, StageValues)):
            for stage in CUSTOMER_STAGES:  # per-stage values share the parent's unit and meaning
                rows.append((f"{path}.{stage}", getattr(value, stage), unit, f"{desc} (stage {stage})"))
        elif isinstance(value, BaseModel):
            _walk(type(value), value, f"{path}.", rows)
        else:
            rows.append((path, value, unit, desc))


def _parse(text: str, suffix: str, path: Path) -> Any:
    if suffix == ".toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - Python 3.10
            import tomli as tomllib  # type: ignore[no-redef]
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: invalid TOML ({exc})") from None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: invalid YAML ({exc})") from None


def _format_errors(exc: ValidationError) -> str:
    """``field.path: message`` for each error, joined by ``; ``."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "(root)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (not a Scenario parameter)"
        parts.append(f"{loc}: {msg}")
    return "; ".join(parts)
