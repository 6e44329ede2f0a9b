"""The explorer's form fields: the scenario knobs read from the Scenario's pydantic fields, and parsing typed values.

KAM example: the strategist's "Complaint handlers" box is the Scenario field
``complaints.handlers``; its label, unit and bounds come from that field, and
"2.5" typed into it is refused (handlers are whole people)::

    from kamsim.explorer.fields import parse_number, scenario_knobs
    knobs, notes = scenario_knobs()      # notes: "Retention budget: the Scenario has no such field; ..."
    handlers = next(k for k in knobs if k.path == "complaints.handlers")
    handlers.help_text()                 # description, unit and "Valid: ... whole number"
    parse_number("2.5", handlers.kind)   # (None, "enter a whole number, got 2.5")

:func:`scenario_knobs` offers the knobs of :data:`KNOB_CANDIDATES` the Scenario
has, each as a :class:`Knob`; a knob the Scenario does not have is left out
with a note.  :func:`parse_number` and :func:`parse_int` turn a form value
(number, text or empty) into a number or a message for the field.
"""

from __future__ import annotations

import math
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from kamsim.scenario import Scenario

# ----------------------------------------------------------------------------- the scenario knobs

#: The knobs the form offers: (label, candidate dotted Scenario paths; the first that exists is used).
KNOB_CANDIDATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Months simulated", ("months",)),
    ("Manager capacity", ("managers.capacity_multiplier",)),
    ("Complaint handlers", ("complaints.handlers",)),
    ("Discount on list price", ("orders.base_discount",)),
    ("Retention budget", ("retention.budget_hours", "retention.budget")),
)

#: Why a knob without a Scenario field is left out (shown under the scenario knobs).
MISSING_KNOB_NOTES: dict[str, str] = {
    "Retention budget": (
        "Retention budget: the Scenario has no such field; a retention budget belongs to a retention "
        "policy (e.g. the budget_hours of the value_risk and win_back bundles), so it is left out here."
    ),
}


@dataclass(frozen=True)
class Knob:
    """One scenario parameter of the form, described by the Scenario's own field metadata.

    Attributes
    ----------
    path : str
        Dotted Scenario path, e.g. ``"complaints.handlers"``; also the form field name.
    label, description, unit : str
        Short label (the explorer's), the field's description and unit (the Scenario's).
    kind : {"int", "float"}
        Number type of the field.
    optional : bool
        The field accepts ``None`` (an empty input).
    minimum, maximum : float or None
        Bounds from the field's ``ge``/``gt`` and ``le``/``lt`` constraints.
    min_exclusive, max_exclusive : bool
        True for ``gt``/``lt`` bounds.
    """

    path: str
    label: str
    description: str
    unit: str
    kind: str
    optional: bool
    minimum: float | None
    maximum: float | None
    min_exclusive: bool = False
    max_exclusive: bool = False

    def range_text(self) -> str:
        """Valid values in words, e.g. ``"1 to 1200"``, ``">= 0"``, ``"> 0"``."""
        def fmt(v: float) -> str:
            return str(int(v)) if float(v).is_integer() else f"{v:g}"

        low = None if self.minimum is None else (">" if self.min_exclusive else ">=") + " " + fmt(self.minimum)
        high = None if self.maximum is None else ("<" if self.max_exclusive else "<=") + " " + fmt(self.maximum)
        if low and high and not self.min_exclusive and not self.max_exclusive:
            text = f"{fmt(self.minimum)} to {fmt(self.maximum)}"  # type: ignore[arg-type]
        else:
            text = " and ".join(t for t in (low, high) if t) or "any number"
        if self.kind == "int":
            text += ", whole number"
        if self.optional:
            text += "; empty = automatic"
        return text

    def requirement(self) -> str:
        """What a valid value is, for a message: ``"a whole number from 1 to 1200 [months]"``."""
        def fmt(v: float) -> str:
            return str(int(v)) if float(v).is_integer() else f"{v:g}"

        parts = []
        if self.minimum is not None and self.maximum is not None and not (self.min_exclusive or self.max_exclusive):
            parts.append(f"from {fmt(self.minimum)} to {fmt(self.maximum)}")
        else:
            if self.minimum is not None:
                parts.append(f"{'>' if self.min_exclusive else '>='} {fmt(self.minimum)}")
            if self.maximum is not None:
                parts.append(f"{'<' if self.max_exclusive else '<='} {fmt(self.maximum)}")
        text = ("a whole number " if self.kind == "int" else "a number ") + " and ".join(parts)
        text = f"{text.strip()} [{self.unit}]"
        return text + (", or empty for automatic" if self.optional else "")

    def help_text(self) -> str:
        """Description, unit and valid range for the form."""
        return f"{self.description}. Valid: {self.range_text()}."


def _field_info(path: str) -> Any | None:
    """The pydantic FieldInfo of a dotted Scenario path, or ``None`` if the Scenario has no such field."""
    model: Any = Scenario
    parts = path.split(".")
    for part in parts[:-1]:
        info = getattr(model, "model_fields", {}).get(part)
        if info is None or not (isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)):
            return None
        model = info.annotation
    return getattr(model, "model_fields", {}).get(parts[-1])


def _number_kind(annotation: Any) -> tuple[str, bool] | None:
    """``("int"|"float", optional)`` for a numeric annotation, ``None`` for anything else."""
    args = typing.get_args(annotation)
    optional = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        optional = type(None) in args
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            return None
        annotation = rest[0]
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if annotation is int:
        return "int", optional
    if annotation is float:
        return "float", optional
    return None


def _knob(path: str, label: str) -> Knob | None:
    info = _field_info(path)
    if info is None:
        return None
    kind = _number_kind(info.annotation)
    if kind is None:
        return None
    minimum = maximum = None
    min_excl = max_excl = False
    for item in info.metadata:
        for attr, is_min, excl in (("ge", True, False), ("gt", True, True), ("le", False, False), ("lt", False, True)):
            value = getattr(item, attr, None)
            if value is None:
                continue
            if is_min:
                minimum, min_excl = float(value), excl
            else:
                maximum, max_excl = float(value), excl
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    description = (info.description or "").rsplit(" [", 1)[0]
    return Knob(path, label, description, str(extra.get("unit", "")), kind[0], kind[1], minimum, maximum, min_excl, max_excl)


def scenario_knobs() -> tuple[list[Knob], list[str]]:
    """The knobs of :data:`KNOB_CANDIDATES` the Scenario has, and a note for each one it has not."""
    knobs: list[Knob] = []
    notes: list[str] = []
    for label, paths in KNOB_CANDIDATES:
        found = next((k for k in (_knob(p, label) for p in paths) if k is not None), None)
        if found is None:
            notes.append(MISSING_KNOB_NOTES.get(label, f"{label}: not a Scenario field, left out."))
        else:
            knobs.append(found)
    return knobs, notes


def get_path(scenario: Scenario, path: str) -> Any:
    """The value of a dotted path in a scenario, e.g. ``get_path(scenario, "complaints.handlers")``."""
    value: Any = scenario
    for part in path.split("."):
        value = getattr(value, part)
    return value


# ----------------------------------------------------------------------------- parsing form values


def parse_number(value: Any, kind: str, optional: bool = False) -> tuple[Any, str | None]:
    """``(number, None)`` or ``(None, message)`` for a form value (number, text or empty)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, (None if optional else "enter a value")
    if isinstance(value, bool):
        return None, f"enter a number, got {value!r}"
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text) if kind == "int" else float(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                return None, f"enter a {'whole ' if kind == 'int' else ''}number, got {text!r}"
    if not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        return None, f"enter a number, got {value!r}"
    number = float(value)
    if not math.isfinite(number):
        return None, f"enter a finite number, got {value!r}"
    if kind == "int":
        if not number.is_integer():
            return None, f"enter a whole number, got {value!r}"
        return int(number), None
    return number, None


def parse_int(value: Any, label: str, minimum: int, maximum: int | None = None, why: str = "") -> tuple[int | None, str | None]:
    """``(whole number, None)`` or ``(None, message)``; the message names ``label`` and the bounds (plus ``why``)."""
    number, error = parse_number(value, "int")
    if error:
        return None, f"{label}: {error}"
    if number < minimum or (maximum is not None and number > maximum):
        bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        return None, f"{label} must be {bounds}{why}, got {number}"
    return number, None
