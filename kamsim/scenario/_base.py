"""The building blocks of :class:`~kamsim.scenario.Scenario`: the section base class, value types, fields, messages.

Every section is a pydantic model derived from :class:`_Section` (unknown fields refused, assignments
validated, ``true``/``false`` refused as numbers, partial mappings laid over the defaults); every field
is made by :func:`_field` (description ending in the unit, ``unit`` and ``range`` in the JSON schema).
"""

from __future__ import annotations

import typing
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator



#: Longest error message (characters); the rest is cut and replaced by ``...``.
MAX_MESSAGE_CHARS: int = 2000

#: Validation errors listed in one message (the others are counted).
MAX_ERRORS_SHOWN: int = 10


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
