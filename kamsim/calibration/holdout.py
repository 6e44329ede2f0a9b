"""Is the twin right?  Calibrate before ``as_of``, simulate to ``until``, compare with what happened.

KAM example: before a strategist trusts the twin of her 2,000 distributors with a
retention budget, she calibrates it on last year's orders up to 30 September and
lets it forecast October to June -- months whose orders she already has.  If the
twin forecasts them as well as the standard buy-till-you-die model (BG/NBD), its
policy comparisons rest on a model that has earned some trust.

:func:`holdout_check` does exactly that: ``replications`` runs of the status quo
from ``as_of`` to ``until`` (common seeds, any executor), counting each account's
*purchase days* (several orders of one account on one day are one purchase, as in
Fader & Hardie's CDNOW studies).  Beside the twin it reports BG/NBD's conditional
forecast fitted on the same history (weeks) and the closed-form Pareto/NBD
expectation that the twin simulates, so the simulation can be checked against it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kamsim.analytics import BetaGeoFitter, ParetoNBDFitter, read_transactions, rfm_table
from kamsim.calibration.fit import READ_OPTIONS, calibrate, parse_day
from kamsim.calibration.tables import month_index
from kamsim.engine import simulate
from kamsim.experiment.executors import ExecutorLike, run_tasks
from kamsim.experiment.inputs import check_replications
from kamsim.experiment.runner import replication_seed
from kamsim.portfolio import Portfolio
from kamsim.scenario import Scenario
from kamsim.vocabulary import DAYS_PER_MONTH

#: Forecasts compared, in the order of :meth:`HoldoutCheck.errors`.
FORECASTS: tuple[str, ...] = ("twin", "bgnbd", "pareto_nbd")


@dataclass
class HoldoutCheck:
    """A twin's forecast of a holdout period beside what happened and beside BG/NBD.

    Attributes
    ----------
    customers : DataFrame
        Index ``account_id``; ``actual`` (purchase days in the holdout), ``twin`` (mean over
        replications), ``twin_median``, ``twin_low`` / ``twin_high`` (the ``level`` interval),
        ``bgnbd`` (BG/NBD conditional expectation), ``pareto_nbd`` (closed form of the twin's model),
        ``p_active``.
    tracking : DataFrame
        One row per week since the log's first date: ``week``, ``end`` (first day after the
        week), cumulative repeat purchases ``actual``, ``twin`` (mean), ``twin_low``,
        ``twin_high``, ``bgnbd``; weeks up to ``as_of`` hold the observed history in every column.
    totals : Series
        The twin's holdout purchases of every replication (index ``replication``), for Monte Carlo errors.
    """

    customers: pd.DataFrame
    tracking: pd.DataFrame
    as_of: pd.Timestamp
    until: pd.Timestamp
    replications: int
    level: float
    totals: pd.Series
    portfolio: Portfolio = field(repr=False)
    scenario: Scenario = field(repr=False)

    def errors(self) -> pd.DataFrame:
        """Accuracy of each forecast: total predicted vs actual purchases and per-customer mean absolute error.

        Returns
        -------
        DataFrame
            Index ``forecast`` (:data:`FORECASTS`); columns ``predicted``, ``actual``,
            ``aggregate_error`` (predicted - actual), ``aggregate_error_pct``, ``mae``.
        """
        actual = self.customers["actual"].to_numpy(dtype="float64")
        rows = {}
        for name in FORECASTS:
            pred = self.customers[name].to_numpy(dtype="float64")
            total = float(pred.sum())
            rows[name] = {
                "predicted": total,
                "actual": float(actual.sum()),
                "aggregate_error": total - float(actual.sum()),
                "aggregate_error_pct": 100.0 * (total - actual.sum()) / max(float(actual.sum()), 1e-12),
                "mae": float(np.abs(pred - actual).mean()),
            }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("forecast")

    def plot(self, ax: Any = None, labels: Mapping[str, str] | None = None) -> Any:
        """The tracking plot: weekly cumulative repeat purchases, actual vs twin (with band) vs BG/NBD."""
        from kamsim.calibration.plots import plot_tracking

        return plot_tracking(self, ax=ax, labels=labels)


def holdout_check(
    log: pd.DataFrame | str | os.PathLike[str],
    as_of: str | pd.Timestamp,
    until: str | pd.Timestamp,
    *,
    replications: int = 100,
    seed: int = 0,
    policy: str = "status_quo",
    level: float = 0.9,
    executor: ExecutorLike = None,
    progress: bool = False,
    customer_col: str = "account_id",
    date_col: str = "date",
    amount_col: str = "amount",
    read_options: Mapping[str, Any] | None = None,
    **calibrate_options: Any,
) -> HoldoutCheck:
    """Calibrate on the log before ``as_of``, simulate to ``until`` and compare with the log.

    Parameters
    ----------
    log
        Transaction log with orders before and after ``as_of`` (CSV file or DataFrame).
    as_of, until
        First day of the holdout and its last day (inclusive).
    replications, seed, executor, progress
        Simulation runs of the twin: replication r uses ``replication_seed(seed, r)``;
        ``executor`` as for :func:`kamsim.compare` (results do not depend on it).
    policy
        Policy bundle simulated (default the status quo, the policy under which the log was made).
    level
        Central probability of the ``twin_low`` .. ``twin_high`` interval (0-1).
    customer_col, date_col, amount_col, read_options
        How to read ``log`` (see :func:`kamsim.calibrate`).
    **calibrate_options
        Passed to :func:`kamsim.calibrate` (``margin_rate``, ``scenario_changes``, ...).

    Raises
    ------
    ValueError
        If ``until`` is not after ``as_of``, ``level`` is outside (0, 1), or as :func:`kamsim.calibrate`.
    """
    replications = check_replications(replications)
    if not 0.0 < float(level) < 1.0:
        raise ValueError(f"level: {level!r} is outside (0, 1)")
    options = {k: v for k, v in dict(read_options or {}).items() if k in READ_OPTIONS}
    canonical = read_transactions(log, customer_col, date_col, amount_col, **options)
    portfolio, scenario = calibrate(canonical, as_of, **calibrate_options)
    start = pd.Timestamp(portfolio.meta["as_of"])
    end = _until(until, start)
    months = int(month_index(pd.Series([end]), start)[0]) + 1
    ids = portfolio.accounts["account_id"].astype("object").to_numpy()
    origin = canonical["date"].min().normalize()
    n_weeks = int(np.ceil(((end - origin).days + 1) / 7.0))
    tasks = [_Task(portfolio, scenario, policy, replication_seed(seed, r), months, origin, end, n_weeks) for r in range(replications)]
    runs = run_tasks(_simulate_holdout, tasks, executor, progress, desc="twin replications")
    counts = np.stack([_align(run[0], ids) for run in runs])  # (replications, accounts)
    weekly = np.stack([run[1] for run in runs])  # (replications, weeks)

    days = canonical.assign(day=canonical["date"].dt.normalize()).drop_duplicates(["account_id", "day"])
    cohort = days[days["account_id"].isin(pd.Index(ids))]
    holdout = cohort[(cohort["day"] >= start) & (cohort["day"] <= end)]
    actual = holdout.groupby(holdout["account_id"].astype("object")).size().reindex(ids, fill_value=0)
    weeks_rfm = rfm_table(canonical[canonical["date"] < start], cutoff=start - pd.Timedelta(days=1), freq="D/7")
    weeks_rfm = weeks_rfm.reindex(pd.Index(ids, dtype="string"))
    horizon = ((end - start).days + 1) / 7.0
    bg = BetaGeoFitter().fit(weeks_rfm["frequency"], weeks_rfm["recency"], weeks_rfm["T"])
    x, tx, big_t = (weeks_rfm[c].to_numpy(dtype="float64") for c in ("frequency", "recency", "T"))
    months_rfm = (x, tx * 7.0 / DAYS_PER_MONTH, big_t * 7.0 / DAYS_PER_MONTH)
    pnbd = ParetoNBDFitter().fit(*months_rfm)
    tail = (1.0 - level) / 2.0
    customers = pd.DataFrame(
        {
            "actual": actual.to_numpy(dtype="int64"),
            "twin": counts.mean(axis=0),
            "twin_median": np.median(counts, axis=0),
            "twin_low": np.quantile(counts, tail, axis=0),
            "twin_high": np.quantile(counts, 1.0 - tail, axis=0),
            "bgnbd": bg.predict(horizon, x, tx, big_t),
            "pareto_nbd": pnbd.predict(horizon * 7.0 / DAYS_PER_MONTH, *months_rfm),
            "p_active": portfolio.accounts["p_active"].to_numpy(),
        },
        index=pd.Index(ids, name="account_id"),
    )
    tracking = _tracking(cohort, origin, start, end, n_weeks, weekly, bg, (x, tx, big_t), tail)
    totals = pd.Series(counts.sum(axis=1), index=pd.RangeIndex(replications, name="replication"), name="purchases")
    return HoldoutCheck(customers, tracking, start, end, replications, float(level), totals, portfolio, scenario)


def _until(value: object, start: pd.Timestamp) -> pd.Timestamp:
    end = parse_day(value, "until")
    if end < start:
        raise ValueError(f"until: {end.date().isoformat()} is before as_of {start.date().isoformat()}")
    return end


@dataclass(frozen=True)
class _Task:
    portfolio: Portfolio
    scenario: Scenario
    policy: str
    seed: int
    months: int
    origin: pd.Timestamp
    end: pd.Timestamp
    n_weeks: int


def _simulate_holdout(task: _Task) -> tuple[pd.Series, np.ndarray]:
    """One replication: orders per account up to ``end``, and per week since ``origin``."""
    result = simulate(task.scenario, task.portfolio, task.policy, seed=task.seed, months=task.months)
    ev = result.events
    orders = ev.loc[(ev["event_type"] == "order").to_numpy(dtype=bool) & (ev["date"] <= task.end).to_numpy()]
    # every simulated order is one purchase occasion (the model was fitted on purchase days)
    per_account = orders.groupby(orders["account_id"].astype("object")).size()
    week = ((orders["date"] - task.origin).dt.days // 7).to_numpy(dtype=np.int64)
    return per_account, np.bincount(week, minlength=task.n_weeks)[: task.n_weeks]


def _align(counts: pd.Series, ids: np.ndarray) -> np.ndarray:
    return counts.reindex(ids, fill_value=0).to_numpy(dtype="int64")


def _tracking(
    cohort: pd.DataFrame,
    origin: pd.Timestamp,
    start: pd.Timestamp,
    end: pd.Timestamp,
    n_weeks: int,
    weekly: np.ndarray,
    bg: BetaGeoFitter,
    frt: tuple[np.ndarray, np.ndarray, np.ndarray],
    tail: float,
) -> pd.DataFrame:
    """Cumulative repeat purchase days per week: actual, twin (mean and band), BG/NBD."""
    first = cohort.groupby("account_id")["day"].transform("min")
    repeats = cohort[(cohort["day"] > first) & (cohort["day"] <= end)]
    week_of = ((repeats["day"] - origin).dt.days // 7).to_numpy(dtype=np.int64)
    actual = np.cumsum(np.bincount(week_of, minlength=n_weeks)[:n_weeks])
    ends = origin + pd.to_timedelta(7 * np.arange(1, n_weeks + 1), unit="D")
    before = repeats["day"] < start
    history = np.cumsum(np.bincount(week_of[before.to_numpy()], minlength=n_weeks)[:n_weeks])
    observed = float(before.sum())
    in_holdout = np.asarray(ends > start)
    twin_cum = observed + np.cumsum(weekly, axis=1)
    twin = np.where(in_holdout, twin_cum.mean(axis=0), history)
    low = np.where(in_holdout, np.quantile(twin_cum, tail, axis=0), history)
    high = np.where(in_holdout, np.quantile(twin_cum, 1.0 - tail, axis=0), history)
    # BG/NBD horizon of each week: days from the calibration cutoff (the day before as_of) to the week's last day
    week_end_day = np.minimum(7 * np.arange(1, n_weeks + 1), (end - origin).days + 1) - 1
    horizon = np.clip(week_end_day - ((start - origin).days - 1), 0, None) / 7.0
    x, tx, big_t = frt
    bgnbd = np.array([observed + float(bg.predict(h, x, tx, big_t).sum()) if h > 0 else np.nan for h in horizon])
    bgnbd = np.where(in_holdout, bgnbd, history)
    return pd.DataFrame(
        {
            "week": np.arange(1, n_weeks + 1),
            "end": ends,
            "actual": actual,
            "twin": twin,
            "twin_low": low,
            "twin_high": high,
            "bgnbd": bgnbd,
        }
    )
