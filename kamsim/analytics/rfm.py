"""RFM per customer: recency, frequency, monetary value at a cutoff date.

KAM example: before the annual account review, the KAM team wants to know
which accounts still buy often and recently ("champions") and which used to
but have gone quiet ("at risk").  :func:`rfm_table` computes one row per
account at a cutoff date; :func:`rfm_scores` turns it into 1-5 scores and a
segment label.

Two meanings of "recency" are kept apart:

* ``recency`` -- the **BG/NBD / lifetimes** sense: the customer's *age at the
  last purchase*, ``last - first`` in periods.  Large = good (bought late in
  its life).  This is what :class:`~kamsim.analytics.lifetime_value.BetaGeoFitter` needs.
* ``days_since_last`` -- the **RFM** sense: days from the last purchase to the
  cutoff.  Small = good.  :func:`rfm_scores` scores R on this column.

Period conventions (lifetimes' ``summary_data_from_transaction_data``): dates
are bucketed into periods of ``freq`` (``"D"`` days, ``"W"`` calendar weeks
starting Monday, ``"M"`` months); several purchases in one period count as one.
``"D/7"`` is Fader & Hardie's week: purchases bucketed by day, ``recency`` and
``T`` in days / 7 (fractional).  The published CDNOW estimates (r = 0.243,
alpha = 4.414, a = 0.793, b = 2.426) are in these weeks, not calendar weeks.

The unit travels with the table: ``table.attrs["freq"]`` and
``table.attrs["periods_per_month"]`` (:data:`PERIODS_PER_MONTH`), which
:func:`~kamsim.analytics.lifetime_value.clv` reads (and checks).

=================  ==========================================================
column             definition (units)
=================  ==========================================================
``frequency``      number of *repeat* purchase periods = distinct periods - 1
``recency``        last purchase period - first purchase period (periods)
``T``              cutoff period - first purchase period (periods)
``monetary_value`` mean amount per repeat purchase period, the first period
                   excluded; 0 when ``frequency == 0`` (CU)
``days_since_last`` cutoff - last purchase date (days)
``orders``         number of transactions (rows) up to the cutoff
``revenue``        total amount up to the cutoff (CU)
``first_purchase`` date of the first purchase
``last_purchase``  date of the last purchase
=================  ==========================================================

The index is ``account_id``, sorted.  Invariants: ``0 <= recency <= T`` and
``frequency >= 0``; ``frequency == 0`` implies ``recency == 0``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from kamsim.analytics import _logrows
from kamsim.analytics._validation import AMOUNT_COL, CUSTOMER_COL, DATE_COL, fill_doc, require_columns
from kamsim.analytics.io import period_ordinal, typed_empty
from kamsim.vocabulary import DAYS_PER_MONTH

_DAY_NS = 86_400_000_000_000  # nanoseconds per day

#: Model periods per month of each ``freq`` of :func:`rfm_table` (stored in ``table.attrs``).
PERIODS_PER_MONTH: dict[str, float] = {"D": DAYS_PER_MONTH, "W": DAYS_PER_MONTH / 7, "D/7": DAYS_PER_MONTH / 7, "M": 1.0}

RFM_COLUMNS: tuple[str, ...] = (
    "frequency",
    "recency",
    "T",
    "monetary_value",
    "days_since_last",
    "orders",
    "revenue",
    "first_purchase",
    "last_purchase",
)

#: RFM segment labels and their Chinese names (used in course figures).
SEGMENTS_ZH: dict[str, str] = {
    "champions": "重要价值客户",
    "loyal": "忠诚客户",
    "new": "新客户",
    "needs_attention": "需关注客户",
    "at_risk": "流失风险客户",
    "hibernating": "沉睡客户",
}


@fill_doc
def rfm_table(
    log: pd.DataFrame,
    cutoff: str | pd.Timestamp | None = None,
    freq: str = "D",
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
    amount_col: str = AMOUNT_COL,
) -> pd.DataFrame:
    """One row per customer with frequency, recency, T, monetary value and RFM days (see module docstring).

    Parameters
    ----------
    log
        kamsim ``events`` log (order rows are used) or external transaction log.
    cutoff
        Observation end (inclusive); transactions after it are ignored and
        customers whose first purchase is after it are absent.  Default: the
        last date in the log.
    freq
        Period of ``frequency``, ``recency`` and ``T``: ``"D"`` (days), ``"W"`` (calendar weeks
        starting Monday), ``"D/7"`` (Fader-Hardie weeks: days / 7, as in the published CDNOW
        estimates) or ``"M"`` (calendar months).
    %(log_columns)s

    Returns
    -------
    DataFrame
        Columns :data:`RFM_COLUMNS`, index ``account_id``; ``attrs["freq"]`` and
        ``attrs["periods_per_month"]`` give the unit of ``recency`` and ``T``.
    """
    if freq not in PERIODS_PER_MONTH:
        raise ValueError(f"freq must be 'D', 'W', 'D/7' or 'M', got {freq!r}")
    out = _rfm(log, cutoff, freq, customer_col, date_col, amount_col)
    out.attrs.update(freq=freq, periods_per_month=PERIODS_PER_MONTH[freq])
    return out


def _rfm(log, cutoff, freq: str, customer_col: str, date_col: str, amount_col: str) -> pd.DataFrame:
    scale = 7.0 if freq == "D/7" else 1.0
    freq = "D" if freq == "D/7" else freq
    checked = _logrows.canonical(log, customer_col, date_col, amount_col)  # factorises the ids once
    t, codes = checked.log, checked.codes
    dates = t["date"].to_numpy(dtype="datetime64[ns]")
    amount = t["amount"].to_numpy(dtype="float64")
    if cutoff is None:
        cutoff_ts = t["date"].max() if len(t) else pd.Timestamp("1970-01-01")
    else:
        try:
            cutoff_ts = pd.Timestamp(cutoff)
        except (ValueError, TypeError):
            cutoff_ts = pd.NaT
        if pd.isna(cutoff_ts):
            raise ValueError(f"cutoff is not a valid date: {cutoff!r}")
        inside = (t["date"] <= cutoff_ts).to_numpy()
        if not inside.all():
            codes, dates, amount = codes[inside], dates[inside], amount[inside]
    if len(codes) == 0:
        return _empty()

    ids, codes = _sorted_customers(codes, checked.customers)
    per = period_ordinal(dates, freq)
    n = len(ids)

    # Sort by customer, then date (hence period); aggregate to (customer, period) cells.
    order = _customer_date_order(codes, dates)
    c_s, p_s, a_s, d_s = codes[order], per[order], amount[order], dates[order]
    new_cell = np.ones(len(c_s), dtype=bool)
    new_cell[1:] = (c_s[1:] != c_s[:-1]) | (p_s[1:] != p_s[:-1])
    cell_start = np.flatnonzero(new_cell)
    cell_cust = c_s[cell_start]
    cell_per = p_s[cell_start]
    cell_amt = np.add.reduceat(a_s, cell_start)

    n_cells = np.bincount(cell_cust, minlength=n)
    first_cell = np.concatenate([[0], np.cumsum(n_cells)[:-1]])
    last_cell = first_cell + n_cells - 1
    first_per = cell_per[first_cell]
    last_per = cell_per[last_cell]
    revenue = np.bincount(cell_cust, weights=cell_amt, minlength=n)
    frequency = n_cells - 1
    repeat_amt = revenue - cell_amt[first_cell]
    monetary = np.where(frequency > 0, repeat_amt / np.maximum(frequency, 1), 0.0)

    n_rows = np.bincount(codes, minlength=n)
    row_first = np.concatenate([[0], np.cumsum(n_rows)[:-1]])
    first_date = d_s[row_first]
    last_date = d_s[row_first + n_rows - 1]
    cutoff_per = period_ordinal(np.array([cutoff_ts.to_datetime64()]), freq)[0]
    cutoff_day = cutoff_ts.to_datetime64().astype("datetime64[D]")
    days_since = (cutoff_day - last_date.astype("datetime64[D]")).astype("int64")

    out = pd.DataFrame(
        {
            "frequency": frequency.astype("int64"),
            "recency": (last_per - first_per).astype("float64") / scale,
            "T": (cutoff_per - first_per).astype("float64") / scale,
            "monetary_value": monetary,
            "days_since_last": days_since,
            "orders": n_rows.astype("int64"),
            "revenue": revenue,
            "first_purchase": first_date,
            "last_purchase": last_date,
        },
        index=pd.Index(ids, dtype="string", name="account_id"),
    )
    return out


def _sorted_customers(codes: np.ndarray, customers: ExtensionArray) -> tuple[ExtensionArray, np.ndarray]:
    """The customers that have rows, sorted (as ``pd.factorize(sort=True)``), and each row's code among them."""
    present = np.flatnonzero(np.bincount(codes, minlength=len(customers)))
    names = customers.take(present)
    by_name = np.asarray(names.argsort())  # code-point order, the order of pandas' sorted factorize and groupby
    rank = np.empty(len(customers), dtype=np.intp)
    rank[present[by_name]] = np.arange(len(present))
    return names.take(by_name), rank[codes]


def _customer_date_order(codes: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """``np.lexsort((dates, codes))`` (stable: ties keep the row order), as 16-bit radix passes.

    Customer and date offset (in days when every date is at midnight, else in ns) are packed into
    one key when they fit in 63 bits; each stable pass over 16 bits of the key is a radix sort, so
    a million rows sort in a few passes of O(n) instead of a comparison sort of two keys.
    """
    ns = dates.view("int64")
    offset = ns.view(np.uint64) - np.uint64(ns.min())  # the exact difference, also across the whole ns range
    if not (offset % np.uint64(_DAY_NS)).any():
        offset //= np.uint64(_DAY_NS)
    code = codes.astype(np.uint64)
    date_bits = int(offset.max()).bit_length()
    if date_bits + int(codes.max()).bit_length() <= 64:
        keys = [(code << np.uint64(date_bits)) | offset]
    else:
        keys = [offset, code]  # least significant first
    order = None
    for key in keys:
        for shift in range(0, max(int(key.max()).bit_length(), 1), 16):
            digit = ((key >> np.uint64(shift)) & np.uint64(0xFFFF)).astype(np.uint16)
            order = np.argsort(digit, kind="stable") if order is None else order[np.argsort(digit[order], kind="stable")]
    return order


def _empty() -> pd.DataFrame:
    return typed_empty(
        {
            "frequency": "int64",
            "recency": "float64",
            "T": "float64",
            "monetary_value": "float64",
            "days_since_last": "int64",
            "orders": "int64",
            "revenue": "float64",
            "first_purchase": "datetime64[ns]",
            "last_purchase": "datetime64[ns]",
        },
        index=pd.Index([], dtype="string", name="account_id"),
    )


def _quantile_score(x: pd.Series, q: int) -> pd.Series:
    """Score 1..q from the average-rank percentile (ties share a score; larger x = higher score)."""
    n = len(x)
    if n == 0:
        return pd.Series([], index=x.index, dtype="int64")
    pct = x.rank(method="average").to_numpy(dtype="float64") / n
    return pd.Series(np.clip(np.ceil(pct * q - 1e-9), 1, q).astype("int64"), index=x.index)


def rfm_scores(table: pd.DataFrame, q: int = 5) -> pd.DataFrame:
    """R, F, M scores 1..``q`` (``q`` = best), the RFM code and a segment label.

    Scores are quantile scores: ``ceil(q * rank / n)`` with average ranks, so
    tied customers share a score.

    * ``R`` ranks ``-days_since_last`` (most recent = ``q``),
    * ``F`` ranks ``orders`` (most orders = ``q``),
    * ``M`` ranks ``revenue`` (largest total spend = ``q``).

    ``rfm_code`` is the string ``f"{R}{F}{M}"``.  ``segment`` uses R and F
    scaled to ``s = score / q`` (high: ``s >= 0.8``, mid: ``s >= 0.6``):
    ``champions`` (R high, F high), ``loyal`` (R and F at least mid, not
    champions), ``new`` (R high, F below mid), ``needs_attention`` (R mid,
    F below mid), ``at_risk`` (R below mid, F at least mid), ``hibernating``
    (both below mid).  Chinese names: :data:`SEGMENTS_ZH`.

    Parameters
    ----------
    table
        Output of :func:`rfm_table` (needs ``days_since_last, orders, revenue``).
    q
        Number of score levels (5 = quintiles).
    """
    if not isinstance(q, (int, np.integer)) or q < 2:
        raise ValueError(f"q must be an integer >= 2, got {q!r}")
    require_columns(
        table, ("days_since_last", "orders", "revenue"), "table", where="rfm_scores", hint="; pass the output of rfm_table"
    )
    r = _quantile_score(-table["days_since_last"].astype("float64"), q)
    f = _quantile_score(table["orders"].astype("float64"), q)
    m = _quantile_score(table["revenue"].astype("float64"), q)
    rs, fs = r.to_numpy() / q, f.to_numpy() / q
    r_hi, r_mid = rs >= 0.8 - 1e-9, rs >= 0.6 - 1e-9
    f_hi, f_mid = fs >= 0.8 - 1e-9, fs >= 0.6 - 1e-9
    segment = np.select(
        [r_hi & f_hi, r_mid & f_mid, r_hi, r_mid, f_mid],
        ["champions", "loyal", "new", "needs_attention", "at_risk"],
        default="hibernating",
    )
    code = r.astype(str) + f.astype(str) + m.astype(str)
    return pd.DataFrame(
        {
            "R": r,
            "F": f,
            "M": m,
            "rfm_code": code.astype("string"),
            "segment": pd.Series(segment, index=table.index, dtype="string"),
        },
        index=table.index,
    )
