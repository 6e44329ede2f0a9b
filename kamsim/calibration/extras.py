"""Optional CRM tables for a twin: contracts (start, end) and complaints (date) per customer.

KAM example: besides the orders, the CRM can export each customer's frame
contracts and the complaints it logged.  With them the twin starts with the right
contracts running at ``as_of``, renews them as often as customers really renewed,
and receives complaints at the observed rate.

* ``contracts``: one row per contract, columns ``customer_col``, ``start``, ``end``
  (dates; ``end`` after ``start``).  History events: ``contract_signed`` at the start
  (term in whole months) and ``contract_ended`` at an end before ``as_of``.  Scenario:
  ``contracts.two_year_share`` = share of terms of 18 months or more; ``contracts.renewal_prob``
  = share of the contracts that ended before ``as_of`` and were followed by another one
  starting within :data:`RENEWAL_GAP_DAYS` days.
* ``complaints``: one row per complaint, columns ``customer_col`` and ``date_col``.  History
  events ``complaint_opened``; scenario ``complaints.base_rate`` = complaints per customer-month
  between each customer's first order and ``as_of``.

Rows of customers that are not in the log, unreadable dates or an end before its start
are errors naming the table, row and column.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kamsim.vocabulary import DAYS_PER_MONTH, complaint_ids, contract_details

#: A contract counts as renewed if the customer's next contract starts within this many days of its end.
RENEWAL_GAP_DAYS: int = 31

#: Contracts of at least this many months count as two-year contracts.
TWO_YEAR_FROM_MONTHS: int = 18


def _dates(frame: pd.DataFrame, column: str, table: str) -> pd.Series:
    if column not in frame.columns:
        raise ValueError(f"{table}: missing column {column!r} (columns: {list(frame.columns)[:20]})")
    parsed = pd.to_datetime(frame[column], errors="coerce", format="ISO8601")
    bad = parsed.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"{table}: row {row}: column {column!r}: {frame[column].iloc[row]!r} is not a date (use YYYY-MM-DD)")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    return parsed.dt.normalize().reset_index(drop=True)


def _customers(frame: pd.DataFrame, column: str, table: str, known: pd.Index) -> pd.Series:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{table}: expected a DataFrame, got {type(frame).__name__}")
    if column not in frame.columns:
        raise ValueError(f"{table}: missing column {column!r} (columns: {list(frame.columns)[:20]})")
    ids = frame[column].astype("string").str.strip().reset_index(drop=True)
    unknown = ids.isna() | ~ids.isin(known)
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        raise ValueError(f"{table}: row {row}: customer {ids.iloc[row]!r} has no order before as_of in the log")
    return ids.astype("object")


def contract_rows(
    contracts: pd.DataFrame, customer_col: str, known: pd.Index, as_of: pd.Timestamp
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """History rows (``account_id, date, event_type, detail``) and scenario changes from a contract table."""
    table = "contracts"
    who = _customers(contracts, customer_col, table, known)
    start, end = _dates(contracts, "start", table), _dates(contracts, "end", table)
    backwards = end <= start
    if backwards.any():
        row = int(np.flatnonzero(backwards.to_numpy())[0])
        raise ValueError(f"{table}: row {row}: end {end.iloc[row].date()} is not after start {start.iloc[row].date()}")
    keep = (start < as_of).to_numpy()
    who, start, end = who[keep].reset_index(drop=True), start[keep].reset_index(drop=True), end[keep].reset_index(drop=True)
    term = np.maximum(1, np.round((end - start).dt.days / DAYS_PER_MONTH)).astype(np.int64).to_numpy()
    signed = pd.DataFrame({"account_id": who, "date": start, "event_type": "contract_signed", "detail": contract_details(term)})
    done = (end < as_of).to_numpy()
    ended = pd.DataFrame({"account_id": who[done], "date": end[done], "event_type": "contract_ended", "detail": "expired"})
    changes: dict[str, Any] = {}
    if len(term):
        changes["contracts.two_year_share"] = float(np.mean(term >= TWO_YEAR_FROM_MONTHS))
    if done.any():
        spans = pd.DataFrame({"who": who, "start": start, "end": end}).sort_values(["who", "start"], kind="stable")
        following = spans.groupby("who")["start"].shift(-1)
        gap = (following - spans["end"]).dt.days
        finished = spans["end"] < as_of
        renewed = (gap <= RENEWAL_GAP_DAYS) & finished
        changes["contracts.renewal_prob"] = float(renewed.sum() / finished.sum())
        changes["contracts.renewal_satisfaction_effect"] = 0.0
    return pd.concat([signed, ended], ignore_index=True), changes


def complaint_rows(
    complaints: pd.DataFrame, customer_col: str, date_col: str, first_order: pd.Series, as_of: pd.Timestamp
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """History rows and the observed complaint rate (complaints per customer-month) from a complaint table."""
    table = "complaints"
    who = _customers(complaints, customer_col, table, first_order.index)
    when = _dates(complaints, date_col, table)
    keep = (when < as_of).to_numpy()
    who, when = who[keep].reset_index(drop=True), when[keep].reset_index(drop=True)
    rows = pd.DataFrame(
        {"account_id": who, "date": when, "event_type": "complaint_opened", "detail": complaint_ids(range(len(who)))}
    )
    exposure = float(((as_of - first_order).dt.days / DAYS_PER_MONTH).sum())
    rate = min(len(rows) / exposure, 10.0) if exposure > 0 else 0.0
    return rows, {"complaints.base_rate": rate}
