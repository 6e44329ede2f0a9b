"""Revenue trends and simple forecasts (趋势预测) with holdout errors.

KAM example: before the annual account plan, the key-account director wants
next half-year's revenue of each segment.  She lays out monthly revenue
(:func:`revenue_trend`), tries a few simple methods (:func:`forecast_revenue`:
naive, moving average, linear trend, seasonal naive) on the past without its
last six months, and keeps the one with the smallest error on those months
(:func:`holdout_forecast`, :func:`forecast_accuracy`).

Money is in currency units (CU); periods follow ``freq`` (pandas period alias,
``"M"`` = calendar month).  :func:`revenue_trend` accepts a kamsim ``events``
log (order rows are selected) or an external transaction log.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kamsim.analytics._common import check_value, measure
from kamsim.analytics._validation import AMOUNT_COL, CUSTOMER_COL, DATE_COL, fill_doc
from kamsim.analytics.io import as_transactions

#: Forecast methods of :func:`forecast_revenue`.
FORECAST_METHODS: tuple[str, ...] = ("naive", "moving_average", "linear", "seasonal_naive")


@fill_doc
def revenue_trend(
    log: pd.DataFrame,
    freq: str = "M",
    *,
    by: str | None = None,
    accounts: pd.DataFrame | None = None,
    value: str = "amount",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
    amount_col: str = AMOUNT_COL,
) -> pd.Series | pd.DataFrame:
    """Revenue per period: the input of a trend forecast (趋势预测).

    Periods without orders count as 0; the periods run from ``start`` (default:
    the first order) to ``end`` (default: the last order) without holes.

    Parameters
    ----------
    log : DataFrame
        kamsim ``events`` (order rows) or a transaction log.
    freq : str
        Pandas period alias: ``"M"`` month (default), ``"Q"`` quarter, ``"W"`` week.
    by : str, optional
        ``None``: one total; ``"account_id"``: one column per account; any other name: a
        column of ``accounts`` (e.g. ``"industry"``, ``"size_band"``), one column per segment.
    accounts : DataFrame, optional
        Customer file, needed when ``by`` is a column of it.
    value : {"amount", "margin", "orders"}
        Revenue (CU), margin (CU) or number of orders per period.
    start, end : date-like, optional
        First and last period (default: those of the first and last order).
    %(log_columns)s

    Returns
    -------
    Series or DataFrame
        Index ``period`` (DatetimeIndex of period starts).  A Series named ``value`` when
        ``by`` is None, else a DataFrame with one column per account / segment (sorted).
    """
    check_value(value, "revenue_trend")
    t = as_transactions(log, customer_col, date_col, amount_col)
    try:
        period = t["date"].dt.to_period(freq)
    except ValueError as exc:
        raise ValueError(f"revenue_trend: freq {freq!r} is not a pandas period alias ({exc})") from None
    first = pd.Timestamp(start).to_period(freq) if start is not None else period.min()
    last = pd.Timestamp(end).to_period(freq) if end is not None else period.max()
    if pd.isna(first) or pd.isna(last):
        raise ValueError("revenue_trend: the log has no orders and no start/end was given")
    periods = pd.period_range(first, last, freq=freq)
    frame = pd.DataFrame({"period": period, "v": measure(t, value)})
    frame = frame[(frame["period"] >= first) & (frame["period"] <= last)]
    idx = pd.Index(periods.to_timestamp(), name="period")
    if by is None:
        total = frame.groupby("period")["v"].sum()
        total.index = total.index.to_timestamp()
        return total.reindex(idx, fill_value=0.0).astype("float64").rename(value)
    if by == "account_id":
        key = t.loc[frame.index, "account_id"]
    else:
        if accounts is None or by not in accounts.columns or "account_id" not in accounts.columns:
            raise ValueError(f"revenue_trend: by={by!r} needs an accounts table with columns 'account_id' and {by!r}")
        segment = pd.Series(accounts[by].astype("string").to_numpy(), index=accounts["account_id"].astype("string"))
        key = t.loc[frame.index, "account_id"].map(segment)
        if key.isna().any():
            bad = t.loc[frame.index, "account_id"][key.isna()].iloc[0]
            raise ValueError(f"revenue_trend: account {bad!r} of the log is not in the accounts table")
    frame = frame.assign(key=key.astype("string"))
    wide = frame.pivot_table(index="period", columns="key", values="v", aggfunc="sum", fill_value=0.0, observed=True)
    wide.index = wide.index.to_timestamp()
    wide = wide.reindex(idx, fill_value=0.0).fillna(0.0).astype("float64")
    wide = wide.reindex(columns=sorted(wide.columns))
    wide.columns = pd.Index(list(wide.columns), name=by)
    return wide


def _as_series(series: pd.Series | Sequence[float], where: str) -> pd.Series:
    s = series if isinstance(series, pd.Series) else pd.Series(list(series), dtype="float64")
    try:
        s = s.astype("float64")
    except (TypeError, ValueError):
        raise ValueError(f"{where}: series must be numeric, got dtype {s.dtype}") from None
    if s.isna().any():
        pos = int(np.flatnonzero(s.isna().to_numpy())[0])
        raise ValueError(f"{where}: series has a missing value at position {pos}")
    return s


def _future_index(index: pd.Index, horizon: int) -> pd.Index:
    """Index of the ``horizon`` periods after ``index`` (dates if the frequency is known, else positions)."""
    if isinstance(index, pd.DatetimeIndex) and len(index) >= 3:
        freq = index.freq or pd.infer_freq(index)
        if freq is not None:
            return pd.date_range(index[-1], periods=horizon + 1, freq=freq)[1:].rename(index.name)
    if isinstance(index, pd.RangeIndex) or pd.api.types.is_integer_dtype(index):
        start = int(index[-1]) + 1 if len(index) else 0
        return pd.RangeIndex(start, start + horizon, name=index.name)
    return pd.RangeIndex(len(index), len(index) + horizon, name=index.name)


def forecast_revenue(
    series: pd.Series | Sequence[float],
    horizon: int,
    method: str = "linear",
    *,
    window: int | None = None,
    season: int = 12,
) -> pd.Series:
    """Forecast the next ``horizon`` periods of a revenue series.

    Methods (``y_1 .. y_n`` the history, ``h = 1 .. horizon``):

    * ``"naive"`` -- ``y_n`` (the last value) for every future period;
    * ``"moving_average"`` -- the mean of the last ``window`` values (default 3) for every period;
    * ``"linear"`` -- least-squares line through the last ``window`` values (default: all),
      extended: ``a + b (n + h)``;
    * ``"seasonal_naive"`` -- the value one season earlier, ``y_{n + h - season * ceil(h / season)}``.

    Parameters
    ----------
    series : Series or sequence of float
        History in time order (CU per period); no missing values.
    horizon : int
        Number of periods to forecast (>= 1).
    method : str
        One of :data:`FORECAST_METHODS`.
    window : int, optional
        Values used by ``moving_average`` (default 3) and ``linear`` (default all).
    season : int
        Season length in periods for ``seasonal_naive`` (12 for monthly data).

    Returns
    -------
    Series
        Forecasts named ``"forecast"``; the index continues the series (dates if its
        frequency is known, else integer positions).
    """
    s = _as_series(series, "forecast_revenue")
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"forecast_revenue: horizon must be an integer >= 1, got {horizon!r}")
    horizon = int(horizon)
    if method not in FORECAST_METHODS:
        raise ValueError(f"forecast_revenue: method must be one of {list(FORECAST_METHODS)}, got {method!r}")
    y = s.to_numpy()
    n = len(y)
    if window is not None and (int(window) != window or window < 1):
        raise ValueError(f"forecast_revenue: window must be an integer >= 1, got {window!r}")
    if method == "naive":
        need = 1
    elif method == "moving_average":
        window = 3 if window is None else int(window)
        need = window
    elif method == "linear":
        window = n if window is None else int(window)
        need = max(2, window)
    else:
        if int(season) != season or season < 1:
            raise ValueError(f"forecast_revenue: season must be an integer >= 1, got {season!r}")
        need = int(season)
    if n < need:
        raise ValueError(f"forecast_revenue: method {method!r} needs at least {need} values, the series has {n}")
    h = np.arange(1, horizon + 1)
    if method == "naive":
        values = np.full(horizon, y[-1])
    elif method == "moving_average":
        values = np.full(horizon, y[-window:].mean())
    elif method == "linear":
        tail = y[-window:]
        t = np.arange(n - window, n, dtype="float64")
        slope, intercept = np.polyfit(t, tail, 1)
        values = intercept + slope * (n - 1 + h)
    else:
        values = y[n + h - 1 - season * np.ceil(h / season).astype(int)]
    return pd.Series(values.astype("float64"), index=_future_index(s.index, horizon), name="forecast")


def holdout_forecast(
    series: pd.Series | Sequence[float],
    holdout: int,
    method: str = "linear",
    **params,
) -> pd.DataFrame:
    """Back-test a forecast: fit on all but the last ``holdout`` periods, forecast them, compare.

    Parameters
    ----------
    series : Series or sequence of float
        Full history (CU per period).
    holdout : int
        Periods kept aside at the end (>= 1, fewer than the series length).
    method, **params
        Passed to :func:`forecast_revenue` (``window``, ``season``).

    Returns
    -------
    DataFrame
        Index = the holdout periods; columns ``actual``, ``forecast``, ``error`` (forecast - actual)
        and ``abs_error`` (CU per period).  The MAE is ``abs_error.mean()``.
    """
    s = _as_series(series, "holdout_forecast")
    if int(holdout) != holdout or not 1 <= holdout < len(s):
        raise ValueError(f"holdout_forecast: holdout must be an integer in [1, {len(s) - 1}], got {holdout!r}")
    holdout = int(holdout)
    train, test = s.iloc[:-holdout], s.iloc[-holdout:]
    forecast = forecast_revenue(train, holdout, method, **params).to_numpy()
    out = pd.DataFrame({"actual": test.to_numpy(), "forecast": forecast}, index=test.index)
    out["error"] = out["forecast"] - out["actual"]
    out["abs_error"] = out["error"].abs()
    return out


def forecast_accuracy(
    series: pd.Series | Sequence[float],
    holdout: int,
    methods: Sequence[str] = FORECAST_METHODS,
    **params,
) -> pd.DataFrame:
    """Holdout errors of several forecast methods on the same series.

    Returns
    -------
    DataFrame
        Index ``method`` (in the order given); columns ``mae`` (mean absolute error, CU per
        period), ``rmse`` (root mean squared error, CU), ``mape_pct`` (mean absolute percentage
        error over periods with non-zero actuals, %; NaN if none) and ``bias`` (mean error, CU;
        > 0 = over-forecast).
    """
    rows = []
    for method in methods:
        bt = holdout_forecast(series, holdout, method, **params)
        nonzero = bt["actual"] != 0
        mape = float((bt["abs_error"][nonzero] / bt["actual"][nonzero].abs()).mean() * 100) if nonzero.any() else np.nan
        rows.append(
            {
                "method": method,
                "mae": float(bt["abs_error"].mean()),
                "rmse": float(np.sqrt((bt["error"] ** 2).mean())),
                "mape_pct": mape,
                "bias": float(bt["error"].mean()),
            }
        )
    return pd.DataFrame(rows).set_index("method")
