"""rfm_table against a straightforward pandas groupby on random logs (issue 16: the fast path changes no value)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kamsim.analytics import rfm_table
from kamsim.analytics.rfm import _customer_date_order

#: freq of rfm_table -> (pandas period code, divisor of recency and T).
PERIODS = {"D": ("D", 1.0), "D/7": ("D", 7.0), "W": ("W-SUN", 1.0), "M": ("M", 1.0)}

IDS = ["A1", " A1", "A2 ", "B", "b", "é", "Z9", "10", "9", "客户1"]


def pandas_rfm(log: pd.DataFrame, cutoff: pd.Timestamp, freq: str) -> pd.DataFrame:
    """The RFM table by the book: pandas periods, one groupby per customer and per (customer, period)."""
    code, scale = PERIODS[freq]
    t = log.assign(account_id=log["account_id"].astype("string").str.strip())
    t = t[t["date"] <= cutoff]
    t = t.assign(period=pd.PeriodIndex(t["date"], freq=code).asi8)
    cells = t.groupby(["account_id", "period"], sort=True)["amount"].sum().reset_index()
    by_cell = cells.groupby("account_id", sort=True)
    rows = t.groupby("account_id", sort=True)
    frequency = by_cell.size() - 1
    first, last = by_cell["period"].min(), by_cell["period"].max()
    revenue = rows["amount"].sum()
    repeat = revenue - by_cell["amount"].first()  # the first period's amount is not a repeat purchase
    out = pd.DataFrame(
        {
            "frequency": frequency.astype("int64"),
            "recency": (last - first).astype("float64") / scale,
            "T": (pd.Period(cutoff, freq=code).ordinal - first).astype("float64") / scale,
            "monetary_value": (repeat / frequency.clip(lower=1)).where(frequency > 0, 0.0),
            "days_since_last": (cutoff.normalize() - rows["date"].max().dt.normalize()).dt.days.astype("int64"),
            "orders": rows.size().astype("int64"),
            "revenue": revenue,
            "first_purchase": rows["date"].min(),
            "last_purchase": rows["date"].max(),
        }
    )
    out.index = pd.Index(out.index, dtype="string", name="account_id")
    return out


@st.composite
def logs(draw):
    n = draw(st.integers(min_value=1, max_value=60))
    ids = draw(st.lists(st.sampled_from(IDS), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(min_value=-800, max_value=800), min_size=n, max_size=n))
    with_time = draw(st.booleans())
    seconds = draw(st.lists(st.integers(min_value=0, max_value=86_399), min_size=n, max_size=n)) if with_time else [0] * n
    amounts = draw(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=n, max_size=n))
    dates = pd.Timestamp("1970-01-01") + pd.to_timedelta(days, unit="D") + pd.to_timedelta(seconds, unit="s")
    dtype = draw(st.sampled_from(["string", object]))
    return pd.DataFrame({"account_id": pd.Series(ids, dtype=dtype), "date": dates.astype("datetime64[ns]"), "amount": amounts})


@settings(max_examples=150, deadline=None)
@given(logs(), st.sampled_from(list(PERIODS)), st.one_of(st.none(), st.integers(min_value=-800, max_value=800)))
def test_rfm_table_equals_a_plain_pandas_groupby(log, freq, cutoff_day):
    cutoff = None if cutoff_day is None else pd.Timestamp("1970-01-01") + pd.Timedelta(days=cutoff_day, hours=12)
    table = rfm_table(log, cutoff=cutoff, freq=freq)
    expected = pandas_rfm(log, log["date"].max() if cutoff is None else cutoff, freq)
    assert table.attrs == {"freq": freq, "periods_per_month": {"D": 30.4375, "W": 30.4375 / 7, "D/7": 30.4375 / 7, "M": 1.0}[freq]}
    assert list(table.columns) == list(expected.columns) and table.index.name == "account_id"
    assert table.index.dtype == "string" and table.index.tolist() == expected.index.tolist()
    if len(expected) == 0:
        assert len(table) == 0
        return
    assert table.dtypes.to_dict() == expected.dtypes.to_dict()
    for column in ("frequency", "days_since_last", "orders", "first_purchase", "last_purchase"):
        assert (table[column].to_numpy() == expected[column].to_numpy()).all(), column
    scale = max(1.0, float(expected["revenue"].max()))  # sums in another order: equal to 1e-12 of the amounts
    for column in ("recency", "T", "monetary_value", "revenue"):
        np.testing.assert_allclose(table[column], expected[column], rtol=1e-12, atol=1e-12 * scale, err_msg=column)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.integers(0, 3), st.integers(0, 2**40)),  # ties of customers, and wide codes
            st.one_of(st.integers(0, 3).map(lambda d: d * 86_400_000_000_000), st.integers(-(2**62), 2**62)),
        ),
        min_size=1,
        max_size=50,
    ),
    st.sampled_from([1, 86_400_000_000_000]),
)
def test_customer_date_order_is_lexsort(rows, unit):
    # Codes up to 2^40 and dates over (almost) the whole ns range exercise the split key; days the packed one.
    codes = np.array([c for c, _ in rows], dtype=np.intp)
    ns = np.array([d for _, d in rows], dtype=np.int64) // unit * unit
    dates = ns.view("datetime64[ns]")
    assert _customer_date_order(codes, dates).tolist() == np.lexsort((dates, codes)).tolist()
