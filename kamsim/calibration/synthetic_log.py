"""Transaction logs whose truth is known: customers who buy and drop out as a Pareto/NBD population.

KAM example: before trusting :func:`kamsim.calibrate` with the real CRM export, a
trainer hands students a log made here with known rates and asks them to find
them again -- and a benchmark times ``kamsim calibrate`` on a million rows of it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamsim._random import streams
from kamsim.vocabulary import DAYS_PER_MONTH


def pareto_nbd_log(
    n_customers: int,
    *,
    r: float = 0.55,
    alpha: float = 2.4,
    s: float = 0.6,
    beta: float = 2.7,
    mean_value: float = 35.0,
    value_sigma: float = 0.6,
    start: str = "2023-01-01",
    acquisition_months: float = 3.0,
    months: float = 18.0,
    seed: int = 0,
) -> pd.DataFrame:
    """A transaction log of ``n_customers`` Pareto/NBD customers (rates per month, values in CU).

    Each customer's first purchase is uniform over the first ``acquisition_months``; then
    purchases follow a Poisson process with rate ``lambda ~ Gamma(r, rate=alpha)`` until an
    exponential lifetime with rate ``mu ~ Gamma(s, rate=beta)``; the log ends ``months`` after
    ``start``.  Order values are log-normal around a customer mean that is itself log-normal
    around ``mean_value``.  Several orders of one customer on one day are kept as separate rows.

    Returns
    -------
    DataFrame
        ``account_id`` (``C000001`` ...), ``date`` (day), ``amount`` (CU), sorted by date then customer.
    """
    if not isinstance(n_customers, (int, np.integer)) or isinstance(n_customers, bool) or n_customers < 1:
        raise ValueError(f"n_customers must be a positive integer, got {n_customers!r}")
    rng = streams(seed, ("log",))["log"]
    n = int(n_customers)
    lam = rng.gamma(r, 1.0 / alpha, n)
    mu = rng.gamma(s, 1.0 / beta, n)
    first = rng.uniform(0.0, acquisition_months, n)
    death = first + rng.exponential(1.0, n) / np.maximum(mu, 1e-300)
    stop = np.minimum(death, months)
    repeats = rng.poisson(lam * np.maximum(stop - first, 0.0))
    owner = np.repeat(np.arange(n), repeats)
    when = first[owner] + rng.uniform(0.0, 1.0, len(owner)) * (stop[owner] - first[owner])
    customer = np.concatenate([np.arange(n), owner])
    t = np.concatenate([first, when])
    level = mean_value * np.exp(rng.normal(-0.125, 0.5, n))
    amount = np.round(level[customer] * np.exp(rng.normal(-value_sigma**2 / 2, value_sigma, len(t))), 2)
    days = np.floor(t * DAYS_PER_MONTH).astype("int64")
    log = pd.DataFrame(
        {
            "account_id": np.char.add("C", np.char.zfill((customer + 1).astype(str), 6)),
            "date": pd.Timestamp(start) + pd.to_timedelta(days, unit="D"),
            "amount": np.maximum(amount, 0.01),
        }
    )
    return log.sort_values(["date", "account_id"], kind="stable").reset_index(drop=True)
