"""Contractual retention: the shifted-beta-geometric (sBG) model of renewals.

KAM example: 1,000 accounts signed an annual service contract in the same
year; 631 renewed after year 1, 468 after year 2, ...  How many will still
be with us in year 10, and what is one more renewal of a loyal account worth?
Raw retention rates rise with tenure (the accounts likely to leave leave
first), so fitting a constant churn rate understates the tail.  The sBG model
(Fader & Hardie 2007, "How to project customer retention", J. Interactive
Marketing 21(1)) lets each account have its own churn probability ``theta ~
Beta(alpha, beta)`` per renewal; see docs/analytics.md.

Time is in **periods** (contract terms, e.g. years); ``t = 1`` is the first
renewal decision.  With ``T`` the period in which an account churns::

    P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta)
    S(t)     = P(T > t) = B(alpha, beta + t) / B(alpha, beta)        (S(0) = 1)
    r(t)     = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1)

Log-likelihood of one cohort observed for ``n`` periods with ``c_t`` churns in
period ``t`` and ``s_n`` accounts still alive: ``sum_t c_t log P(T=t) + s_n log S(n)``.

Discounted expected residual lifetime (Fader & Hardie 2010, "Customer-base
valuation in a contractual setting", eq. 6) of an account that has been a
customer for ``n`` periods (made ``n - 1`` renewals), evaluated just before its
next renewal, at discount rate ``d`` per period::

    DERL(d | n) = sum_{t>=n} S(t)/S(n-1) / (1+d)^(t-n)
                = (beta + n - 1)/(alpha + beta + n - 1) * 2F1(1, beta + n; alpha + beta + n; 1/(1+d))

Its units are periods (multiply by the margin per period for a residual CLV).

:func:`contract_spans` and :func:`contract_survivors` build the input from
kamsim's contract events or an external contract table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, hyp2f1

from kamsim.analytics._validation import CUSTOMER_COL, DATE_COL, HAS_NO, require_columns
from kamsim.analytics._mle import _MLEModel

_PERIOD_MONTHS = {"M": 1, "Q": 3, "Y": 12}


def _check_survivors(survivors, name: str = "survivors") -> np.ndarray:
    s = np.asarray(survivors, dtype="float64")
    if s.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (alive at the start of periods 0, 1, ...)")
    if len(s) < 2:
        raise ValueError(f"{name} needs at least 2 periods (cohort size and alive at the start of period 1)")
    bad = np.flatnonzero(~np.isfinite(s) | (s < 0) | (s != np.round(s)))
    if len(bad):
        raise ValueError(f"{name}: period {int(bad[0])} is {s[bad[0]]}; counts must be whole numbers >= 0")
    if s[0] <= 0:
        raise ValueError(f"{name}: period 0 (the cohort size) must be > 0, got {s[0]:g}")
    up = np.flatnonzero(np.diff(s) > 0)
    if len(up):
        k = int(up[0]) + 1
        raise ValueError(
            f"{name}: period {k} has {s[k]:g} alive but period {k - 1} had {s[k - 1]:g}; survivors must not increase"
        )
    return s


class ShiftedBetaGeometricFitter(_MLEModel):
    """Shifted-beta-geometric (sBG) model of contract renewals (Fader & Hardie 2007).

    Parameters
    ----------
    initial_params
        Starting values ``(alpha, beta)`` of the optimiser (default ``(1, 1)``).

    Attributes
    ----------
    params_ : Series
        Fitted ``alpha, beta`` (churn probability per period ``theta ~ Beta(alpha, beta)``).
    log_likelihood_ : float
        Maximised log-likelihood.
    n_periods_ : int
        Periods observed (the longest cohort).
    cohort_size_ : float
        Accounts at period 0 over all cohorts.
    """

    _param_names = ("alpha", "beta")

    def __init__(self, initial_params: tuple[float, float] | None = None) -> None:
        self.initial_params = initial_params

    def _neg_ll(self, log_params: np.ndarray) -> float:
        a, b = np.exp(np.clip(log_params, -30, 30))
        t = self._t
        ll = self._churn @ (betaln(a + 1, b + t - 1) - betaln(a, b)) + self._alive @ (betaln(a, b + self._end) - betaln(a, b))
        value = -float(ll)
        return value if np.isfinite(value) else 1e300

    def fit(self, survivors=None, *, churned=None, n: float | None = None) -> ShiftedBetaGeometricFitter:
        """Fit by maximum likelihood.

        Parameters
        ----------
        survivors
            Accounts alive at the start of periods ``0, 1, ..., n`` (first = cohort size), a 1-D sequence; or a
            DataFrame with one row per cohort and columns = periods 0, 1, ... (NaN after a cohort's last
            observed period, e.g. the output of :func:`contract_survivors`); cohorts are fitted jointly.
        churned, n
            Instead of ``survivors``: accounts lost in periods ``1, 2, ...`` and the cohort size ``n``.

        Raises
        ------
        ValueError
            On invalid counts (the period is named), or when both or neither input form is given.
        ConvergenceError
            If the optimiser fails.
        """
        if (survivors is None) == (churned is None):
            raise ValueError("ShiftedBetaGeometricFitter.fit: pass either survivors=... or churned=... with n=...")
        if churned is not None:
            if n is None:
                raise ValueError("ShiftedBetaGeometricFitter.fit: churned=... needs the cohort size n=...")
            c = np.asarray(churned, dtype="float64")
            if c.ndim != 1 or len(c) == 0:
                raise ValueError("churned must be a non-empty one-dimensional sequence (losses in periods 1, 2, ...)")
            bad = np.flatnonzero(~np.isfinite(c) | (c < 0))
            if len(bad):
                raise ValueError(f"churned: period {int(bad[0]) + 1} is {c[bad[0]]}; losses must be >= 0")
            s = np.r_[float(n), float(n) - np.cumsum(c)]
            if (s < 0).any():
                k = int(np.flatnonzero(s < 0)[0])
                raise ValueError(f"churned: losses up to period {k} ({n - s[k]:g}) exceed the cohort size n={n:g}")
            cohorts = [_check_survivors(s, "survivors (from churned and n)")]
        elif isinstance(survivors, pd.DataFrame):
            cohorts = []
            for label, row in survivors.iterrows():
                values = row.to_numpy(dtype="float64", na_value=np.nan)
                observed = values[: int(np.argmin(np.r_[np.isfinite(values), False]))]
                if len(observed) >= 2:
                    cohorts.append(_check_survivors(observed, f"survivors of cohort {label}"))
            if not cohorts:
                raise ValueError("ShiftedBetaGeometricFitter.fit: no cohort observed for at least one period")
        else:
            cohorts = [_check_survivors(survivors)]
        n_max = max(len(s) for s in cohorts) - 1
        self._t = np.arange(1, n_max + 1, dtype="float64")
        churn = np.zeros(n_max)
        alive, ends = [], []
        for s in cohorts:
            churn[: len(s) - 1] += -np.diff(s)
            alive.append(s[-1])
            ends.append(len(s) - 1)
        self._churn, self._alive, self._end = churn, np.asarray(alive), np.asarray(ends, dtype="float64")
        self.n_periods_ = n_max
        self.cohort_size_ = float(sum(s[0] for s in cohorts))
        x0 = np.log(np.asarray(self.initial_params if self.initial_params is not None else (1.0, 1.0), dtype=float))
        self._minimise(x0)
        return self

    @staticmethod
    def _periods(t, name: str = "t") -> np.ndarray:
        arr = np.atleast_1d(np.asarray(t, dtype="float64"))
        bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0) | (arr != np.round(arr)))
        if arr.ndim != 1 or len(bad):
            where = f"{arr[bad[0]]}" if len(bad) else "not one-dimensional"
            raise ValueError(f"{name} must be whole numbers of periods >= 0, got {where}")
        return arr

    def survival(self, t) -> pd.Series:
        """``S(t)``: share of a cohort still alive after ``t`` periods (t = 0, 1, ...); Series indexed by ``t``."""
        self._check_fitted("survival")
        a, b = self.params_.to_numpy()
        t = self._periods(t)
        return pd.Series(np.exp(betaln(a, b + t) - betaln(a, b)), index=pd.Index(t.astype("int64"), name="t"), name="survival")

    def retention_rate(self, t) -> pd.Series:
        """``r(t) = S(t) / S(t-1)``: share of the accounts alive at period ``t - 1`` that renew for period ``t`` (t >= 1)."""
        self._check_fitted("retention_rate")
        a, b = self.params_.to_numpy()
        t = self._periods(t)
        if (t < 1).any():
            raise ValueError("retention_rate: t must be >= 1 (the first renewal is at t = 1)")
        return pd.Series((b + t - 1) / (a + b + t - 1), index=pd.Index(t.astype("int64"), name="t"), name="retention_rate")

    def predict(self, t, cohort_size: float | None = None) -> pd.Series:
        """Expected accounts alive at the start of period ``t``: ``cohort_size * S(t)`` (default: the fitted cohort size)."""
        self._check_fitted("predict")
        size = self.cohort_size_ if cohort_size is None else float(cohort_size)
        return (size * self.survival(t)).rename("survivors")

    def expected_lifetime(self) -> float:
        """Mean number of periods an account stays, ``E[T] = sum_{t>=0} S(t) = (alpha + beta - 1) / (alpha - 1)``.

        Periods, counting the first (paid) period; ``inf`` when ``alpha <= 1`` (the heavy tail of loyal accounts
        makes the mean infinite -- use :meth:`discounted_expected_residual_lifetime` or the median instead).
        """
        self._check_fitted("expected_lifetime")
        a, b = self.params_.to_numpy()
        return float((a + b - 1) / (a - 1)) if a > 1 else float("inf")

    def discounted_expected_residual_lifetime(self, d: float, n_periods_survived=1) -> pd.Series:
        """DERL: discounted expected number of future renewals (periods) of an account in its ``n``-th period.

        ``n_periods_survived`` = ``n`` >= 1: periods the account has been a customer (``n - 1`` renewals made);
        evaluated at the end of period ``n``, just before the next renewal, whose payment is undiscounted.
        ``d`` > 0 is the discount rate per period.  Series indexed by ``n_periods_survived``, in periods.
        """
        self._check_fitted("discounted_expected_residual_lifetime")
        if not np.isfinite(d) or d <= 0:
            raise ValueError(f"d (discount rate per period) must be > 0, got {d}")
        n = self._periods(n_periods_survived, "n_periods_survived")
        if (n < 1).any():
            raise ValueError("n_periods_survived must be >= 1 (an account is in its first period at n = 1)")
        a, b = self.params_.to_numpy()
        derl = (b + n - 1) / (a + b + n - 1) * hyp2f1(1.0, b + n, a + b + n, 1.0 / (1.0 + d))
        return pd.Series(derl, index=pd.Index(n.astype("int64"), name="n_periods_survived"), name="derl")


def contract_spans(events: pd.DataFrame, *, customer_col: str = CUSTOMER_COL, date_col: str = DATE_COL) -> pd.DataFrame:
    """First contract spell per account from kamsim's contract events: ``account_id, start, end``.

    ``start`` = the account's first ``contract_signed``; ``end`` = its first ``contract_ended`` after that
    (``NaT`` while the contract is still running; renewals keep it running).  A later re-signing is ignored:
    the sBG model describes the first relationship.  Accounts whose log starts with a renewal (contract
    signed before the log) are left out: their start is unknown.  Pass the result to :func:`contract_survivors`.
    """
    require_columns(events, ("event_type", customer_col, date_col), "events", where="contract_spans", verb=HAS_NO)
    kind = events["event_type"].astype("string")
    ids = events[customer_col].astype("string")
    dates = pd.to_datetime(events[date_col]).astype("datetime64[ns]")
    signed = (kind == "contract_signed").to_numpy(dtype=bool, na_value=False)
    start = dates[signed].groupby(ids[signed]).min()
    ended = (kind == "contract_ended").to_numpy(dtype=bool, na_value=False)
    ends = pd.DataFrame({"id": ids[ended], "end": dates[ended]})
    ends = ends[ends["end"] >= ends["id"].map(start).to_numpy()]  # NaN start (never signed) compares False
    first_end = ends.groupby("id")["end"].min()
    return pd.DataFrame(
        {"account_id": start.index.astype("string"), "start": start.to_numpy(), "end": first_end.reindex(start.index).to_numpy()}
    ).sort_values("account_id", kind="stable").reset_index(drop=True)


def contract_survivors(
    contracts: pd.DataFrame,
    period: str = "Y",
    *,
    cutoff: str | pd.Timestamp | None = None,
    start_col: str = "start",
    end_col: str = "end",
) -> pd.DataFrame:
    """Accounts alive at the start of each period since signing, one row per signing cohort (sBG input).

    Parameters
    ----------
    contracts
        One row per account with ``start`` and ``end`` dates (``end`` NaT/empty while running), e.g. an
        external contract table or :func:`contract_spans` of a kamsim events log.
    period
        Contract period: ``"Y"`` (12 months, annual renewals), ``"Q"`` or ``"M"``.  Cohorts are the
        calendar periods of ``start``.
    cutoff
        End of observation (default: the latest start or end date).

    Returns
    -------
    DataFrame
        Index ``cohort`` (period start), columns ``0, 1, ...`` (periods since signing): accounts whose
        contract has lasted at least that many periods.  A cell is NaN unless every account of the cohort
        was observed that long (``start + k periods <= cutoff``).  Pass it to
        :meth:`ShiftedBetaGeometricFitter.fit`.
    """
    if period not in _PERIOD_MONTHS:
        raise ValueError(f"period must be 'Y', 'Q' or 'M', got {period!r}")
    require_columns(contracts, (start_col, end_col), "contracts", where="contract_survivors", verb=HAS_NO)
    start = pd.to_datetime(contracts[start_col]).astype("datetime64[ns]").reset_index(drop=True)
    end = pd.to_datetime(contracts[end_col]).astype("datetime64[ns]").reset_index(drop=True)
    if start.isna().any():
        raise ValueError(f"contracts: row {int(np.flatnonzero(start.isna().to_numpy())[0])} has no {start_col} date")
    before = np.flatnonzero((end < start).to_numpy(dtype=bool, na_value=False))
    if len(before):
        raise ValueError(f"contracts: row {int(before[0])} ends ({end[before[0]].date()}) before it starts")
    cut = pd.concat([start, end]).max() if cutoff is None else pd.Timestamp(cutoff)
    months = _PERIOD_MONTHS[period]
    freq = {"Y": "Y", "Q": "Q", "M": "M"}[period]
    cohort = start.dt.to_period(freq).dt.start_time
    rows = {}
    for label, idx in start.groupby(cohort).groups.items():
        s, e, counts = start[idx], end[idx], []
        k = 0
        while s.max() + pd.DateOffset(months=k * months) <= cut:
            due = s + pd.DateOffset(months=k * months)
            counts.append(int((e.isna() | (e >= due)).sum()) if k else len(s))
            k += 1
        rows[label] = counts
    width = max((len(c) for c in rows.values()), default=0)
    table = pd.DataFrame(
        [c + [np.nan] * (width - len(c)) for c in rows.values()], index=pd.Index(list(rows), name="cohort"),
        columns=pd.RangeIndex(width, name="period"), dtype="float64",
    )
    return table.sort_index()
