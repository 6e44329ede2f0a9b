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
        return "a DataFrame"
    if isinstance(value, pd.Series):
        return "a Series"
    if isinstance(value, bool | np.bool_):
        return "True/False"
    if isinstance(value, numbers.Number):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"


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
            extra = " (use .sum(), len(...) or .iloc[0] to get a single number)" if isinstance(answer, pd.Series | pd.DataFrame) else ""
            return f"expected a single number, got {_kind(answer)}{extra}"
        target = float(expected)
        if np.isnan(value):
            return "your answer is NaN (missing values in the calculation?)"
        if np.isclose(value, target, rtol=rtol, atol=atol):
            return None
        places = _decimals(value)
        if value != 0 and places < 10 and round(target, places) == value:
            return (f"{value:,.{places}f} is right to the {places} decimal(s) you gave but too coarse: give more "
                    "decimals (four significant figures)")
        if 0 < abs(target) <= 1 and np.isclose(value / 100.0, target, rtol=rtol, atol=atol):
            return f"{value:,.6g} looks like a percentage; give the share as a number between 0 and 1"
        return f"{value:,.6g} is too {'high' if value > target else 'low'}"

    return compare


def integer() -> Comparer:
    """Compare counts exactly (``12`` and ``12.0`` both match ``12``)."""

    def compare(answer: Any, expected: Any) -> str | None:
        value = _as_real(answer)
        if value is None:
            extra = " (len(...) or .sum() gives a count)" if isinstance(answer, pd.Series | pd.DataFrame) else ""
            return f"expected a whole number, got {_kind(answer)}{extra}"
        if not float(value).is_integer():
            return f"expected a whole number, got {value}"
        target = int(expected)
        if int(value) == target:
            return None
        return f"{int(value)} is too {'high' if value > target else 'low'}"

    return compare


def text(case_sensitive: bool = False) -> Comparer:
    """Compare strings after stripping spaces (and case, unless ``case_sensitive``)."""

    def compare(answer: Any, expected: Any) -> str | None:
        if not isinstance(answer, str):
            return f"expected a string, got {_kind(answer)}"
        a, e = answer.strip(), str(expected).strip()
        if not case_sensitive:
            a, e = a.lower(), e.lower()
        return None if a == e else f"{answer!r} is not the answer"

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
            return f"expected a list or set of {noun}s, got {_kind(answer)}"
        given, wanted = {str(x) for x in ids}, {str(x) for x in _as_id_list(expected) or []}
        problems = []
        missing, extra = len(wanted - given), len(given - wanted)
        if missing:
            problems.append(f"{missing} {noun}{'s are' if missing > 1 else ' is'} missing")
        if extra:
            problems.append(f"{extra} {noun}{'s' if extra > 1 else ''} should not be there")
        if not problems and len(ids) != len(given):
            problems.append(f"some {noun}s appear more than once")
        return "; ".join(problems) or None

    return compare


def series(rtol: float = 1e-6, atol: float = 1e-9, check_order: bool = False) -> Comparer:
    """Compare Series by index label (order ignored unless ``check_order``), numbers with a tolerance."""

    def compare(answer: Any, expected: Any) -> str | None:
        if isinstance(answer, pd.DataFrame) and answer.shape[1] == 1:
            answer = answer.iloc[:, 0]
        if not isinstance(answer, pd.Series):
            return f"expected a Series, got {_kind(answer)}"
        missing = expected.index.difference(answer.index)
        extra = answer.index.difference(expected.index)
        if len(missing) or len(extra):
            return f"index labels differ: {len(missing)} missing, {len(extra)} unexpected (first missing: {list(missing[:3])})"
        if check_order and not answer.index.equals(expected.index):
            return "the order of the rows is not the expected one (check the sort)"
        return _values_differ(answer.reindex(expected.index), expected, rtol, atol)

    return compare


def _values_differ(answer: pd.Series, expected: pd.Series, rtol: float, atol: float) -> str | None:
    if pd.api.types.is_numeric_dtype(expected.dtype) and not pd.api.types.is_bool_dtype(expected.dtype):
        try:
            a = pd.to_numeric(answer, errors="raise").to_numpy(dtype="float64", na_value=np.nan)
        except (TypeError, ValueError):
            return "the values are not numbers"
        e = expected.to_numpy(dtype="float64", na_value=np.nan)
        bad = ~np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    else:
        a_obj, e_obj = answer.astype("object"), expected.astype("object")
        bad = ~((a_obj == e_obj) | (a_obj.isna() & e_obj.isna())).to_numpy(dtype=bool)
    if bad.any():
        first = expected.index[np.flatnonzero(bad)[0]]
        return f"{int(bad.sum())} value(s) differ, first at {first!r}"
    return None


def frame(rtol: float = 1e-6, atol: float = 1e-9, ignore_row_order: bool = True, ignore_index: bool = True) -> Comparer:
    """Compare DataFrames column by column; row order (and the index) ignored by default.

    Rows are matched after sorting both frames by all expected columns, so
    a student may sort or reset the index as they like.
    """

    def compare(answer: Any, expected: Any) -> str | None:
        if not isinstance(answer, pd.DataFrame):
            return f"expected a DataFrame, got {_kind(answer)}"
        cols = list(expected.columns)
        missing = [c for c in cols if c not in answer.columns]
        if missing:
            return f"column(s) missing: {missing}"
        if len(answer) != len(expected):
            return f"{len(answer)} rows, expected {len(expected)}"
        a, e = answer[cols], expected
        if ignore_index:
            a, e = a.reset_index(drop=True), e.reset_index(drop=True)
        if ignore_row_order:
            a = a.sort_values(cols, kind="stable").reset_index(drop=ignore_index)
            e = e.sort_values(cols, kind="stable").reset_index(drop=ignore_index)
        elif not ignore_index and not a.index.equals(e.index):
            return "the index is not the expected one"
        for col in cols:
            reason = _values_differ(a[col].reset_index(drop=True), e[col].reset_index(drop=True), rtol, atol)
            if reason:
                return f"column {col!r}: {reason}"
        return None

    return compare


def exact() -> Comparer:
    """Compare with ``==`` (for small tuples, booleans, labels)."""

    def compare(answer: Any, expected: Any) -> str | None:
        try:
            equal = bool(answer == expected)
        except (TypeError, ValueError):
            equal = False
        return None if equal else f"{answer!r} is not the answer"

    return compare
