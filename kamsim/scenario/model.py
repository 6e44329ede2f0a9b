"""The :class:`Scenario`: every section with its defaults, reading and writing files, ``describe()``."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ValidationError

from kamsim.scenario._base import _clip, _field, _format_errors, _is_number_type, _Section, _sub
from kamsim.scenario.files import _parse, _read_text
from kamsim.scenario.lifecycle import Lifecycle, RetentionEffect, StageProbabilities, StageValues
from kamsim.scenario.sections import (
    Complaints,
    Contracts,
    Interactions,
    Managers,
    Needs,
    Orders,
    PriceResponse,
    Satisfaction,
)
from kamsim.vocabulary import CUSTOMER_STAGES, MAX_MONTHS


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


