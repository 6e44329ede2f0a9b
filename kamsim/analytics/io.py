"""Transaction logs: read and validate a student's CSV, or take kamsim's own ``events``.

KAM example: a trainer exports last year's orders from the CRM as
``orders.csv`` with columns ``客户编号, 下单日期, 金额``.  Before any Pareto or RFM
analysis the file has to be checked: a date typed as ``2023-02-30``, a
negative amount or an empty customer id would silently bias every table.

:func:`read_transactions` reads such a file (or a DataFrame), checks every row
and returns the *canonical log* that all of :mod:`kamsim.analytics` works on:

=============  ==================  ===========================================
column         dtype               meaning
=============  ==================  ===========================================
``account_id`` string              customer id
``date``       datetime64[ns]      date of the transaction
``amount``     float64             revenue of the transaction (CU), >= 0
``margin``     float64             gross margin (CU); NaN when not given
``product_id`` string              product; <NA> when not given
=============  ==================  ===========================================

Bad rows either raise a :class:`ValueError` naming the row and column
(``on_error="raise"``, the default) or are dropped (``on_error="drop"``); the
dropped rows are then described in ``log.attrs["dropped_rows"]``, a DataFrame
with columns ``row, column, value, reason`` (``row`` is the 0-based data row
of the file, i.e. file line ``row + 2`` with a header; or the index label of a
DataFrame).  :func:`check_transactions` does the same checks and returns the
pair ``(log, dropped_rows)`` explicitly.

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

from kamsim.analytics._validation import AMOUNT_COL, CUSTOMER_COL, DATE_COL, MISSING, fill_doc, require_columns

#: Columns of the canonical transaction log, in order.
CANONICAL_COLUMNS: tuple[str, ...] = ("account_id", "date", "amount", "margin", "product_id")

#: Columns of the report of dropped rows.
REPORT_COLUMNS: tuple[str, ...] = ("row", "column", "value", "reason")

_ON_ERROR = ("raise", "drop")


def _resolve_optional(df: pd.DataFrame, col: str | None, default: str) -> str | None:
    """``col`` if given (must exist), else ``default`` when the frame has it, else None."""
    if col is not None:
        return col
    return default if default in df.columns else None


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
        ``strftime`` format of the dates (e.g. ``"%d/%m/%Y"``); ``None`` lets
        pandas infer it from the first value (ISO dates always work).
    source
        Name used in messages (e.g. the file name).

    Returns
    -------
    log : DataFrame
        Canonical log (see module docstring) holding the valid rows, in input order.
    dropped_rows : DataFrame
        One row per problem: ``row`` (index label of ``df``), ``column``,
        ``value`` (as text) and ``reason``.  A row with several problems
        appears several times.

    Raises
    ------
    ValueError
        If a required column is missing (names the column and lists those present).
    """
    margin_col = _resolve_optional(df, margin_col, "margin")
    product_col = _resolve_optional(df, product_col, "product_id")
    needed = [customer_col, date_col, amount_col] + [c for c in (margin_col, product_col) if c is not None]
    require_columns(df, needed, source, verb=MISSING, show_present=True)

    problems: list[pd.DataFrame] = []

    def flag(mask: np.ndarray, column: str, values: pd.Series, reason: str) -> None:
        if mask.any():
            problems.append(
                pd.DataFrame(
                    {
                        "row": df.index[mask],
                        "column": column,
                        "value": values[mask].astype("string").to_numpy(),
                        "reason": reason,
                    }
                )
            )

    ids = _clean_ids(df[customer_col])
    flag((ids.isna() | (ids == "")).to_numpy(dtype=bool), customer_col, df[customer_col], "missing customer id")

    raw_dates = df[date_col]
    if pd.api.types.is_datetime64_any_dtype(raw_dates):
        dates = raw_dates.astype("datetime64[ns]")
        flag(dates.isna().to_numpy(), date_col, raw_dates, "missing date")
    else:
        dates = pd.to_datetime(raw_dates, errors="coerce", format=date_format).astype("datetime64[ns]")
        blank = raw_dates.isna().to_numpy() | (raw_dates.astype("string").str.strip() == "").fillna(True).to_numpy(dtype=bool)
        flag(blank, date_col, raw_dates, "missing date")
        flag(dates.isna().to_numpy() & ~blank, date_col, raw_dates, "not a valid date")

    amount = _numeric(df[amount_col])
    raw_amount = df[amount_col]
    amount_missing = raw_amount.isna().to_numpy()
    amount_bad = amount.isna().to_numpy() & ~amount_missing
    flag(amount_missing, amount_col, raw_amount, "missing amount")
    flag(amount_bad, amount_col, raw_amount, "not a number")
    finite = np.isfinite(amount.to_numpy(dtype="float64", na_value=np.nan))
    flag(~finite & ~amount_missing & ~amount_bad, amount_col, raw_amount, "not a finite number")
    flag((amount < 0).to_numpy(dtype=bool, na_value=False), amount_col, raw_amount, "negative amount")

    if margin_col is not None:
        raw_margin = df[margin_col]
        margin = _numeric(raw_margin)
        flag(margin.isna().to_numpy() & raw_margin.notna().to_numpy(), margin_col, raw_margin, "not a number")
        over = (margin > amount + 1e-9 * amount.abs().clip(lower=1.0)).to_numpy(dtype=bool, na_value=False)
        flag(over, margin_col, raw_margin, "margin exceeds amount")
    else:
        margin = pd.Series(np.nan, index=df.index, dtype="float64")

    product = df[product_col].astype("string") if product_col is not None else pd.Series(pd.NA, index=df.index, dtype="string")

    report = pd.concat(problems, ignore_index=True) if problems else _empty_report()
    log = pd.DataFrame(
        {
            "account_id": ids,
            "date": dates,
            "amount": amount.astype("float64"),
            "margin": margin.astype("float64"),
            "product_id": product,
        },
        index=df.index,
    )
    if len(report):
        log = log.loc[~df.index.isin(report["row"])]
        order = pd.Series(np.arange(len(df)), index=df.index)
        report = report.assign(_pos=order.reindex(report["row"]).to_numpy()).sort_values(["_pos"], kind="stable")
        report = report.drop(columns="_pos").reset_index(drop=True)
    return log.reset_index(drop=True), report


def _clean_ids(s: pd.Series) -> pd.Series:
    """Customer ids as stripped strings; stripping runs once per distinct id (fast on large logs)."""
    codes, uniques = pd.factorize(s.astype("string"), use_na_sentinel=True)
    stripped = pd.Series(uniques, dtype="string").str.strip().to_numpy()
    values = np.empty(len(codes), dtype=object)
    values[codes >= 0] = stripped[codes[codes >= 0]]
    values[codes < 0] = pd.NA
    return pd.Series(values, index=s.index, dtype="string")


def _numeric(s: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype("float64")
    return pd.to_numeric(s.astype("string").str.strip().str.replace(",", "", regex=False), errors="coerce").astype("float64")


def typed_empty(dtypes: Mapping[str, str], index: pd.Index | None = None) -> pd.DataFrame:
    """An empty DataFrame with the given ``{column: dtype}`` (what a function returns for an empty log)."""
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in dtypes.items()}, index=index)


def _empty_report() -> pd.DataFrame:
    return typed_empty({"row": "int64", "column": "string", "value": "string", "reason": "string"})


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
) -> pd.DataFrame:
    """Read and validate an external transaction log (CSV file or DataFrame).

    Parameters
    ----------
    path_or_df
        CSV file (read with every column as text, so ids keep leading zeros)
        or a DataFrame.
    customer_col, date_col, amount_col, margin_col, product_col, date_format
        See :func:`check_transactions`.
    on_error
        ``"raise"`` (default): the first bad row raises ``ValueError`` naming
        the source, row (and file line), column, value and reason.
        ``"drop"``: bad rows are dropped and described in
        ``log.attrs["dropped_rows"]`` (columns ``row, column, value, reason``).

    Returns
    -------
    DataFrame
        The canonical log: ``account_id, date, amount, margin, product_id``.

    Checks: customer id present; date present and parseable; amount present,
    numeric, finite and >= 0 (CU); margin numeric and not above the amount.
    """
    if on_error not in _ON_ERROR:
        raise ValueError(f"on_error must be one of {_ON_ERROR}, got {on_error!r}")
    if isinstance(path_or_df, pd.DataFrame):
        df, source, is_file = path_or_df, "transactions", False
    else:
        path = Path(path_or_df)
        if not path.is_file():
            raise ValueError(f"{path}: no such transaction file")
        df, source, is_file = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""]), path.name, True
    log, report = check_transactions(
        df, customer_col, date_col, amount_col, margin_col, product_col, date_format=date_format, source=source
    )
    if len(report) and on_error == "raise":
        first = report.iloc[0]
        line = f" (file line {int(first['row']) + 2})" if is_file else ""
        more = f"; {len(report) - 1} more problem(s), use on_error='drop' to drop and report them" if len(report) > 1 else ""
        raise ValueError(
            f"{source}: row {first['row']}{line}, column '{first['column']}': {first['reason']} ({first['value']!r}){more}"
        )
    log.attrs["dropped_rows"] = report
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
    :func:`read_transactions` with ``on_error="raise"``.  A frame that is
    already canonical passes through cheaply.

    Returns
    -------
    DataFrame
        Columns ``account_id, date, amount, margin, product_id`` (see module docstring).
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"expected a DataFrame transaction log, got {type(df).__name__}")
    if "event_type" in df.columns:
        df = df.loc[(df["event_type"] == "order").to_numpy(dtype=bool, na_value=False)]
    log, report = check_transactions(df, customer_col, date_col, amount_col, margin_col, product_col)
    if len(report):
        first = report.iloc[0]
        raise ValueError(
            f"transaction log: row {first['row']}, column '{first['column']}': {first['reason']} ({first['value']!r})"
        )
    return log


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
