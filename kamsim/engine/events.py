"""The event log builder: collects event rows as compact integer and float chunks, makes one ``schema.EVENTS`` frame.

KAM example: a CRM export is one long table -- orders, visits, calls, QBRs,
complaints, surveys, contracts, stage changes, retention offers -- one row per
event with a date.  The engine produces rows in vectorised chunks (e.g. all
orders of a month at once); :class:`EventLog` keeps each chunk as small numpy
arrays of integer codes (account, event type, product, manager, stages, detail)
and floats, and builds the DataFrame once, which is much faster and leaner than
appending rows or keeping strings.

Strings are made only in :meth:`EventLog.to_frame`: ids and labels by looking the
codes up in their tables (one shared string object per id), and the structured
``detail`` texts of :mod:`kamsim.vocabulary` by calling their writer once per kind
on all rows of that kind (:class:`Details`).  While the log is being built a row
costs about 20-50 bytes (``EventLog.nbytes``).

Time inside the engine is ``(month, frac)``: simulation month and position in
that month in [0, 1).  Dates are ``month_start(month) + floor(frac * days in
that calendar month)`` where month 0 starts at the simulation start date.
Rows are sorted by (month, frac, account, event type, insertion order) and
numbered from ``first_id``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.arrays import StringArray

from kamsim.engine.kpis import CONTACT_TYPES, EventTotals
from kamsim.schema import EVENT_TYPES, STAGES, column_names

_TYPE_CODE: dict[str, int] = {name: i for i, name in enumerate(EVENT_TYPES)}
_FLOAT_COLS = ("quantity", "amount", "margin", "hours", "score", "wait_days")
#: Integer-coded columns and the dtype their codes are kept in while the log is built (-1 = missing).
_INDEX_COLS: dict[str, type] = {"product": np.int32, "manager": np.int32, "stage_from": np.int8, "stage_to": np.int8}
_STAGE_LABELS = np.array(STAGES, dtype=object)
_TYPE_LABELS = np.array(EVENT_TYPES, dtype=object)
_EVENT_COLUMNS: tuple[str, ...] = tuple(column_names("events"))
#: Resolution of ``frac`` in the sort key (positions closer than 2**-20 of a month, ~2.5 s, tie).
_FRAC_BITS = 20
#: Position just before a month's end, used for end-of-month events (stage changes).
END_OF_MONTH = 1.0 - 1e-9
_NS_PER_DAY = 86_400 * 10**9


def sort_order(month: np.ndarray, frac: np.ndarray, account: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Stable order by (month, frac, account, event type), ties kept in insertion order.

    Packs the keys into one int64 (fast stable argsort); falls back to
    ``np.lexsort`` if they do not fit in 63 bits.
    """
    n = len(month)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    month = np.asarray(month, dtype=np.int64)
    account = np.asarray(account, dtype=np.int64)
    codes = np.asarray(codes, dtype=np.int64)
    m0 = int(month.min())
    m_bits = max(1, int(month.max() - m0 + 1).bit_length())
    a_bits = max(1, int(account.max() + 1).bit_length())
    t_bits = max(1, len(EVENT_TYPES).bit_length())
    q = np.minimum(np.floor(frac * (1 << _FRAC_BITS)), (1 << _FRAC_BITS) - 1).astype(np.int64)
    if m_bits + _FRAC_BITS + a_bits + t_bits > 62:
        return np.lexsort((np.arange(n), codes, account, q, month))
    key = month - m0
    key <<= _FRAC_BITS
    key |= q
    del q
    key <<= a_bits
    key |= account
    key <<= t_bits
    key |= codes
    return np.argsort(key, kind="stable")


def string_array(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """An object array of ``str`` / ``pd.NA`` as the array of pandas' ``"string"`` dtype, without a copy.

    With the default (python) string storage the array is wrapped as it is; the elements
    are not checked again, so pass only ``str`` objects and ``pd.NA``.  With another default
    storage (pyarrow) it is converted as ``astype("string")`` would.
    """
    dtype = pd.StringDtype()
    if dtype.storage == "python" and dtype.na_value is pd.NA:
        wrap = getattr(_STRING_TEMPLATE, "_from_backing_data", None)
        if wrap is not None:
            out = wrap(values)
            if out.dtype == dtype:
                return out
    return _python_strings(values).astype(dtype)


def _python_strings(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``StringArray(values)`` with python storage, whatever pandas' default string storage is.

    pandas 3 with pyarrow installed gives a bare ``StringArray(values)`` the pyarrow dtype, an
    inconsistent array that fails later (``isin``, ``astype``); pandas 2 has no ``dtype`` argument.
    """
    try:
        return StringArray(values, dtype=pd.StringDtype("python"))
    except TypeError:  # pandas 2: python storage is the only one StringArray has
        return StringArray(values)


_STRING_TEMPLATE = _python_strings(np.array([], dtype=object))


def _all_strings(table: np.ndarray) -> bool:
    return pd.api.types.infer_dtype(table, skipna=False) in ("string", "empty")


def lookup_strings(table: np.ndarray, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``table[codes]`` as a string array, code -1 (missing) as ``pd.NA``.

    When pandas stores strings in Arrow (pyarrow installed, pandas 3), the column is made by an Arrow
    ``take`` on the small table: no Python string object per row, about 10 bytes per value.
    """
    table = np.append(np.asarray(table, dtype=object), pd.NA)  # code -1 picks the last entry: NA
    if not _all_strings(table[:-1]):  # not str ids: let StringArray raise (or accept) as before
        return _python_strings(table[codes]).astype(pd.StringDtype())
    dtype = pd.StringDtype()
    if dtype.storage == "pyarrow":
        import pyarrow as pa

        codes = np.asarray(codes, dtype=np.int64)
        taken = pa.array(table[:-1].tolist(), type=pa.large_string()).take(pa.array(codes, mask=codes < 0))
        return pd.array(taken, dtype=dtype)
    return string_array(table[codes])


@dataclass(frozen=True)
class Details:
    """Lazily written ``detail`` texts of some rows: ``write(codes)`` gives their strings at the end.

    ``write`` is called once per :meth:`EventLog.to_frame` with the codes of every row added
    with it (in insertion order; object identity of ``write`` groups the rows), and returns an
    array of ``str`` of the same length (e.g. :func:`kamsim.vocabulary.complaint_ids`).
    """

    write: Callable[[np.ndarray], Any]
    codes: np.ndarray


class EventLog:
    """Accumulates event rows as compact column chunks (integer codes and floats; no strings)."""

    def __init__(self) -> None:
        self._chunks: list[dict[str, Any]] = []
        self._rows = 0
        self._strings: dict[str, int] = {}  # plain ``detail`` texts, interned: text -> code
        self._writers: dict[int, Callable[[np.ndarray], Any]] = {}  # id -> lazy detail writer

    def __len__(self) -> int:
        return self._rows

    @property
    def nbytes(self) -> int:
        """Bytes held by the chunks' arrays and the interned ``detail`` texts (the log's buffers)."""
        total = 0
        for chunk in self._chunks:
            for value in chunk.values():
                if isinstance(value, np.ndarray):
                    total += value.nbytes
                elif isinstance(value, tuple):
                    total += value[1].nbytes
        return total + sum(sys.getsizeof(s) for s in self._strings)

    def add(
        self,
        event_type: str | np.ndarray,
        account: np.ndarray,
        month: int | np.ndarray,
        frac: float | np.ndarray,
        **columns: Any,
    ) -> None:
        """Add rows of one or several event types.

        Parameters
        ----------
        event_type
            One of ``schema.EVENT_TYPES`` for every row, or an array of them (names, or
            integer positions in ``EVENT_TYPES``).
        account
            Account index per row.
        month, frac
            Simulation month and position in the month (scalars broadcast).
        **columns
            ``quantity, amount, margin, hours, score, wait_days`` (floats),
            ``product, manager, stage_from, stage_to`` (integer indices, -1 =
            missing), ``detail`` (strings or None, or :class:`Details` written at the end).
        """
        account = np.asarray(account)
        n = len(account)
        if n == 0:
            return
        chunk: dict[str, Any] = {
            "n": n,
            "type": _type_codes(event_type, n),
            "account": account.astype(np.int32),
            "month": _compact(month, np.int32, n),
            "frac": _compact(frac, np.float64, n),
        }
        for name, value in columns.items():
            if name in _FLOAT_COLS:
                chunk[name] = _compact(value, np.float64, n)
            elif name in _INDEX_COLS:
                chunk[name] = _compact(value, _INDEX_COLS[name], n)
            elif name == "detail":
                chunk[name] = self._detail(value, n)
            else:
                raise ValueError(f"EventLog.add: unknown column {name!r}")
        self._chunks.append(chunk)
        self._rows += n

    def _detail(self, value: Any, n: int) -> tuple[int, np.ndarray] | None:
        """``(writer id, codes)``: writer 0 = interned plain texts (code -1 = missing)."""
        if value is None:
            return None
        if isinstance(value, Details):
            codes = np.asarray(value.codes, dtype=np.int64)
            if codes.shape != (n,):
                raise ValueError(f"EventLog.add: detail codes need shape ({n},), got {codes.shape}")
            self._writers.setdefault(id(value.write), value.write)
            return id(value.write), codes
        values = np.broadcast_to(np.asarray(value, dtype=object), (n,))
        codes = np.empty(n, dtype=np.int32)
        strings = self._strings
        for i, text in enumerate(values.tolist()):
            if text is None or text is pd.NA or (isinstance(text, float) and text != text):
                codes[i] = -1
            else:
                code = strings.get(text)
                if code is None:
                    code = strings[text] = len(strings)
                codes[i] = code
        return 0, codes

    def _concat(self, name: str, fill: Any, dtype: Any) -> np.ndarray:
        """Column ``name`` over all chunks in insertion order (``fill`` where a chunk lacks it)."""
        out = np.empty(self._rows, dtype=dtype)
        start = 0
        for chunk in self._chunks:
            stop = start + chunk["n"]
            out[start:stop] = chunk.get(name, fill)
            start = stop
        return out

    def _scatter(self, name: str, fill: Any, dtype: Any, position: np.ndarray) -> np.ndarray:
        """Column ``name`` in output order: ``out[position[row]] = value`` for the chunks that have it."""
        out = np.full(self._rows, fill, dtype=dtype)
        start = 0
        for chunk in self._chunks:
            stop = start + chunk["n"]
            if name in chunk:
                out[position[start:stop]] = chunk[name]
            start = stop
        return out

    def _detail_column(self, position: np.ndarray) -> pd.api.extensions.ExtensionArray:
        """The ``detail`` column in output order: each writer called once, texts looked up by row."""
        index = np.full(self._rows, -1, dtype=np.int64)
        parts: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
        start = 0
        for chunk in self._chunks:
            stop = start + chunk["n"]
            if chunk.get("detail") is not None:
                writer, codes = chunk["detail"]
                parts.setdefault(writer, []).append((position[start:stop], codes))
            start = stop
        tables = [np.array(list(self._strings), dtype=object)]
        base = len(tables[0])
        for writer, pieces in parts.items():
            where = np.concatenate([p for p, _ in pieces])
            codes = np.concatenate([c for _, c in pieces])
            if writer == 0:
                index[where] = codes
                continue
            texts = np.asarray(self._writers[writer](codes), dtype=object)
            if texts.shape != codes.shape:
                raise ValueError(f"EventLog: a detail writer returned {texts.shape} texts for {codes.shape} rows")
            index[where] = base + np.arange(len(codes))
            tables.append(texts)
            base += len(codes)
        return lookup_strings(np.concatenate(tables), index)

    def event_totals(self) -> EventTotals:
        """What the KPIs need from the log, as :func:`kamsim.engine.kpis.event_totals` reads it from :meth:`to_frame`.

        The contact waits come in the frame's order (the rows are sorted by the same key), so their sum
        has the same bits; no frame is built.
        """
        stage_change, missed, lost = _TYPE_CODE["stage_change"], _TYPE_CODE["contact_missed"], STAGES.index("lost")
        contact = np.array([_TYPE_CODE[t] for t in CONTACT_TYPES], dtype=np.int8)
        losses = missed_contacts = 0
        keys: dict[str, list[np.ndarray]] = {"month": [], "frac": [], "account": [], "type": [], "wait": []}
        for chunk in self._chunks:
            n = chunk["n"]
            types = np.broadcast_to(chunk["type"], (n,))
            if "stage_to" in chunk:
                losses += int(((types == stage_change) & (np.broadcast_to(chunk["stage_to"], (n,)) == lost)).sum())
            missed_contacts += int((types == missed).sum())
            if "wait_days" not in chunk:
                continue
            wait = np.broadcast_to(chunk["wait_days"], (n,))
            keep = np.isin(types, contact) & ~np.isnan(wait)
            if keep.any():
                for name, value in (("month", chunk["month"]), ("frac", chunk["frac"]), ("account", chunk["account"]),
                                    ("type", types), ("wait", wait)):
                    keys[name].append(np.broadcast_to(value, (n,))[keep])
        if not keys["wait"]:
            return EventTotals(losses, missed_contacts, np.zeros(0), self._rows)
        month, frac, account, codes, wait = (np.concatenate(keys[k]) for k in ("month", "frac", "account", "type", "wait"))
        return EventTotals(losses, missed_contacts, wait[sort_order(month, frac, account, codes)], self._rows)

    def to_frame(
        self,
        account_ids: np.ndarray,
        product_ids: np.ndarray,
        manager_ids: np.ndarray,
        start: pd.Timestamp,
        month_offset: int = 0,
        first_id: int = 1,
    ) -> pd.DataFrame:
        """The sorted ``schema.EVENTS`` frame (its columns and dtypes; string columns of dtype ``"string"``).

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
        n = self._rows
        month = self._concat("month", 0, np.int64)
        frac = self._concat("frac", 0.0, np.float64)
        account = self._concat("account", 0, np.int32)
        codes = self._concat("type", 0, np.int8)
        order = sort_order(month, frac, account, codes)
        position = np.empty(n, dtype=np.int64)
        position[order] = np.arange(n)
        month = month[order]
        frac = frac[order]
        account = account[order]
        codes = codes[order]
        del order

        n_months = int(month.max()) + 2 if n else 1
        starts = np.array([start + pd.DateOffset(months=int(m)) for m in range(n_months)], dtype="datetime64[ns]")
        days = (starts[1:] - starts[:-1]).astype("timedelta64[D]").astype(np.int64)
        offset_days = np.floor(frac * days[month]).astype(np.int64)
        del frac
        offset_days *= _NS_PER_DAY
        offset_days += starts.view(np.int64)[month]
        dates = offset_days.view("datetime64[ns]")
        month += month_offset

        data: dict[str, Any] = {
            "event_id": np.arange(first_id, first_id + n, dtype=np.int64),
            "account_id": lookup_strings(account_ids, account),
            "date": dates,
            "month": month,
            "event_type": lookup_strings(_TYPE_LABELS, codes),
        }
        del account, codes
        for name in _FLOAT_COLS:
            data[name] = self._scatter(name, np.nan, np.float64, position)
        for name, table in (("product", product_ids), ("manager", manager_ids), ("stage_from", _STAGE_LABELS),
                            ("stage_to", _STAGE_LABELS)):
            idx = self._scatter(name, -1, _INDEX_COLS[name], position)
            data[f"{name}_id" if name in ("product", "manager") else name] = lookup_strings(table, idx)
        data["detail"] = self._detail_column(position)
        # copy=False: every array above is new and owned by the frame (no consolidation copy)
        return pd.DataFrame({c: data[c] for c in _EVENT_COLUMNS}, copy=False)


def _compact(value: Any, dtype: Any, n: int) -> Any:
    """A scalar stays a scalar (of ``dtype``); an array becomes a length-``n`` array of ``dtype``."""
    arr = np.asarray(value)
    if arr.ndim == 0:
        return arr.astype(dtype)[()]
    arr = np.broadcast_to(arr, (n,))
    return np.ascontiguousarray(arr, dtype=dtype)


def _type_codes(event_type: str | np.ndarray, n: int) -> Any:
    """Event types as an int8 scalar or array of positions in ``EVENT_TYPES``."""
    if isinstance(event_type, str):
        return np.int8(_TYPE_CODE[event_type])
    arr = np.asarray(event_type)
    if arr.dtype.kind in "iu":
        if len(arr) and (arr.min() < 0 or arr.max() >= len(EVENT_TYPES)):
            raise ValueError("EventLog.add: event type codes outside EVENT_TYPES")
        return _compact(arr, np.int8, n)
    names, inverse = np.unique(arr.astype(object), return_inverse=True)
    return np.array([_TYPE_CODE[t] for t in names.tolist()], dtype=np.int8)[inverse.reshape(-1)]
