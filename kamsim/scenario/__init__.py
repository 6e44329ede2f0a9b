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

The package, in reading order: :mod:`~kamsim.scenario._base` (the section base class, value types,
fields, messages), :mod:`~kamsim.scenario.lifecycle` and :mod:`~kamsim.scenario.sections` (one model per
engine part), :mod:`~kamsim.scenario.model` (:class:`Scenario` itself) and :mod:`~kamsim.scenario.files`
(reading YAML/TOML safely).
"""

from kamsim.scenario._base import (
    MAX_ERRORS_SHOWN,
    MAX_MESSAGE_CHARS,
    PointEffect,
    Points,
    Probability,
    Ratio,
    ScaleHours,
    Sigma,
    StageDays,
    TaskHours,
    TraitEffect,
)
from kamsim.scenario.files import MAX_FILE_BYTES, MAX_NESTING
from kamsim.scenario.lifecycle import MIN_STAGE_VALUE, Lifecycle, RetentionEffect, StageProbabilities, StageValues
from kamsim.scenario.model import Scenario
from kamsim.scenario.sections import (
    ORDER_CUT_ERROR,
    ORDER_CUT_WARNING,
    Complaints,
    ComplaintStages,
    Contracts,
    Interactions,
    Managers,
    Needs,
    Orders,
    PriceResponse,
    Satisfaction,
    StaffChange,
    poisson_excess_share,
)
from kamsim.vocabulary import MAX_MONTHS

__all__ = [
    # the scenario and its sections
    "Scenario", "Lifecycle", "StageProbabilities", "StageValues", "RetentionEffect", "Orders", "PriceResponse",
    "Needs", "Interactions", "Satisfaction", "ComplaintStages", "Complaints", "Contracts", "StaffChange", "Managers",
    # value types of fields
    "Probability", "Ratio", "TraitEffect", "PointEffect", "Points", "Sigma", "TaskHours", "ScaleHours", "StageDays",
    # limits
    "MAX_MONTHS", "MAX_FILE_BYTES", "MAX_NESTING", "MAX_MESSAGE_CHARS", "MAX_ERRORS_SHOWN", "MIN_STAGE_VALUE",
    "ORDER_CUT_ERROR", "ORDER_CUT_WARNING",
    # helpers
    "poisson_excess_share",
]
