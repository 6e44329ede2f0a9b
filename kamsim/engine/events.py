"""The event log builder: collects event rows as column arrays and makes one ``schema.EVENTS`` frame at the end.

KAM example: a CRM export is one long table -- orders, visits, calls, QBRs,
complaints, surveys, contracts, stage changes, retention offers -- one row per
event with a date.  The engine produces rows in vectorised chunks (e.g. all
orders of a month at once); :class:`EventLog` keeps the chunks as numpy arrays
and builds the DataFrame once, which is much faster than appending rows.

Time inside the engine is ``(month, frac)``: simulation month and position in
that month in [0, 1).  Dates are ``month_start(month) + floor(frac * days in
that calendar month)`` where month 0 starts at the simulation start date.
Rows are sorted by (month, frac, account, event type, insertion order) and
numbered from ``first_id``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.arrays import StringArray

from kamsim.schema import EVENT_TYPES, STAGES, coerce_frame

_TYPE_CODE: dict[str, int] = {name: i for i, name in enumerate(EVENT_TYPES)}
_FLOAT_COLS = ("quantity", "amount", "margin", "hours", "score", "wait_days")
_INDEX_COLS = ("product", "manager", "stage_from", "stage_to")
_STAGE_LABELS = np.array(STAGES, dtype=object)
#: Resolution of ``frac`` in the sort key (positions closer than 2**-20 of a month, ~2.5 s, tie).
_FRAC_BITS = 20
#: Position just before a month's end, used for end-of-month events (stage changes).
END_OF_MONTH = 1.0 - 1e-9


def sort_order(month: np.ndarray, frac: np.ndarray, account: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Stable order by (month, frac, account, event type), ties kept in insertion order.

    Packs the keys into one int64 (fast stable argsort); falls back to
    ``np.lexsort`` if they do not fit in 63 bits.
    """
    n = len(month)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    m0 = int(month.min())
    m_bits = max(1, int(month.max() - m0 + 1).bit_length())
    a_bits = max(1, int(account.max() + 1).bit_length())
    t_bits = max(1, len(EVENT_TYPES).bit_length())
    q = np.minimum(np.floor(frac * (1 << _FRAC_BITS)), (1 << _FRAC_BITS) - 1).astype(np.int64)
    if m_bits + _FRAC_BITS + a_bits + t_bits > 62:
        return np.lexsort((np.arange(n), codes, account, q, month))
    key = (((month - m0) << _FRAC_BITS | q) << a_bits | account) << t_bits | codes
    return np.argsort(key, kind="stable")


class EventLog:
    """Accumulates event rows as column arrays."""

    def __init__(self) -> None:
        self._chunks: list[dict[str, np.ndarray]] = []
        self._rows = 0

    def __len__(self) -> int:
        return self._rows

    def add(
        self,
        event_type: str | np.ndarray,
        account: np.ndarray,
        month: int | np.ndarray,
        frac: float | np.ndarray,
        **columns: np.ndarray | float | int | str | None,
    ) -> None:
        """Add rows of one or several event types.

        Parameters
        ----------
        event_type
            One of ``schema.EVENT_TYPES`` for every row, or an array of them.
        account
            Account index per row.
        month, frac
            Simulation month and position in the month (scalars broadcast).
        **columns
            ``quantity, amount, margin, hours, score, wait_days`` (floats),
            ``product, manager, stage_from, stage_to`` (integer indices, -1 =
            missing), ``detail`` (strings or None).
        """
        account = np.asarray(account, dtype=np.int64)
        n = len(account)
        if n == 0:
            return
        if isinstance(event_type, str):
            codes = np.full(n, _TYPE_CODE[event_type], dtype=np.int64)
        else:
            codes = np.array([_TYPE_CODE[t] for t in event_type], dtype=np.int64)
        chunk: dict[str, np.ndarray] = {
            "type": codes,
            "account": account,
            "month": np.broadcast_to(np.asarray(month, dtype=np.int64), (n,)),
            "frac": np.broadcast_to(np.asarray(frac, dtype="float64"), (n,)),
        }
        for name, value in columns.items():
            if name in _FLOAT_COLS:
                chunk[name] = np.broadcast_to(np.asarray(value, dtype="float64"), (n,))
            elif name in _INDEX_COLS:
                chunk[name] = np.broadcast_to(np.asarray(value, dtype=np.int64), (n,))
            elif name == "detail":
                arr = np.empty(n, dtype=object)
                arr[:] = value if not isinstance(value, np.ndarray) else value.astype(object)
                chunk[name] = arr
            else:
                raise ValueError(f"EventLog.add: unknown column {name!r}")
        self._chunks.append(chunk)
        self._rows += n

    def _column(self, name: str, fill: object, dtype: object) -> np.ndarray:
        parts = []
        for chunk in self._chunks:
            n = len(chunk["account"])
            parts.append(chunk[name] if name in chunk else np.full(n, fill, dtype=dtype))
        if not parts:
            return np.empty(0, dtype=dtype)
        return np.concatenate(parts)

    def to_frame(
        self,
        account_ids: np.ndarray,
        product_ids: np.ndarray,
        manager_ids: np.ndarray,
        start: pd.Timestamp,
        month_offset: int = 0,
        first_id: int = 1,
    ) -> pd.DataFrame:
        """The sorted ``schema.EVENTS`` frame.

        Parameters
        ----------
        account_ids, product_ids, manager_ids
            Id strings indexed by the integer indices used in :meth:`add`.
        start
            Date of the first day of simulation month 0.
        month_offset
            Added to the ``month`` column (e.g. ``-history_months`` for warm-start history);
            dates are computed before the shift.
        first_id
            ``event_id`` of the first row.
        """
        month = self._column("month", 0, np.int64)
        frac = self._column("frac", 0.0, np.float64)
        account = self._column("account", 0, np.int64)
        codes = self._column("type", 0, np.int64)
        order = sort_order(month, frac, account, codes)
        n_months = int(month.max()) + 2 if len(month) else 1
        starts = np.array([start + pd.DateOffset(months=int(m)) for m in range(n_months)], dtype="datetime64[ns]")
        days = (starts[1:] - starts[:-1]).astype("timedelta64[D]").astype(np.int64)
        m_sorted = month[order]
        offset_days = np.floor(frac[order] * days[m_sorted]).astype(np.int64)
        dates = starts[m_sorted] + offset_days.astype("timedelta64[D]")

        def labels(table: np.ndarray, name: str) -> StringArray:
            idx = self._column(name, -1, np.int64)[order]
            out = np.full(len(idx), pd.NA, dtype=object)
            ok = idx >= 0
            out[ok] = table[idx[ok]]
            return StringArray(out)

        detail = self._column("detail", None, object)[order]
        detail[pd.isna(detail)] = pd.NA

        frame = pd.DataFrame(
            {
                "event_id": np.arange(first_id, first_id + len(order), dtype=np.int64),
                "account_id": StringArray(np.asarray(account_ids, dtype=object)[account[order]]),
                "date": dates,
                "month": m_sorted + month_offset,
                "event_type": StringArray(np.array(EVENT_TYPES, dtype=object)[codes[order]]),
                "product_id": labels(np.asarray(product_ids, dtype=object), "product"),
                "quantity": self._column("quantity", np.nan, np.float64)[order],
                "amount": self._column("amount", np.nan, np.float64)[order],
                "margin": self._column("margin", np.nan, np.float64)[order],
                "manager_id": labels(np.asarray(manager_ids, dtype=object), "manager"),
                "hours": self._column("hours", np.nan, np.float64)[order],
                "score": self._column("score", np.nan, np.float64)[order],
                "wait_days": self._column("wait_days", np.nan, np.float64)[order],
                "stage_from": labels(_STAGE_LABELS, "stage_from"),
                "stage_to": labels(_STAGE_LABELS, "stage_to"),
                "detail": StringArray(detail),
            }
        )
        return coerce_frame(frame, "events")
