"""Comparers: does a student's answer match the expected one?

A comparer is a callable ``compare(answer, expected) -> str | None``: ``None``
means "matches", a string explains the mismatch *without* revealing the
expected value ("expected a number, got a DataFrame", "3 account ids are
missing").  Build them with the factories below and pass one to
:func:`kamsim.exercises.exercise`::

    @exercise("01.1", title=..., hint=..., compare=number(rtol=1e-4), mistakes=...)

The tolerance rule for numbers (one rule for every exercise): **an answer is correct when it agrees with
the expected value to four significant figures**, i.e. ``|answer - expected| <= 5e-4 * |expected|``
(:data:`RTOL`; :data:`ATOL` = 1e-9 only matters at 0).  A student who rounds 0.741892 to 0.7419, or revenue
of 1,234,567 CU to 1,235,000, passes; a wrong filter (usually a percent or more off) does not.  An answer
that is the expected value rounded to fewer digits (0.74) is told to give more decimals, and a share given
as a percentage (74.19 for 0.7419) is told so.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from kamsim.exercises.messages import say

#: A comparer: ``None`` if ``answer`` matches ``expected``, else the reason it does not.
Comparer = Callable[[Any, Any], "str | None"]

#: Relative tolerance of :func:`number`: four significant figures.
RTOL: float = 5e-4
#: Absolute tolerance of :func:`number` (only matters for an expected value of 0).
ATOL: float = 1e-9


def is_blank(answer: object) -> bool:
    """``True`` for an unattempted answer: ``...`` (Ellipsis, the notebook blank) or ``None``."""
    return answer is Ellipsis or answer is None


def _kind(value: object) -> str:
    """A short, student-friendly name of the type of ``value``."""
    if isinstance(value, pd.DataFrame):
        return say("kind_frame")
    if isinstance(value, pd.Series):
        return say("kind_series")
    if isinstance(value, bool | np.bool_):
        return say("kind_bool")
    if isinstance(value, numbers.Number):
        return say("kind_number")
    if isinstance(value, str):
        return say("kind_string")
    return say("kind_other", name=type(value).__name__)


def _as_real(answer: object) -> float | None:
    """``answer`` as a float if it is a real number (not a bool, not a container), else ``None``."""
    if isinstance(answer, bool | np.bool_):
        return None
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer.item()
    if isinstance(answer, numbers.Real):
        return float(answer)
    return None


def _decimals(value: float) -> int:
    """Decimals a student wrote: 0.74 -> 2, 12.0 -> 0 (shortest round-tripping repr)."""
    text = repr(float(value))
    if "e" in text or "." not in text:
        return 0
    digits = text.split(".")[1].rstrip("0")
    return len(digits)


def number(rtol: float = RTOL, atol: float = ATOL) -> Comparer:
    """Compare real numbers to four significant figures (the course rule, see the module docstring).

    Says whether a wrong answer is too high or too low, whether it is the right value given with too
    few decimals, or a percentage where a share (0-1) was asked.  ``rtol``/``atol`` exist for toy
    examples and tests; the course's exercises all use the default rule.
    """

    def compare(answer: Any, expected: Any) -> str | None:
        value = _as_real(answer)
        if value is None:
            extra = say("need_number_extra") if isinstance(answer, pd.Series | pd.DataFrame) else ""
            return say("need_number", kind=_kind(answer), extra=extra)
        target = float(expected)
        if np.isnan(value):
            return say("nan")
        if np.isclose(value, target, rtol=rtol, atol=atol):
            return None
        places = _decimals(value)
        if value != 0 and places < 10 and round(target, places) == value:
            return say("too_coarse", value=f"{value:,.{places}f}", places=places)
        if 0 < abs(target) <= 1 and np.isclose(value / 100.0, target, rtol=rtol, atol=atol):
            return say("percentage", value=f"{value:,.6g}")
        return say("too_high" if value > target else "too_low", value=f"{value:,.6g}")

    return compare


def integer() -> Comparer:
    """Compare counts exactly (``12`` and ``12.0`` both match ``12``)."""

    def compare(answer: Any, expected: Any) -> str | None:
        value = _as_real(answer)
        if value is None:
            extra = say("need_whole_extra") if isinstance(answer, pd.Series | pd.DataFrame) else ""
            return say("need_whole", kind=_kind(answer), extra=extra)
        if not float(value).is_integer():
            return say("need_whole", kind=value, extra="")
        target = int(expected)
        if int(value) == target:
            return None
        return say("too_high" if value > target else "too_low", value=int(value))

    return compare


def text(case_sensitive: bool = False) -> Comparer:
    """Compare strings after stripping spaces (and case, unless ``case_sensitive``)."""

    def compare(answer: Any, expected: Any) -> str | None:
        if not isinstance(answer, str):
            return say("need_string", kind=_kind(answer))
        a, e = answer.strip(), str(expected).strip()
        if not case_sensitive:
            a, e = a.lower(), e.lower()
        return None if a == e else say("not_the_answer", answer=repr(answer))

    return compare


def _as_id_list(answer: object) -> list[Any] | None:
    if isinstance(answer, str | bytes | pd.DataFrame) or not isinstance(answer, Iterable):
        return None
    if isinstance(answer, dict):
        return list(answer)
    return [x.item() if isinstance(x, np.generic) else x for x in answer]


def id_set(noun: str = "id") -> Comparer:
    """Compare collections of ids (list, set, Series, Index) as sets: order does not matter.

    The message counts missing and unexpected ids, e.g. ``"3 account ids are missing"``.
    """

    def compare(answer: Any, expected: Any) -> str | None:
        ids = _as_id_list(answer)
        if ids is None:
            return say("need_ids", noun=noun, kind=_kind(answer))
        given, wanted = {str(x) for x in ids}, {str(x) for x in _as_id_list(expected) or []}
        problems = []
        missing, extra = len(wanted - given), len(given - wanted)
        if missing:
            problems.append(say("ids_missing" if missing > 1 else "ids_missing_one", count=missing, noun=noun))
        if extra:
            problems.append(say("ids_extra" if extra > 1 else "ids_extra_one", count=extra, noun=noun))
        if not problems and len(ids) != len(given):
            problems.append(say("ids_repeated", noun=noun))
        return say("separator").join(problems) or None

    return compare


def series(rtol: float = 1e-6, atol: float = 1e-9, check_order: bool = False) -> Comparer:
    """Compare Series by index label (order ignored unless ``check_order``), numbers with a tolerance."""

    def compare(answer: Any, expected: Any) -> str | None:
        if isinstance(answer, pd.DataFrame) and answer.shape[1] == 1:
            answer = answer.iloc[:, 0]
        if not isinstance(answer, pd.Series):
            return say("need_series", kind=_kind(answer))
        missing = expected.index.difference(answer.index)
        extra = answer.index.difference(expected.index)
        if len(missing) or len(extra):
            return say("index_differs", missing=len(missing), extra=len(extra), first=list(missing[:3]))
        if check_order and not answer.index.equals(expected.index):
            return say("row_order")
        return _values_differ(answer.reindex(expected.index), expected, rtol, atol)

    return compare


def _values_differ(answer: pd.Series, expected: pd.Series, rtol: float, atol: float) -> str | None:
    if pd.api.types.is_numeric_dtype(expected.dtype) and not pd.api.types.is_bool_dtype(expected.dtype):
        try:
            a = pd.to_numeric(answer, errors="raise").to_numpy(dtype="float64", na_value=np.nan)
        except (TypeError, ValueError):
            return say("not_numbers")
        e = expected.to_numpy(dtype="float64", na_value=np.nan)
        bad = ~np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    else:
        a_obj, e_obj = answer.astype("object"), expected.astype("object")
        bad = ~((a_obj == e_obj) | (a_obj.isna() & e_obj.isna())).to_numpy(dtype=bool)
    if bad.any():
        first = expected.index[np.flatnonzero(bad)[0]]
        return say("values_differ", count=int(bad.sum()), first=repr(first))
    return None


def frame(rtol: float = 1e-6, atol: float = 1e-9, ignore_row_order: bool = True, ignore_index: bool = True) -> Comparer:
    """Compare DataFrames column by column; row order (and the index) ignored by default.

    Rows are matched after sorting both frames by all expected columns, so
    a student may sort or reset the index as they like.
    """

    def compare(answer: Any, expected: Any) -> str | None:
        if not isinstance(answer, pd.DataFrame):
            return say("need_frame", kind=_kind(answer))
        cols = list(expected.columns)
        missing = [c for c in cols if c not in answer.columns]
        if missing:
            return say("columns_missing", columns=missing)
        if len(answer) != len(expected):
            return say("row_count", rows=len(answer), expected=len(expected))
        a, e = answer[cols], expected
        if ignore_index:
            a, e = a.reset_index(drop=True), e.reset_index(drop=True)
        if ignore_row_order:
            a = a.sort_values(cols, kind="stable").reset_index(drop=ignore_index)
            e = e.sort_values(cols, kind="stable").reset_index(drop=ignore_index)
        elif not ignore_index and not a.index.equals(e.index):
            return say("index_not_expected")
        for col in cols:
            reason = _values_differ(a[col].reset_index(drop=True), e[col].reset_index(drop=True), rtol, atol)
            if reason:
                return say("column_reason", column=repr(col), reason=reason)
        return None

    return compare


def exact() -> Comparer:
    """Compare with ``==`` (for small tuples, booleans, labels)."""

    def compare(answer: Any, expected: Any) -> str | None:
        try:
            equal = bool(answer == expected)
        except (TypeError, ValueError):
            equal = False
        return None if equal else say("not_the_answer", answer=repr(answer))

    return compare
