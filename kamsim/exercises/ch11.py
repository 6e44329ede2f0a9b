"""Checks of chapter 11 (your own data): a transaction log, its calibrated twin, the holdout check, a policy on it.

The chapter calibrates a twin of the public CDNOW sample; the exercises repeat the
workflow on the order log of the ``small`` portfolio (``portfolio.transactions``:
one row per order, customer ``account_id``), the export a company's CRM would give.
In a graded pack that portfolio is the student's own, so every answer is personal
and none can be read off the chapter.  The holdout period is the last
:data:`HOLDOUT_MONTHS` months of the history (:func:`as_of` to :func:`until`), the
calibration period every order before it.  11.3 reruns a seeded holdout
check (20 replications, a few seconds), 11.4 a seeded comparison of value x risk
retention with the status quo on the twin (5 replications x 12 months) with the
retention effect halved: the log cannot identify that effect, so the exercise
asks for the part of the result that depends on it, the extra gross margin.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from kamsim.exercises.compare import integer, number
from kamsim.exercises.core import exercise
from kamsim.exercises.data import policy_table, portfolio

#: Dataset whose order log the chapter 11 exercises calibrate (``kamsim.datasets.load(DATASET)``).
DATASET = "small"

#: Length of the holdout period: the last this many months of the history (the calibration period is before).
HOLDOUT_MONTHS = 12

#: Exercise 11.3: replications and seed of the holdout check.
REPLICATIONS_11_3 = 20
SEED_11_3 = 11

#: Exercise 11.4: policies, replications, seed, horizon and the halved retention effect of the comparison.
POLICIES_11_4 = ["status_quo", "value_risk"]
REPLICATIONS_11_4 = 5
SEED_11_4 = 11
MONTHS_11_4 = 12
MAX_REDUCTION_11_4 = 0.25


def order_log(p=None) -> pd.DataFrame:
    """The order export of a portfolio (default: the exercises' dataset): ``account_id, date, amount`` (CU)."""
    p = portfolio(DATASET) if p is None else p
    return p.transactions[["account_id", "date", "amount"]]


def as_of(p=None) -> pd.Timestamp:
    """First day of the holdout period: :data:`HOLDOUT_MONTHS` months before the portfolio date."""
    p = portfolio(DATASET) if p is None else p
    return pd.Timestamp(p.meta["as_of"]) - pd.DateOffset(months=HOLDOUT_MONTHS)


def until(p=None) -> pd.Timestamp:
    """Last day of the holdout period: the day before the portfolio date (the log's last day)."""
    p = portfolio(DATASET) if p is None else p
    return pd.Timestamp(p.meta["as_of"]) - pd.Timedelta(days=1)


def _repeat_days(log: pd.DataFrame) -> int:
    """Purchase days minus each customer's first one: the repeat purchases of a log."""
    days = log.assign(day=log["date"].dt.normalize()).drop_duplicates(["account_id", "day"])
    return int(len(days) - days["account_id"].nunique())


def _history(inclusive: bool = False) -> pd.DataFrame:
    log = order_log()
    keep = log["date"] <= as_of() if inclusive else log["date"] < as_of()
    return log[keep]


@lru_cache(maxsize=1)
def _twin():
    """The twin of the exercises: ``kamsim.calibrate`` on the order log before :func:`as_of`."""
    from kamsim.calibration import calibrate

    return calibrate(order_log(), as_of=as_of())


def _purchase_params() -> dict[str, float]:
    return dict(_twin()[0].meta["calibration"]["purchase_params"])


@lru_cache(maxsize=1)
def _holdout():
    from kamsim.calibration import holdout_check

    return holdout_check(order_log(), as_of(), until(), replications=REPLICATIONS_11_3, seed=SEED_11_3)


@lru_cache(maxsize=2)
def _paired(max_reduction: float | None) -> pd.DataFrame:
    """Paired differences vs status_quo on the twin (index policy, columns kpi); ``None``: kamsim's default effect."""
    from kamsim.experiment import compare

    twin, scenario = _twin()
    if max_reduction is not None:
        scenario = scenario.updated({"retention.max_reduction": max_reduction})
    comparison = compare(
        scenario, POLICIES_11_4, twin, replications=REPLICATIONS_11_4, months=MONTHS_11_4, seed=SEED_11_4,
        progress=False,
    )
    return policy_table(comparison.paired(), "diff_mean")


# ----------------------------------------------------------------------------------------------- 11.1
@exercise(
    "11.1",
    title="Repeat purchases in the calibration period",
    hint="keep the orders with date < AS_OF; a purchase day is one (account_id, day) pair "
    "(log['date'].dt.normalize(), then drop_duplicates); the repeat purchases are the purchase days minus one "
    "first day per customer (rfm_table(history, freq='D')['frequency'].sum() gives the same).",
    compare=integer(),
    mistakes=lambda expected: _mistakes_11_1(),
)
def repeat_purchases() -> int:
    """Repeat purchase days of the ``small`` order log before :func:`as_of`."""
    return _repeat_days(_history())


def _mistakes_11_1() -> dict[str, int]:
    history, log = _history(), order_log()
    days = history.assign(day=history["date"].dt.normalize()).drop_duplicates(["account_id", "day"])
    customers = int(days["account_id"].nunique())
    return {
        "that counts every purchase day, each customer's first one included; a repeat purchase is a purchase day "
        "after the customer's first.": len(days),
        "that counts orders, not purchase days: several orders of one account on one day are one purchase "
        "(drop duplicate (account_id, day) pairs).": len(history) - customers,
        "that is the number of orders (rows) before AS_OF; count purchase days, then subtract each customer's "
        "first one.": len(history),
        "that uses the whole log; the calibration period is the orders before AS_OF.": _repeat_days(log),
        "that counts the dates on which anybody ordered; a purchase day belongs to one customer: count "
        "(account_id, day) pairs.": int(history["date"].dt.normalize().nunique()),
        "that includes orders on AS_OF itself; the calibration period ends the day before.": _repeat_days(
            _history(inclusive=True)
        ),
        "that is the number of customers who bought before AS_OF, not the number of repeat purchases.": customers,
    }


# ----------------------------------------------------------------------------------------------- 11.2
@exercise(
    "11.2",
    title="Mean purchase rate of the calibrated twin",
    hint="params = twin.meta['calibration']['purchase_params'] holds r, alpha, s, beta (time in months); "
    "the purchase rate across customers is Gamma(r, alpha) with mean r / alpha purchases per month.",
    compare=number(),
    mistakes=lambda expected: _mistakes_11_2(),
)
def mean_purchase_rate() -> float:
    """r / alpha of the Pareto/NBD fitted by ``calibrate`` on ``small``'s calibration period (purchases per month)."""
    params = _purchase_params()
    return float(params["r"] / params["alpha"])


def _mistakes_11_2() -> dict[str, float]:
    params = _purchase_params()
    accounts = _twin()[0].accounts
    r, alpha, s, beta = (float(params[k]) for k in ("r", "alpha", "s", "beta"))
    return {
        "that is alpha / r, the mean time between purchases in months; the rate is r / alpha.": alpha / r,
        "that is r alone, the shape of the Gamma distribution; divide it by alpha.": r,
        "that is s / beta, the mean dropout rate; the purchase rate is r / alpha.": s / beta,
        "that averages each account's own posterior rate (order_rate_shape / order_rate_exposure, after its "
        "purchases); the task asks for the population mean r / alpha of the fitted model.": float(
            (accounts["order_rate_shape"] / accounts["order_rate_exposure"]).mean()
        ),
        "that is per week; the fitted parameters are in months.": r / alpha * 7.0 / 30.4375,
    }


# ----------------------------------------------------------------------------------------------- 11.3
@exercise(
    "11.3",
    title="The twin's per-customer error on the holdout period",
    hint="check.errors() has one row per forecast (twin, bgnbd, pareto_nbd); read the column 'mae' of the row "
    "'twin' (mean absolute error, purchases per customer).",
    compare=number(),
    mistakes=lambda expected: _mistakes_11_3(),
)
def twin_mae() -> float:
    """Per-customer mean absolute error of the twin's holdout forecast (purchase days per customer)."""
    return float(_holdout().errors().loc["twin", "mae"])


def _mistakes_11_3() -> dict[str, float]:
    errors = _holdout().errors()
    customers = _holdout().customers
    return {
        "that is BG/NBD's error; the task asks for the twin's (row 'twin').": float(errors.loc["bgnbd", "mae"]),
        "that is the closed-form Pareto/NBD's error; the task asks for the simulated twin's (row 'twin').": float(
            errors.loc["pareto_nbd", "mae"]
        ),
        "that is the aggregate error (all purchases predicted minus actual); the task asks for the per-customer "
        "mean absolute error (column 'mae').": float(errors.loc["twin", "aggregate_error"]),
        "that is the aggregate error in percent; the task asks for the column 'mae'.": float(
            errors.loc["twin", "aggregate_error_pct"]
        ),
        "that is the mean error with its sign, where over- and under-forecasts cancel; the mean *absolute* error "
        "averages their sizes.": float((customers["twin"] - customers["actual"]).mean()),
    }


# ----------------------------------------------------------------------------------------------- 11.4
@exercise(
    "11.4",
    title="Extra margin of value x risk retention on the twin, with half the retention effect",
    hint="halved = scenario.updated({'retention.max_reduction': 0.25}); compare status_quo and value_risk on the "
    "twin (replications=5, months=12, seed=11); in comparison.paired() read diff_mean of the row "
    "policy == 'value_risk', kpi == 'margin' (CU).",
    compare=number(),
    mistakes=lambda expected: _mistakes_11_4(expected),
)
def halved_retention_margin() -> float:
    """Mean paired gross-margin difference (CU, 12 months) of value_risk vs status_quo with max_reduction 0.25."""
    return float(_paired(MAX_REDUCTION_11_4).loc["value_risk", "margin"])


def _mistakes_11_4(expected: float) -> dict[str, float]:
    halved = _paired(MAX_REDUCTION_11_4)
    return {
        "that is the result with kamsim's default retention effect; set retention.max_reduction to 0.25 "
        "with scenario.updated(...) first.": float(_paired(None).loc["value_risk", "margin"]),
        "that is the difference in net margin, after the cost of the retention hours; the task asks for the "
        "extra gross margin (kpi 'margin').": float(halved.loc["value_risk", "net_margin"]),
        "that is the extra retention cost; read the margin row.": float(halved.loc["value_risk", "retention_cost"]),
        "that is the difference in revenue; the task asks for gross margin (kpi 'margin').": float(
            halved.loc["value_risk", "revenue"]
        ),
        "status_quo is the baseline: its paired difference is 0 by definition; read the value_risk row.": 0.0,
        "that is the difference in thousand CU; give it in CU.": expected / 1e3,
        "that is status_quo minus value_risk; a paired difference is the policy minus the baseline.": -expected,
    }


__all__ = ["DATASET", "HOLDOUT_MONTHS", "POLICIES_11_4", "as_of", "order_log", "until"]
