"""Row checks of transaction logs: numbers with explicit separators, and the checks of every row (private).

KAM example: ``"1.234,50"`` from a German subsidiary is 1234.50 euros, but a
reader that drops commas makes it 1.2345.  Here a number written with a mark
that is not the declared decimal mark is *ambiguous* and reported with its row
until the trainer passes ``decimal=",", thousands="."``.

* :func:`check_options` -- ``ValueError`` naming a bad reading option;
* :func:`parse_numbers` -- a number column to float64, with a reason per bad value;
* :func:`validate` -- every check of :func:`kamsim.analytics.check_transactions`,
  returning the canonical log, the report of problems (with positions) and the
  customer code of each row (:class:`Checked`);
* :func:`canonical` -- :func:`kamsim.analytics.as_transactions` with those codes, so that
  a caller grouping by customer (``rfm_table``) does not factorise the ids a second time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from kamsim.analytics import _logdates
from kamsim.analytics._logcsv import as_text, is_text, short
from kamsim.analytics._validation import MISSING, require_columns

#: Reasons of bad numbers.
NOT_A_NUMBER = "not a number"
NOT_FINITE = "not a finite number"

#: Thousands separators accepted by ``thousands=``.
THOUSANDS = (",", ".", " ", "'", "\u00a0", "\u202f", "_")
#: Decimal marks accepted by ``decimal=``.
DECIMALS = (".", ",")

#: Reading options and their defaults (also those of :func:`kamsim.analytics.as_transactions`).
DEFAULT_OPTIONS = {"date_format": None, "dayfirst": None, "decimal": ".", "thousands": None, "tz": "UTC"}


def check_options(
    *,
    date_format: str | None,
    dayfirst: bool | None,
    decimal: str,
    thousands: str | None,
    tz: object,
    encoding: str | None = None,
) -> None:
    """``ValueError`` naming the option if one of the reading options is invalid."""
    if date_format is not None and (not isinstance(date_format, str) or not date_format.strip()):
        raise ValueError(f"date_format must be a strftime format such as '%d/%m/%Y' or None, got {date_format!r}")
    if date_format == "mixed":
        raise ValueError("date_format='mixed' guesses the day/month order per value; pass the format or dayfirst=")
    if dayfirst is not None and not isinstance(dayfirst, (bool, np.bool_)):
        raise ValueError(f"dayfirst must be True, False or None, got {dayfirst!r}")
    if date_format is not None and dayfirst is not None:
        raise ValueError("give date_format or dayfirst, not both (the format already fixes the day/month order)")
    if decimal not in DECIMALS:
        raise ValueError(f"decimal must be one of {DECIMALS}, got {decimal!r}")
    if thousands is not None and thousands not in THOUSANDS:
        raise ValueError(f"thousands must be None or one of {THOUSANDS}, got {thousands!r}")
    if thousands == decimal:
        raise ValueError(f"decimal and thousands must differ, both are {decimal!r}")
    try:
        pd.Timestamp("2000-01-01", tz=tz)
        if tz is None:
            raise TypeError
    except Exception:
        raise ValueError(f"tz must be a time zone name such as 'UTC' or 'Asia/Shanghai', got {tz!r}") from None
    if encoding is not None:
        ok = isinstance(encoding, str)
        try:
            b"a".decode(encoding) if ok else None  # "base64" and friends are no text encodings
        except UnicodeDecodeError:
            pass
        except LookupError:
            ok = False
        if not ok:
            raise ValueError(f"encoding must be a text encoding such as 'utf-8' or 'gbk', got {encoding!r}")


def _number_patterns(decimal: str, thousands: str | None) -> tuple[re.Pattern, re.Pattern]:
    """(valid number, ambiguous number) patterns for ``fullmatch`` of stripped text."""
    d = re.escape(decimal)
    plain = rf"[+-]?(?:[0-9]+(?:{d}[0-9]*)?|{d}[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?inf(?:inity)?"
    if thousands is not None:
        t = re.escape(thousands)
        plain += rf"|[+-]?[0-9]{{1,3}}(?:{t}[0-9]{{2}})*(?:{t}[0-9]{{3}})+(?:{d}[0-9]*)?"
    other = re.escape("," if decimal == "." else ".")
    # without thousands=, a number written with the other mark could mean two different values
    marks = "0-9.,' \u00a0\u202f"
    ambiguous = rf"(?=.*{other})[+-]?[{marks}]*[0-9][{marks}]*(?:[eE][+-]?[0-9]+)?" if thousands is None else r"(?!)"
    return re.compile(plain, re.IGNORECASE | re.ASCII), re.compile(ambiguous, re.ASCII)


def ambiguous_number(decimal: str) -> str:
    """Reason of a number whose decimal mark / thousands separator is unknown."""
    other = "," if decimal == "." else "."
    return (
        f"ambiguous number ('{other}' with decimal='{decimal}'); "
        "pass decimal= and thousands=, e.g. decimal=',', thousands='.'"
    )


def _is_real_numeric(dtype: object) -> bool:
    return (
        pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
        and not pd.api.types.is_complex_dtype(dtype)
    )


def _read_numbers(texts: np.ndarray, decimal: str, thousands: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct texts -> (values, blank, reasons) with the number grammar of ``decimal`` / ``thousands``."""
    u = pd.Series(texts, dtype=object).str.strip()
    blank = (u == "").to_numpy(dtype=bool)
    plain, ambiguous = _number_patterns(decimal, thousands)
    valid = u.str.fullmatch(plain).to_numpy(dtype=bool)
    amb = ~valid & ~blank & u.str.fullmatch(ambiguous).to_numpy(dtype=bool)
    norm = u
    if thousands is not None:
        norm = norm.str.replace(thousands, "", regex=False)
    if decimal != ".":
        norm = norm.str.replace(decimal, ".", regex=False)
    values = np.array([float(x) if ok else np.nan for x, ok in zip(norm, valid)], dtype=np.float64)
    reasons = np.full(len(u), None, dtype=object)
    reasons[~valid & ~blank] = NOT_A_NUMBER
    reasons[amb] = ambiguous_number(decimal)
    return values, blank, reasons


def parse_numbers(
    raw: pd.Series, *, decimal: str = ".", thousands: str | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A number column -> (float64 values, missing mask, reason per row or None).

    Blank cells are missing (no reason).  Reasons: :data:`NOT_A_NUMBER`, the
    :func:`ambiguous_number` text.  Infinite values are returned as they are (the caller
    words :data:`NOT_FINITE`); NaN is only ever a missing or bad value.
    """
    n = len(raw)
    reasons = np.full(n, None, dtype=object)
    if _is_real_numeric(raw.dtype):
        values = raw.to_numpy(dtype="float64", na_value=np.nan)
        return values, np.isnan(values), reasons
    values = np.full(n, np.nan)
    if is_text(raw):  # each distinct text is read once
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        u_values, u_blank, u_reasons = _read_numbers(np.asarray(uniques, dtype=object), decimal, thousands)
        known = codes >= 0
        values[known] = u_values[codes[known]]
        missing = ~known
        missing[known] = u_blank[codes[known]]
        reasons[known] = u_reasons[codes[known]]
        return values, missing, reasons
    missing = np.zeros(n, dtype=bool)
    pos_list, text_list = [], []
    for i, v in enumerate(raw.astype(object).to_numpy()):
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
            missing[i] = True
        elif isinstance(v, (bool, np.bool_)):
            reasons[i] = NOT_A_NUMBER
        elif isinstance(v, (int, float, np.integer, np.floating)):
            try:
                values[i] = float(v)
            except OverflowError:
                values[i] = np.inf if v > 0 else -np.inf
            missing[i] = bool(np.isnan(values[i]))
        else:
            pos_list.append(i)
            text_list.append(str(v))
    if text_list:
        pos = np.asarray(pos_list, dtype=np.int64)
        values[pos], missing[pos], reasons[pos] = _read_numbers(np.asarray(text_list, dtype=object), decimal, thousands)
    return values, missing, reasons


def resolve_optional(df: pd.DataFrame, col: str | None, default: str) -> str | None:
    """``col`` if given (must exist), else ``default`` when the frame has it, else None."""
    if col is not None:
        return col
    return default if default in df.columns else None


class Checked(NamedTuple):
    """A validated log with its customers factorised once.

    ``codes[i]`` (intp) is the customer of row ``i`` of ``log`` as a position in ``customers``
    (pandas string array of the distinct stripped ids, in order of first appearance in the input;
    it may hold ids of dropped rows that no kept row uses).
    """

    log: pd.DataFrame
    report: pd.DataFrame
    codes: np.ndarray
    customers: pd.api.extensions.ExtensionArray


def validate(
    df: pd.DataFrame,
    customer_col: str,
    date_col: str,
    amount_col: str,
    margin_col: str | None,
    product_col: str | None,
    *,
    options: Mapping[str, object],
    source: str,
    ragged: pd.DataFrame | None = None,
) -> Checked:
    """Checks of :func:`check_transactions`: ``(log, report, codes, customers)`` (:class:`Checked`).

    The report has an extra column ``_pos`` (0-based position).

    ``ragged`` (columns ``pos, fields, value``) are rows of a file whose field count
    differs from the header's: each is one problem (column ``"*"``) and is not checked further.
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{source}: expected a DataFrame transaction log, got {type(df).__name__}")
    margin_col = resolve_optional(df, margin_col, "margin")
    product_col = resolve_optional(df, product_col, "product_id")
    needed = [customer_col, date_col, amount_col] + [c for c in (margin_col, product_col) if c is not None]
    require_columns(df, needed, source, verb=MISSING, show_present=True)
    for col in dict.fromkeys(needed):
        count = int(np.sum(df.columns == col))
        if count > 1:
            raise ValueError(f"{source}: column '{col}' appears {count} times; rename or drop the extra one(s)")

    n = len(df)
    exclude = np.zeros(n, dtype=bool)
    if ragged is not None and len(ragged):
        exclude[ragged["pos"].to_numpy()] = True
    problems: list[tuple[np.ndarray, str, np.ndarray, object]] = []  # (positions, column, values, reason(s))

    def flag(mask: np.ndarray, column: str, values: pd.Series, reason: str) -> None:
        mask = np.asarray(mask, dtype=bool) & ~exclude
        if mask.any():
            pos = np.flatnonzero(mask)
            problems.append((pos, column, as_text(values.iloc[pos]).to_numpy(dtype=object), reason))

    def flag_reasons(reasons: np.ndarray, column: str, values: pd.Series) -> None:
        present = reasons[~pd.isna(reasons)]  # reasons are None or text
        for reason in dict.fromkeys(present):
            flag(reasons == reason, column, values, reason)

    if ragged is not None and len(ragged):
        width = df.shape[1]
        reasons = np.array([f"{k} fields where the header has {width}" for k in ragged["fields"]], dtype=object)
        problems.append((ragged["pos"].to_numpy(), "*", ragged["value"].to_numpy(dtype=object), reasons))

    raw_ids = df[customer_col]
    ids, id_codes, customers = clean_ids(raw_ids)
    flag(id_codes < 0, customer_col, raw_ids, "missing customer id")

    raw_dates = df[date_col]
    dates, date_reasons = _logdates.parse_dates(
        raw_dates, date_format=options["date_format"], dayfirst=options["dayfirst"], tz=options["tz"]
    )
    flag_reasons(date_reasons, date_col, raw_dates)

    number_options = {"decimal": options["decimal"], "thousands": options["thousands"]}
    raw_amount = df[amount_col]
    amount, amount_missing, amount_reasons = parse_numbers(raw_amount, **number_options)
    flag(amount_missing, amount_col, raw_amount, "missing amount")
    flag_reasons(amount_reasons, amount_col, raw_amount)
    readable = ~amount_missing & pd.isna(amount_reasons)  # no reason (None)
    flag(readable & ~np.isfinite(amount), amount_col, raw_amount, NOT_FINITE)
    flag(readable & (amount < 0), amount_col, raw_amount, "negative amount")

    if margin_col is not None:
        raw_margin = df[margin_col]
        margin, _, margin_reasons = parse_numbers(raw_margin, **number_options)
        flag_reasons(margin_reasons, margin_col, raw_margin)
        flag(np.isinf(margin), margin_col, raw_margin, NOT_FINITE)
        with np.errstate(over="ignore", invalid="ignore"):  # amounts near the float limit
            over = margin > amount + 1e-9 * np.maximum(np.abs(amount), 1.0)
        flag(over & np.isfinite(margin) & np.isfinite(amount), margin_col, raw_margin, "margin exceeds amount")
    else:
        margin = np.full(n, np.nan)

    if product_col is not None:
        product = as_text(df[product_col]).array
    else:  # all missing, without a Python list of n values
        product = pd.array([pd.NA], dtype="string").take(np.zeros(n, dtype=np.intp))

    keep = np.ones(n, dtype=bool)
    if not problems:
        report = empty_report().assign(_pos=np.zeros(0, np.int64))
    else:
        pos = np.concatenate([p[0] for p in problems])
        order = np.argsort(pos, kind="stable")  # by row; within a row, in the order of the checks
        pos = pos[order]
        keep[pos] = False

        def stacked(i: int) -> np.ndarray:  # field i of every problem, one entry per row, in report order
            parts = []
            for p in problems:
                if isinstance(p[i], np.ndarray):
                    parts.append(p[i])
                else:
                    part = np.empty(len(p[0]), dtype=object)
                    part.fill(p[i])
                    parts.append(part)
            return np.concatenate(parts)[order]

        report = pd.DataFrame(
            {
                "row": df.index[pos],
                "column": stacked(1),
                "value": pd.array(stacked(2), dtype="string"),
                "reason": stacked(3),
                "_pos": pos,
            }
        )
    whole = not problems  # every row kept: no copies by a mask

    def kept(values):
        return values if whole else values[keep]

    log = pd.DataFrame(
        {
            "account_id": kept(ids.array),
            "date": kept(dates),
            "amount": kept(amount).astype("float64", copy=False),
            "margin": kept(margin).astype("float64", copy=False),
            "product_id": kept(product),
        }
    )
    return Checked(log, report, kept(id_codes), customers)


def canonical(
    df: pd.DataFrame,
    customer_col: str,
    date_col: str,
    amount_col: str,
    margin_col: str | None = None,
    product_col: str | None = None,
) -> Checked:
    """:func:`kamsim.analytics.as_transactions` (order rows of an events log, checked) with the customer codes.

    Raises
    ------
    ValueError
        If ``df`` is no DataFrame, or naming the first bad row.
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"expected a DataFrame transaction log, got {type(df).__name__}")
    if "event_type" in df.columns:
        df = df.loc[(df["event_type"] == "order").to_numpy(dtype=bool, na_value=False)]
    checked = validate(
        df, customer_col, date_col, amount_col, margin_col, product_col, options=DEFAULT_OPTIONS, source="transactions"
    )
    if len(checked.report):
        raise ValueError(f"transaction log: {describe(checked.report.iloc[0], None)}")
    return checked


def clean_ids(s: pd.Series) -> tuple[pd.Series, np.ndarray, pd.api.extensions.ExtensionArray]:
    """Customer ids as stripped strings, their codes and the distinct ids: ``(ids, codes, customers)``.

    The ids are factorised once and stripping runs once per distinct id (fast on large logs).
    ``codes`` (intp) index ``customers`` (string array of the distinct non-blank stripped ids,
    in order of first appearance) and are -1 where the id is missing or blank.  Ids that are
    already stripped are returned without a copy.
    """
    text = as_text(s)
    raw_codes, uniques = pd.factorize(text, use_na_sentinel=True)
    raw_codes = raw_codes.astype(np.intp, copy=False)
    distinct = pd.Series(uniques, dtype="string")
    stripped = distinct.str.strip()
    if stripped.eq(distinct).all() and not (stripped == "").any():
        return text, raw_codes, distinct.array
    ids = pd.Series(stripped.array.take(raw_codes, allow_fill=True), index=s.index)
    # distinct stripped ids: "A1" and " A1" are one customer; blanks are no customer
    merged, customers = pd.factorize(stripped.mask(stripped == ""), use_na_sentinel=True)
    codes = np.where(raw_codes >= 0, merged.astype(np.intp)[raw_codes], -1)
    return ids, codes, pd.array(customers, dtype="string")


def empty_report() -> pd.DataFrame:
    """The report of a log without problems: columns ``row, column, value, reason``, no rows."""
    dtypes = {"row": "int64", "column": "string", "value": "string", "reason": "string"}
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in dtypes.items()})


def describe(first: pd.Series, line: int | None) -> str:
    """``row R (file line L), column 'C': reason ('value')`` for the first problem of a report."""
    where = f"row {first['row']}" + (f" (file line {line})" if line is not None else "")
    value = first["value"]
    shown = repr(short(value)) if isinstance(value, str) else repr(value)
    ragged = first["column"] == "*" and "where the header has" in str(first["reason"])
    column = "" if ragged else f", column '{first['column']}'"
    return f"{where}{column}: {first['reason']} ({shown})"
