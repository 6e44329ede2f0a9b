"""kamsim's vocabulary: lifecycle stages, event types, units and the formats of structured ``detail`` text.

KAM example: a CRM export says an account is "at risk", that a complaint went
through "investigate" and "follow up", and that a contract was signed "for 24
months".  Every kamsim module speaks of these things with the same words, and
this module is where the words are defined -- once:

* lifecycle stages (客户生命周期): :data:`STAGES`, :data:`CUSTOMER_STAGES`, :data:`INACTIVE_STAGES`;
* the six complaint-handling stages (投诉处理六步): :data:`COMPLAINT_STAGES`;
* event types of the ``events`` log: :data:`EVENT_TYPES`, :data:`INTERACTION_TYPES`, :data:`CONTRACT_EVENTS`;
* the length of a month: :data:`DAYS_PER_MONTH`; the longest run, :data:`MAX_MONTHS`; the calendar kamsim models:
  :data:`FIRST_DATE` .. :data:`LAST_DATE` (:func:`add_months`, :func:`check_period`);
* the ``detail`` column's structured formats, each with its writer and parser:
  complaint ids (:func:`complaint_ids`), resolved-complaint durations
  (:func:`complaint_details` / :func:`parse_complaint_details`) and contract terms
  (:func:`contract_details` / :func:`contract_term`), product categories of needs and cross-sells
  (:func:`category_details` / :func:`detail_category`).

Nothing here imports the rest of kamsim: it is the bottom layer.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy and pandas are imported where used, so `kamsim --help` stays fast
    import numpy as np
    import pandas as pd

# ----------------------------------------------------------------------------- lifecycle

#: Lifecycle stages in order (客户生命周期). ``won_back`` is a lost account that returned.
STAGES: tuple[str, ...] = ("prospect", "new", "growing", "mature", "at_risk", "lost", "won_back")

#: Stages of current customers (they order, complain, can be lost; targets of retention effort).
CUSTOMER_STAGES: tuple[str, ...] = ("new", "growing", "mature", "at_risk", "won_back")

#: Stages not served by regular account-manager hours.
INACTIVE_STAGES: tuple[str, ...] = ("lost",)

#: The six stages of complaint handling (投诉处理六步), in order.
COMPLAINT_STAGES: tuple[str, ...] = (
    "accept",
    "investigate",
    "analyse_cause",
    "propose_solution",
    "implement",
    "follow_up",
)

# ----------------------------------------------------------------------------- events

#: Event types of the ``events`` log.
EVENT_TYPES: tuple[str, ...] = (
    "order",  # a transaction: product, quantity, amount, margin
    "visit",  # account-manager visit (hours in ``hours``)
    "call",  # account-manager call
    "qbr",  # quarterly business review
    "complaint_opened",  # ``detail`` = complaint id (complaint_ids)
    "complaint_resolved",  # ``wait_days`` = days from opening to resolution; ``detail``: complaint_details
    "survey",  # satisfaction survey answer, ``score`` 0-10
    "contract_signed",  # ``detail``: contract_details ("term=12m")
    "contract_renewed",
    "contract_ended",  # ``detail``: "expired" or "lost"
    "stage_change",  # ``stage_from`` -> ``stage_to``
    "retention_offer",  # retention effort spent (``amount`` = cost, CU)
    "winback_offer",
    "need_identified",  # needs analysis revealed a latent need; ``detail``: category_details ("category=software")
    "cross_sell",  # first order of a newly adopted category (the order is its own ``order`` row); ``detail`` as above
    "escalation",  # queue mode: a first-tier account's complaint handled by its manager (``hours``, ``wait_days``)
    "contact_missed",  # queue mode: a manager task not started by its deadline; ``detail`` = the task's event type
)

#: Account-manager contacts (hours in ``hours``).
INTERACTION_TYPES: tuple[str, ...] = ("visit", "call", "qbr")

#: Contract events, in the order a contract lives through them.
CONTRACT_EVENTS: tuple[str, ...] = ("contract_signed", "contract_renewed", "contract_ended")

# ----------------------------------------------------------------------------- policies

#: The monthly decisions a policy bundle makes, in the order it makes them.
POLICY_KINDS: tuple[str, ...] = ("segmentation", "retention", "allocation", "pricing")

# ----------------------------------------------------------------------------- units

#: Days in a simulated month (365.25 / 12): SimPy time is in days, the panel in months.
DAYS_PER_MONTH: float = 365.25 / 12.0

#: Longest run (months, 100 years): ``Scenario.months``, ``simulate(months=...)`` and ``history_months``.
MAX_MONTHS: int = 1200

#: Accounts of a generated portfolio when a caller (``kamsim.compare``, the CLI) is not told how many.
DEFAULT_ACCOUNTS: int = 200

#: Largest portfolio generated or simulated (accounts; generating it takes about 20 s and 2 GB).
MAX_ACCOUNTS: int = 1_000_000

#: Largest product catalogue generated (products).
MAX_PRODUCTS: int = 1000

#: Locales of generated portfolios (names, regions and cities).
LOCALES: tuple[str, ...] = ("en_US", "zh_CN")

#: First and last calendar day kamsim models: every portfolio date (``as_of``), every day of a warm-start
#: history and every day of a simulation lies in this range (well inside pandas' Timestamp range, 1677-2262).
FIRST_DATE: date = date(1900, 1, 1)
LAST_DATE: date = date(2200, 12, 31)


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months (negative: back), the day clamped to the month's length.

    The same rule as ``day + pandas.DateOffset(months=months)``, computed on plain integers so that it
    never overflows (a ``ValueError`` if the result leaves the years 1-9999).
    """
    index = day.year * 12 + (day.month - 1) + int(months)
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise ValueError(f"{day.isoformat()} moved by {months} months leaves the calendar (years 1-9999)")
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def check_period(start: date, months: int, what: str) -> None:
    """``ValueError`` unless the ``months`` months from ``start`` lie in ``FIRST_DATE`` .. ``LAST_DATE``.

    Parameters
    ----------
    start
        First day of the period.
    months
        Length of the period (months, >= 0); its last day is the day before ``add_months(start, months)``.
    what
        The period in words, for the message (e.g. ``"a 36-month simulation from as_of 2199-01-01"``).
    """
    if start < FIRST_DATE:
        raise ValueError(f"{what} starts on {start.isoformat()}, before {FIRST_DATE.isoformat()} "
                         f"(kamsim's calendar is {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()})")
    end = add_months(start, months)
    if end - timedelta(days=1) > LAST_DATE:
        raise ValueError(f"{what} ends on {(end - timedelta(days=1)).isoformat()}, after {LAST_DATE.isoformat()} "
                         f"(kamsim's calendar is {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}); "
                         f"start earlier or simulate fewer months")

# ----------------------------------------------------------------------------- detail formats

_TERM_RE = re.compile(r"term=(\d+)m")


def complaint_ids(numbers: Iterable[int]) -> np.ndarray:
    """Complaint ids ``K000001, ...`` for 0-based complaint numbers (``detail`` of ``complaint_opened``)."""
    import numpy as np

    return np.array([f"K{i + 1:06d}" for i in numbers], dtype=object)


def complaint_details(ids: Iterable[str], queue_days: Iterable[float], stage_days: np.ndarray) -> np.ndarray:
    """``detail`` of ``complaint_resolved`` rows: ``K000001|queue=0.00|accept=0.09|...|follow_up=1.20``.

    Parameters
    ----------
    ids
        Complaint ids.
    queue_days
        Days each complaint waited for a handler.
    stage_days
        Array (complaints x 6) of stage durations in :data:`COMPLAINT_STAGES` order (days).
    """
    import numpy as np

    template = "%s|queue=%.2f|" + "|".join(f"{stage}=%.2f" for stage in COMPLAINT_STAGES)  # one format per row
    days = np.column_stack([np.asarray(queue_days, dtype=float).reshape(-1, 1),
                            np.asarray(stage_days, dtype=float).reshape(-1, len(COMPLAINT_STAGES))])
    return np.array([template % (cid, *row) for cid, row in zip(ids, days.tolist())], dtype=object)


def parse_complaint_details(detail: pd.Series) -> pd.DataFrame:
    """Inverse of :func:`complaint_details`: columns ``complaint_id, queue`` and one per complaint stage (days).

    Keys missing from a row are NaN; a value that is not a number raises ``ValueError`` naming the row.
    """
    import numpy as np
    import pandas as pd

    records = []
    for row, text in enumerate(detail.astype("string").fillna("").tolist()):
        parts = text.split("|")
        rec: dict[str, object] = {"complaint_id": parts[0] or None}
        for part in parts[1:]:
            key, sep, value = part.partition("=")
            try:
                rec[key] = float(value) if sep else np.nan
            except ValueError:
                raise ValueError(f"events: column 'detail' of complaint_resolved row {row}: bad value {part!r}") from None
        records.append(rec)
    table = pd.DataFrame.from_records(records) if records else pd.DataFrame({"complaint_id": []})
    for col in ("queue", *COMPLAINT_STAGES):
        if col not in table.columns:
            table[col] = np.nan
    return table


def contract_details(term_months: np.ndarray) -> np.ndarray:
    """``detail`` of signed / renewed contracts: ``"term=12m"`` for a term of 12 months (str array)."""
    import numpy as np

    return np.char.add(np.char.add("term=", np.asarray(term_months).astype(str)), "m")


def category_details(categories: Iterable[str]) -> np.ndarray:
    """``detail`` of ``need_identified`` / ``cross_sell`` rows: ``"category=software"`` (str array)."""
    import numpy as np

    return np.char.add("category=", np.asarray(list(categories), dtype=str))


def detail_category(detail: object) -> str | None:
    """Product category of a need / cross-sell ``detail`` (``"category=software"`` -> ``"software"``), else None."""
    if isinstance(detail, str) and detail.startswith("category="):
        return detail[len("category="):] or None
    return None


def contract_term(detail: object) -> int | None:
    """Term in months of a contract ``detail`` (``"term=24m"`` -> 24); None if it has no term."""
    match = _TERM_RE.search(detail) if isinstance(detail, str) else None
    return int(match.group(1)) if match else None
