"""Transaction logs: read and validate a student's CSV, or take kamsim's own ``events``.

KAM example: a trainer exports last year's orders from the CRM as
``orders.csv`` with columns ``客户编号, 下单日期, 金额``.  Before any Pareto or RFM
analysis the file has to be checked: a date typed as ``2023-02-30``, a
negative amount or an empty customer id would silently bias every table.

:func:`read_transactions` reads such a file (or a DataFrame), checks every row
and returns the *canonical log* that all of :mod:`kamsim.analytics` works on:

=============  ==================  =========================================================
column         dtype               meaning
=============  ==================  =========================================================
``account_id`` string              customer id
``date``       datetime64[ns]      date (and time) of the transaction, naive (UTC or ``tz``)
``amount``     float64             revenue of the transaction (CU), >= 0
``margin``     float64             gross margin (CU); NaN when not given
``product_id`` string              product; <NA> when not given
=============  ==================  =========================================================

Bad rows either raise a :class:`ValueError` naming the row and column
(``on_error="raise"``, the default) or are dropped (``on_error="drop"``); the
dropped rows are then described in ``log.attrs["dropped_rows"]``, a DataFrame
with columns ``row, column, value, reason`` (``row`` is the 0-based data row
of the file -- blank lines are not rows, and the message gives the file line --
or the index label of a DataFrame).  :func:`check_transactions` does the same
checks and returns the pair ``(log, dropped_rows)`` explicitly.

Nothing is guessed: ``05/02/2023`` is an ambiguous date until ``dayfirst=`` or
``date_format=`` says which part is the day, ``1.234,50`` an ambiguous number
until ``decimal=`` / ``thousands=`` say how numbers are written; time stamps
with a zone (``Z``, ``+08:00``, a tz-aware column) are converted to ``tz``
(default UTC) and stored as naive dates; a file is read as ``encoding``
(default UTF-8).  Errors that concern the whole file (not decodable, empty,
an unclosed quote) raise in both modes and name the file and line.

:func:`as_transactions` accepts kamsim's ``events`` log (keeps the
``event_type == "order"`` rows) or any external log, and is what every other
analytics function calls first.
"""

from __future__ import annotations

from collections.abc import Mapping

import os
from pathlib import Path

import numpy as np
import pandas as pd

from kamsim.analytics import _logcsv, _logrows
from kamsim.analytics._validation import AMOUNT_COL, CUSTOMER_COL, DATE_COL, fill_doc

#: Columns of the canonical transaction log, in order.
CANONICAL_COLUMNS: tuple[str, ...] = ("account_id", "date", "amount", "margin", "product_id")

#: Columns of the report of dropped rows.
REPORT_COLUMNS: tuple[str, ...] = ("row", "column", "value", "reason")

_ON_ERROR = ("raise", "drop")


@fill_doc
def check_transactions(
    df: pd.DataFrame,
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
    amount_col: str = AMOUNT_COL,
    margin_col: str | None = None,
    product_col: str | None = None,
    *,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    tz: str = "UTC",
    source: str = "transactions",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate a transaction table row by row; return ``(canonical_log, dropped_rows)``.

    Parameters
    ----------
    df
        Raw transaction table, one row per order.
    %(log_columns)s
    margin_col, product_col
        Optional gross-margin (CU) and product columns.  ``None`` uses a
        column named ``margin`` / ``product_id`` when the table has one.
    date_format
        ``strftime`` format of the date strings (e.g. ``"%d/%m/%Y"``, ``"%Y-%m-%d %H:%M%z"``).
        ``None`` (default) reads ISO dates (``2023-01-05``, ``2023/01/05``, ``20230105``), the
        numeric orders ``05/02/2023`` (see ``dayfirst``) and English month names
        (``5 Jan 2023``, ``Jan 5, 2023``), each with an optional time and time zone.
    dayfirst
        Order of ``05/02/2023``-style dates (``/``, ``.`` or ``-``): ``True`` day first,
        ``False`` month first.  ``None`` (default): a date whose day and month are both
        <= 12 (and differ), or with a two-digit year, is an *ambiguous date* problem;
        ``25/02/2023`` or ``02/25/2023`` read as the only possible date.  ISO dates are
        never ambiguous.  Give ``date_format`` or ``dayfirst``, not both.
    decimal, thousands
        Decimal mark (``"."`` default, or ``","``) and thousands separator (``None``
        default, or one of ``, . ' _``, a blank or a no-break space) of number strings,
        e.g. ``decimal=",", thousands="."`` for ``1.234,50``.  Without ``thousands``, a
        number written with the other mark (``1.234,50``, ``1,5`` when ``decimal="."``)
        is an *ambiguous number* problem, never a guess.
    tz
        Time zone that dates with a zone (``2023-01-05T10:00:00Z``, ``+08:00``, a
        tz-aware column) are converted to before the zone is dropped; default ``"UTC"``.
        Dates without a zone are kept as written (taken to be in ``tz``).
    source
        Name used in messages (e.g. the file name).

    Returns
    -------
    log : DataFrame
        Canonical log (see module docstring) holding the valid rows, in input order;
        ``date`` is naive ``datetime64[ns]``, ``amount`` finite float64.
    dropped_rows : DataFrame
        One row per problem: ``row`` (index label of ``df``), ``column``,
        ``value`` (as text) and ``reason``.  A row with several problems
        appears several times.

    Raises
    ------
    ValueError
        If a required column is missing (names the column and lists those present)
        or appears twice, or an option is invalid.
    """
    _logrows.check_options(date_format=date_format, dayfirst=dayfirst, decimal=decimal, thousands=thousands, tz=tz)
    log, report, _, _ = _logrows.validate(
        df, customer_col, date_col, amount_col, margin_col, product_col,
        options={"date_format": date_format, "dayfirst": dayfirst, "decimal": decimal, "thousands": thousands,
                 "tz": tz},
        source=source,
    )
    return log, report.drop(columns="_pos")


def typed_empty(dtypes: Mapping[str, str], index: pd.Index | None = None) -> pd.DataFrame:
    """An empty DataFrame with the given ``{column: dtype}`` (what a function returns for an empty log)."""
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in dtypes.items()}, index=index)


def read_transactions(
    path_or_df: str | os.PathLike | pd.DataFrame,
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
    amount_col: str = AMOUNT_COL,
    margin_col: str | None = None,
    product_col: str | None = None,
    on_error: str = "raise",
    *,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    tz: str = "UTC",
    encoding: str = "utf-8",
) -> pd.DataFrame:
    """Read and validate an external transaction log (CSV file or DataFrame).

    Parameters
    ----------
    path_or_df
        CSV file (read with every column as text, so ids keep leading zeros)
        or a DataFrame.
    customer_col, date_col, amount_col, margin_col, product_col
        See :func:`check_transactions`.
    on_error
        ``"raise"`` (default): the first bad row raises ``ValueError`` naming
        the source, row (and file line), column, value and reason.
        ``"drop"``: bad rows are dropped and described in
        ``log.attrs["dropped_rows"]`` (columns ``row, column, value, reason``).
    date_format, dayfirst, decimal, thousands, tz
        How dates, numbers and time zones are written; see :func:`check_transactions`.
        Ambiguous dates (``05/02/2023``) and numbers (``1.234,50``) are problems
        unless these options say how to read them.
    encoding
        Text encoding of the file (default ``"utf-8"``; a byte-order mark is
        accepted), e.g. ``"gbk"`` for many Chinese exports.  Ignored for a DataFrame.

    Returns
    -------
    DataFrame
        The canonical log: ``account_id, date, amount, margin, product_id``.

    Checks: customer id present; date present, readable, not ambiguous and in
    1678-01-01 .. 2261-12-31; amount present, a number (not ambiguous), finite and
    >= 0 (CU); margin a finite number and not above the amount; in a file, every row
    has as many fields as the header (a *ragged* row is one problem, column ``"*"``).
    A file that cannot be decoded, is empty (not even a header) or has an unclosed
    quote raises ``ValueError`` naming the file and line in both modes; a file with
    only a header gives an empty log.
    """
    if on_error not in _ON_ERROR:
        raise ValueError(f"on_error must be one of {_ON_ERROR}, got {on_error!r}")
    options = {"date_format": date_format, "dayfirst": dayfirst, "decimal": decimal, "thousands": thousands, "tz": tz}
    _logrows.check_options(**options, encoding=encoding)
    lines = ragged = None
    if isinstance(path_or_df, pd.DataFrame):
        df, source = path_or_df, "transactions"
    elif isinstance(path_or_df, (str, os.PathLike)):
        path = Path(path_or_df)
        if not path.is_file():
            raise ValueError(f"{path}: no such transaction file")
        source = path.name
        try:
            data = path.read_bytes()
        except OSError as err:
            raise ValueError(f"{source}: cannot read the file ({err.strerror or err})") from None
        text = _logcsv.decode(data, source, encoding)
        expected = [customer_col, date_col, amount_col] + [c for c in (margin_col, product_col) if c is not None]
        df, lines, ragged = _logcsv.split_csv(text, source, expected=expected)
    else:
        raise ValueError(f"expected a CSV file path or a DataFrame, got {type(path_or_df).__name__}")
    log, report, _, _ = _logrows.validate(
        df, customer_col, date_col, amount_col, margin_col, product_col, options=options, source=source, ragged=ragged
    )
    if len(report) and on_error == "raise":
        first = report.iloc[0]
        line = int(lines[int(first["_pos"])]) if lines is not None else None
        more = ""
        if len(report) > 1:
            more = f"; {len(report) - 1} more problem(s), use on_error='drop' to drop and report them"
        raise ValueError(f"{source}: {_logrows.describe(first, line)}{more}")
    log.attrs["dropped_rows"] = report.drop(columns="_pos")
    return log


def as_transactions(
    df: pd.DataFrame,
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
    amount_col: str = AMOUNT_COL,
    margin_col: str | None = None,
    product_col: str | None = None,
) -> pd.DataFrame:
    """Canonical transaction log from a kamsim ``events`` log or an external log.

    If ``df`` has an ``event_type`` column (a kamsim events log) only the
    ``"order"`` rows are kept.  The rows are then validated like
    :func:`read_transactions` with ``on_error="raise"`` and the default reading
    options.  A frame that is already canonical passes through cheaply.

    Returns
    -------
    DataFrame
        Columns ``account_id, date, amount, margin, product_id`` (see module docstring).
    """
    return _logrows.canonical(df, customer_col, date_col, amount_col, margin_col, product_col).log


def customer_totals(log: pd.DataFrame, **columns: str) -> pd.DataFrame:
    """Per-customer totals of a log: ``orders, revenue, margin, first_date, last_date``.

    ``log`` is any log accepted by :func:`as_transactions`; ``columns`` are
    its column-name arguments.  Index: ``account_id`` (sorted).  Money in CU.
    Use it to feed :func:`~kamsim.analytics.concentration.gini` and friends
    with revenue per customer.
    """
    t = as_transactions(log, **columns)
    g = t.groupby("account_id", sort=True)
    out = pd.DataFrame(
        {
            "orders": g.size(),
            "revenue": g["amount"].sum(),
            "margin": g["margin"].sum(min_count=1),
            "first_date": g["date"].min(),
            "last_date": g["date"].max(),
        }
    )
    out.index.name = "account_id"
    return out


_PERIODS = ("D", "W", "M", "Q", "Y")


def period_ordinal(dates: pd.Series | np.ndarray, freq: str) -> np.ndarray:
    """Integer period number of each date (int64): days, ISO weeks, months, quarters or years since 1970.

    Weeks start on Monday.  Differences of ordinals are ages in periods.
    """
    if freq not in _PERIODS:
        raise ValueError(f"freq must be one of {_PERIODS}, got {freq!r}")
    arr = np.asarray(dates, dtype="datetime64[ns]")
    if freq == "D":
        return arr.astype("datetime64[D]").astype("int64")
    if freq == "W":
        return np.floor_divide(arr.astype("datetime64[D]").astype("int64") + 3, 7)
    months = arr.astype("datetime64[M]").astype("int64")
    if freq == "M":
        return months
    if freq == "Q":
        return np.floor_divide(months, 3)
    return arr.astype("datetime64[Y]").astype("int64")


def period_start(ordinal: np.ndarray, freq: str) -> pd.DatetimeIndex:
    """First day of each period given by :func:`period_ordinal` (inverse mapping)."""
    o = np.asarray(ordinal, dtype="int64")
    if freq == "D":
        days = o
    elif freq == "W":
        days = o * 7 - 3
    elif freq == "M":
        return pd.DatetimeIndex(o.astype("datetime64[M]").astype("datetime64[ns]"))
    elif freq == "Q":
        return pd.DatetimeIndex((o * 3).astype("datetime64[M]").astype("datetime64[ns]"))
    elif freq == "Y":
        return pd.DatetimeIndex(o.astype("datetime64[Y]").astype("datetime64[ns]"))
    else:
        raise ValueError(f"freq must be one of {_PERIODS}, got {freq!r}")
    return pd.DatetimeIndex(days.astype("datetime64[D]").astype("datetime64[ns]"))
