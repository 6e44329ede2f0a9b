"""``calibrate``: a simulation twin (Portfolio + Scenario) from a transaction log.

KAM example: a strategist exports two years of orders from the CRM (customer,
date, amount) and asks "what would a retention programme do for *these*
accounts?".  :func:`calibrate` makes one account per customer, keeps its orders
as the warm-start history, and estimates how often each account orders, how
likely it is still buying, how long it will stay and what an order is worth --
so :func:`kamsim.simulate`, :func:`kamsim.compare` and the CLI run on the twin
unchanged.

The mapping (docs/calibration.md has the full table):

* purchases and dropout: a Pareto/NBD model fitted by maximum likelihood on the
  purchase *days* before ``as_of`` (time in months); each account gets its posterior:
  ``p_active`` (P(alive)), ``order_rate_shape / order_rate_exposure`` = r + x, alpha + T
  and ``dropout_shape / dropout_exposure`` = s, beta + T -- the engine draws the account's
  rates from them in every run (:mod:`kamsim.engine.calibrated`);
* spend: Gamma-Gamma on the repeat purchase days' mean value gives each account's
  expected order value (CU); the log-normal spread of single orders around it is the
  pooled within-customer standard deviation of log order values;
* products and margin: from the log's product and margin columns when given, else one
  product "all products" at 1 CU a unit and an assumed margin rate;
* what a log cannot identify (:data:`UNIDENTIFIED`): how satisfaction, contact,
  complaints, contracts and customer traits move the hazard -- switched off, so the
  status quo reproduces the fitted model -- and how effective retention effort is
  (kamsim's default, an assumption to override with ``scenario_changes``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from kamsim.analytics import GammaGammaFitter, ParetoNBDFitter, read_transactions, rfm_table
from kamsim.analytics import ConvergenceError
from kamsim.calibration.extras import complaint_rows, contract_rows
from kamsim.calibration.tables import build_portfolio
from kamsim.portfolio import Portfolio
from kamsim.scenario import Scenario
from kamsim.vocabulary import CUSTOMER_STAGES, DAYS_PER_MONTH

#: Fewest customers with a purchase before ``as_of`` that calibrate accepts.
MIN_CUSTOMERS: int = 10

#: Fewest repeat customers for the Gamma-Gamma spend model (below: each account's own mean order value).
MIN_SPEND_CUSTOMERS: int = 10

#: Scenario fields a transaction log cannot identify, set so that the status quo follows the fitted model.
#: Override any of them with ``calibrate(..., scenario_changes={...})``.
UNIDENTIFIED: dict[str, Any] = {
    "lifecycle.acquisition_prob": 0.0,
    "lifecycle.progress_prob": {s: 0.0 for s in CUSTOMER_STAGES},
    "lifecycle.decline_prob": {s: 0.0 for s in CUSTOMER_STAGES},
    "lifecycle.recover_prob": 0.0,
    "lifecycle.winback_prob": 0.0,
    "lifecycle.satisfaction_effect": 0.0,
    "lifecycle.credit_risk_effect": 0.0,
    "lifecycle.price_sensitivity_effect": 0.0,
    "lifecycle.cooperativeness_effect": 0.0,
    "lifecycle.contact_effect": 0.0,
    "lifecycle.open_complaint_effect": 0.0,
    "lifecycle.no_contract_multiplier": 1.0,
    "orders.satisfaction_effect": 0.0,
    "orders.base_discount": 0.0,
    "orders.price_sensitivity_discount": 0.0,
    "complaints.base_rate": 0.0,
}

#: Options of :func:`kamsim.analytics.read_transactions` that calibrate passes on.
READ_OPTIONS: tuple[str, ...] = ("date_format", "dayfirst", "decimal", "thousands", "tz", "encoding")


def calibrate(
    log: pd.DataFrame | str | os.PathLike[str],
    as_of: str | pd.Timestamp,
    *,
    customer_col: str = "account_id",
    date_col: str = "date",
    amount_col: str = "amount",
    margin_col: str | None = None,
    product_col: str | None = None,
    contracts: pd.DataFrame | None = None,
    complaints: pd.DataFrame | None = None,
    margin_rate: float = 0.3,
    accounts_per_manager: int = 100,
    months: int = 12,
    scenario_changes: Mapping[str, Any] | None = None,
    read_options: Mapping[str, Any] | None = None,
) -> tuple[Portfolio, Scenario]:
    """A simulation twin of the customers in a transaction log.

    Parameters
    ----------
    log
        Transaction log: a CSV file or a DataFrame with one row per order (customer,
        date, amount >= 0 CU; optional margin CU and product).
    as_of
        The twin's date: orders before it are the history, the simulation starts on it.
        Orders on or after it are ignored (counted in ``meta["calibration"]``).
    customer_col, date_col, amount_col, margin_col, product_col
        Column names in ``log``.
    contracts, complaints
        Optional CRM tables: contracts with columns ``customer_col``, ``start``, ``end``; complaints
        with ``customer_col`` and ``date_col`` (:mod:`kamsim.calibration.extras`).  They add history
        events and set the scenario's contract terms, renewal probability and complaint rate.
    margin_rate
        Gross margin share of revenue assumed when the log has no margin column (0-1).
    accounts_per_manager
        Size of a manager's book; the twin gets ``ceil(n / accounts_per_manager)`` managers.
    months
        The scenario's ``months`` (simulated when ``simulate(months=None)``).
    scenario_changes
        Dotted scenario fields to set after calibration, e.g. ``{"retention.max_reduction": 0.3}``.
    read_options
        ``date_format, dayfirst, decimal, thousands, tz, encoding`` for reading the log.

    Returns
    -------
    (Portfolio, Scenario)
        One account per customer (index order: customer id), its orders as history
        (``month < 0``), the calibrated columns of ``schema.CALIBRATED_ACCOUNT_COLUMNS``;
        ``portfolio.meta["calibration"]`` holds the fitted parameters and counts.

    Raises
    ------
    ValueError
        On a bad log (the row and column are named), an ``as_of`` that leaves no
        history, fewer than :data:`MIN_CUSTOMERS` customers, or a log in which no
        customer bought on two different days (purchase rate and dropout cannot be
        told apart).
    """
    start = parse_day(as_of, "as_of")
    options = _read_options(read_options)
    _check_number(margin_rate, "margin_rate", 0.0, 1.0)
    _check_int(accounts_per_manager, "accounts_per_manager", 1, 1_000_000)
    _check_int(months, "months", 1, 1200)
    canonical = read_transactions(log, customer_col, date_col, amount_col, margin_col, product_col, **options)
    before = canonical["date"] < start
    history = canonical.loc[before.to_numpy()].reset_index(drop=True)
    ignored = int((~before).sum())
    if len(history) == 0:
        first = canonical["date"].min()
        when = "the log is empty" if pd.isna(first) else f"the first order is on {first.date().isoformat()}"
        raise ValueError(f"calibrate: no order before as_of {start.date().isoformat()} ({when}); pick a later as_of")
    rfm = rfm_table(history, cutoff=start - pd.Timedelta(days=1), freq="D")
    _check_identifiable(rfm)
    x = rfm["frequency"].to_numpy(dtype="float64")
    recency = rfm["recency"].to_numpy() / DAYS_PER_MONTH
    age = rfm["T"].to_numpy() / DAYS_PER_MONTH
    purchases = _fit_purchases(x, recency, age)
    posterior = purchases.posterior(x, recency, age)
    value, spend_info = _order_values(rfm)
    sigma = _order_value_sigma(history)
    behaviour = pd.DataFrame(
        {
            "p_active": posterior["p_alive"].to_numpy(),
            "order_rate_shape": posterior["purchase_shape"].to_numpy(),
            "order_rate_exposure": posterior["purchase_rate"].to_numpy(),
            "dropout_shape": posterior["dropout_shape"].to_numpy(),
            "dropout_exposure": posterior["dropout_rate"].to_numpy(),
            "order_value": value,
        },
        index=rfm.index,
    )
    crm_rows, crm_changes = _crm_tables(contracts, complaints, customer_col, date_col, rfm, start)
    portfolio = build_portfolio(
        history, rfm, behaviour, start, margin_rate=margin_rate, accounts_per_manager=accounts_per_manager,
        crm_rows=crm_rows,
    )
    scenario = _scenario(purchases, behaviour, sigma, months, source=_source_name(log))
    scenario = scenario.updated({**crm_changes, **dict(scenario_changes or {})})
    params = purchases.params_
    portfolio.meta["calibration"] = {
        "model": "pareto_nbd",
        "time_unit": "months",
        "purchase_params": {k: float(v) for k, v in params.items()},
        "log_likelihood": float(purchases.log_likelihood_),
        "spend": spend_info,
        "order_value_sigma": sigma,
        "customers": int(len(rfm)),
        "repeat_customers": int((x > 0).sum()),
        "orders_used": int(len(history)),
        "orders_ignored_on_or_after_as_of": ignored,
        "assumed": sorted(UNIDENTIFIED) + ["retention.max_reduction", "retention.scale_hours"],
    }
    return portfolio, scenario


# ---------------------------------------------------------------------------- inputs


def parse_day(value: object, name: str) -> pd.Timestamp:
    """A day (midnight, naive UTC) from a date-like ``value``; ``ValueError`` naming ``name`` otherwise.

    Days must lie in 1900-01-01 .. 2200-12-31, the calendar kamsim models.
    """
    try:
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        ts = pd.NaT
    if pd.isna(ts):
        raise ValueError(f"{name}: not a date: {value!r} (use YYYY-MM-DD)")
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    if not pd.Timestamp("1900-01-01") <= ts <= pd.Timestamp("2200-12-31"):
        raise ValueError(f"{name}: {ts.date().isoformat()} is outside 1900-01-01 .. 2200-12-31")
    return ts.normalize()


def _read_options(options: Mapping[str, Any] | None) -> dict[str, Any]:
    options = dict(options or {})
    unknown = sorted(set(options) - set(READ_OPTIONS))
    if unknown:
        raise ValueError(f"read_options: unknown option(s) {unknown}; allowed: {list(READ_OPTIONS)}")
    return options


def _check_number(value: object, name: str, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name}: expected a number, got {value!r}")
    if not (math.isfinite(float(value)) and low <= float(value) <= high):
        raise ValueError(f"{name}: {value!r} is outside [{low:g}, {high:g}]")


def _check_int(value: object, name: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name}: expected an integer, got {value!r}")
    if not low <= int(value) <= high:
        raise ValueError(f"{name}: {value!r} is outside {low:,} .. {high:,}")


def _check_identifiable(rfm: pd.DataFrame) -> None:
    n = len(rfm)
    if n < MIN_CUSTOMERS:
        raise ValueError(
            f"calibrate: {n} customer(s) bought before as_of; at least {MIN_CUSTOMERS} are needed to estimate "
            "how customers differ in buying and staying"
        )
    if int(rfm["frequency"].sum()) == 0:
        raise ValueError(
            f"calibrate: none of the {n:,} customers bought on two different days before as_of, so the log cannot "
            "tell how often customers buy from how long they stay; use a longer history (a later as_of)"
        )


def _crm_tables(
    contracts: pd.DataFrame | None,
    complaints: pd.DataFrame | None,
    customer_col: str,
    date_col: str,
    rfm: pd.DataFrame,
    start: pd.Timestamp,
) -> tuple[pd.DataFrame | None, dict[str, Any]]:
    """History rows and scenario changes from the optional contract and complaint tables."""
    rows, changes = [], {}
    if contracts is not None:
        found, more = contract_rows(contracts, customer_col, rfm.index, start)
        rows.append(found)
        changes.update(more)
    if complaints is not None:
        first = pd.Series(rfm["first_purchase"].dt.normalize().to_numpy(), index=rfm.index)
        found, more = complaint_rows(complaints, customer_col, date_col, first, start)
        rows.append(found)
        changes.update(more)
    return (pd.concat(rows, ignore_index=True) if rows else None), changes


def _source_name(log: object) -> str:
    return os.path.basename(os.fspath(log)) if isinstance(log, (str, os.PathLike)) else "a transaction log"


# ---------------------------------------------------------------------------- models


def _fit_purchases(x: np.ndarray, recency: np.ndarray, age: np.ndarray) -> ParetoNBDFitter:
    try:
        return ParetoNBDFitter().fit(x, recency, age)
    except ConvergenceError as err:
        raise ValueError(f"calibrate: the purchase model did not converge on this log ({err})") from None


def _order_values(rfm: pd.DataFrame) -> tuple[np.ndarray, dict[str, Any]]:
    """Expected order value per account (CU) and a description of how it was estimated."""
    x = rfm["frequency"].to_numpy(dtype="float64")
    repeat_value = rfm["monetary_value"].to_numpy(dtype="float64")
    own_mean = rfm["revenue"].to_numpy(dtype="float64") / (x + 1.0)
    usable = (x > 0) & (repeat_value > 0)
    if usable.sum() >= MIN_SPEND_CUSTOMERS:
        try:
            gg = GammaGammaFitter().fit(x[usable], repeat_value[usable])
            p, q, v = gg.params_.to_numpy()
            if q > 1.0:
                value = gg.expected_spend(np.where(usable, x, 0.0), np.where(usable, repeat_value, 0.0))
                return value, {"model": "gamma_gamma", "params": {k: float(w) for k, w in gg.params_.items()}}
        except (ConvergenceError, ValueError):
            pass
    return own_mean, {"model": "own_mean", "params": {}}


def _order_value_sigma(history: pd.DataFrame) -> float:
    """Pooled within-customer standard deviation of log order values (0.5 when it cannot be measured)."""
    amounts = history["amount"].to_numpy(dtype="float64")
    keep = amounts > 0
    if keep.sum() < 3:
        return 0.5
    logs = pd.Series(np.log(amounts[keep]))
    groups = history["account_id"].to_numpy()[keep]
    centred = logs - logs.groupby(groups).transform("mean")
    counts = pd.Series(groups).value_counts()
    dof = int((counts - 1).clip(lower=0).sum())
    if dof < 2:
        return 0.5
    return float(min(np.sqrt((centred.to_numpy() ** 2).sum() / dof), 3.0))


def _scenario(purchases: ParetoNBDFitter, behaviour: pd.DataFrame, sigma: float, months: int, source: str) -> Scenario:
    """The calibrated scenario: population rates for stage-model accounts, unidentified effects off."""
    r, alpha, s, beta = (float(purchases.params_[k]) for k in ("r", "alpha", "s", "beta"))
    rate = min(max(r / alpha, 0.001), 100.0)
    churn = float(-np.expm1(-s / beta)) if s < beta * 50 else 1.0
    mean_rate = behaviour["order_rate_shape"] / behaviour["order_rate_exposure"]
    cap = _order_cap(float(mean_rate.max()))
    changes: dict[str, Any] = dict(UNIDENTIFIED)
    changes.update(
        {
            "name": f"calibrated from {source}"[:200],
            "months": months,
            "orders.rate": {stage: rate for stage in CUSTOMER_STAGES},
            "lifecycle.churn_hazard": {stage: min(churn, 1.0) for stage in CUSTOMER_STAGES},
            "orders.amount_sigma": sigma,
            "orders.max_per_month": cap,
        }
    )
    return Scenario().updated(changes)


def _order_cap(max_mean_rate: float) -> int:
    """Orders per account and month to pre-allocate: the 1 - 1e-6 Poisson quantile at twice the largest mean rate."""
    from scipy.stats import poisson

    return int(min(max(poisson.ppf(1.0 - 1e-6, 2.0 * max(max_mean_rate, 1e-9)) + 1, 8), 100))
