"""The lifecycle sections of a scenario: per-stage values, stage transitions and churn hazard, retention effect."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from pydantic import AfterValidator, Field, field_validator

from kamsim.scenario._base import (
    PointEffect,
    Probability,
    Ratio,
    ScaleHours,
    TraitEffect,
    _field,
    _Section,
    _short,
)
from kamsim.vocabulary import STAGES



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
