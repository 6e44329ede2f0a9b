"""Monthly orders (交易): how many, which product, what quantity, price, discount and margin.

KAM example: a mature account with an annual potential of 1.2 M CU that buys
50% of it from us spends about 50,000 CU a month, spread over about two
orders; a price-sensitive buyer gets a bigger discount, which eats margin.

For customer *i* in stage *k* with satisfaction *s*:

* order count ``N_i ~ Poisson(rate_k)`` (capped at ``orders.max_per_month``; see *The cap* below),
* expected monthly spend ``S_i = potential_i / 12 * sow_k * exp(beta (s_i - s_ref))``,
* each order targets ``S_i / rate_k * LogNormal(-sigma^2/2, sigma)`` CU; the
  product is uniform over the products whose discounted price fits that target
  (the cheapest one if none does); discount ``d_i = min(base + price_sensitivity_i * extra, max)``;
  unit price ``list_price (1 - d_i)``; quantity ``max(1, round(target / unit price))``,
* revenue ``q * unit price``; margin ``revenue - q * list_price (1 - margin_rate)``.

The cap: draws are pre-allocated for ``max_per_month`` orders, so orders beyond it are
lost together with their spend.  A scenario whose cap cuts more than 1% of a stage's
orders in expectation is refused (``Orders.cut_shares``, ``ORDER_CUT_ERROR``); above
0.1% :func:`check_order_cap` warns (``UserWarning``).  Every run counts the orders the
cap removed (``SimulationResult.meta["orders_cut"]``); with the default rates the cap
removes about 0.015% of a mature account's orders.

CRN: every month the ``orders`` stream gives the same full-size arrays
(``n`` count uniforms and ``n x max_per_month`` product uniforms, value
normals and day uniforms) whatever the policy did; account *i* always uses
row *i*, its *j*-th order column *j*.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from kamsim.engine.calibrated import CalibratedRates
from kamsim.engine.lifecycle import stage_array
from kamsim.engine.world import World
from kamsim.scenario import ORDER_CUT_ERROR, ORDER_CUT_WARNING, Orders, Scenario


def poisson_inverse(u: np.ndarray, lam: np.ndarray, kmax: int) -> np.ndarray:
    """Poisson counts from uniforms by inverting the CDF, capped at ``kmax``.

    One uniform per count keeps common random numbers aligned when rates
    change (a higher rate never changes which uniform an account uses).

    Parameters
    ----------
    u
        Uniforms in [0, 1), one per account.
    lam
        Poisson means (>= 0), same shape as ``u``.
    kmax
        Largest count returned.
    """
    lam = np.asarray(lam, dtype="float64")
    pmf = np.exp(-lam)
    cdf = pmf.copy()
    count = np.zeros(lam.shape, dtype=np.int64)
    for k in range(1, kmax + 1):
        count += u >= cdf
        pmf = pmf * lam / k
        cdf = cdf + pmf
    return count


def poisson_excess(u: np.ndarray, lam: np.ndarray, kmax: int, counts: np.ndarray | None = None) -> np.ndarray:
    """Counts above ``kmax`` of the uncapped Poisson draws that :func:`poisson_inverse` caps at ``kmax``.

    Uses the same uniforms and the same CDF arithmetic, so the two agree on every
    count up to ``kmax``; only accounts whose draw reached the cap are inverted further.

    Parameters
    ----------
    u, lam, kmax
        As for :func:`poisson_inverse`.
    counts
        ``poisson_inverse(u, lam, kmax)`` if already computed.

    Returns
    -------
    ndarray
        ``max(N - kmax, 0)`` per account (int64; 0 for most).
    """
    lam = np.asarray(lam, dtype="float64")
    counts = poisson_inverse(u, lam, kmax) if counts is None else counts
    excess = np.zeros(lam.shape, dtype=np.int64)
    at_cap = np.flatnonzero(counts >= kmax)
    if len(at_cap):
        top = float(lam[at_cap].max())
        kbig = kmax + int(top + 12.0 * np.sqrt(top)) + 40
        excess[at_cap] = poisson_inverse(u[at_cap], lam[at_cap], kbig) - kmax
    return excess


def check_order_cap(orders: Orders) -> None:
    """Refuse or warn when ``orders.max_per_month`` cuts a stage's orders.

    Raises
    ------
    ValueError
        If the cap removes more than ``ORDER_CUT_ERROR`` (1%) of a stage's orders in expectation
        (possible when a nested field was assigned after validation, e.g. ``s.orders.rate.mature = 20``).

    Warns
    -----
    UserWarning
        If it removes more than ``ORDER_CUT_WARNING`` (0.1%): the message names the stage and the cap to set.
    """
    shares = orders.cut_shares()
    worst = max(shares, key=shares.__getitem__)
    if shares[worst] > ORDER_CUT_ERROR:
        raise ValueError(f"scenario: {orders.cap_advice(worst)}")
    if shares[worst] > ORDER_CUT_WARNING:
        warnings.warn(f"scenario: {orders.cap_advice(worst)}", UserWarning, stacklevel=5)


@dataclass
class OrderDraws:
    """The ``orders`` stream's draws for one month."""

    u_count: np.ndarray  # (n,)
    u_product: np.ndarray  # (n, K)
    z_value: np.ndarray  # (n, K)
    u_day: np.ndarray  # (n, K)

    @classmethod
    def draw(cls, rng: np.random.Generator, n: int, kmax: int) -> OrderDraws:
        """Full-size draws (always the same amount of randomness)."""
        return cls(rng.random(n), rng.random((n, kmax)), rng.standard_normal((n, kmax)), rng.random((n, kmax)))


@dataclass
class MonthOrders:
    """Orders of one month: per-order columns and per-account totals."""

    account: np.ndarray
    frac: np.ndarray  # position in the month, [0, 1)
    product: np.ndarray
    quantity: np.ndarray
    amount: np.ndarray
    margin: np.ndarray
    revenue_by_account: np.ndarray
    margin_by_account: np.ndarray
    count_by_account: np.ndarray
    cut: int = 0  # orders drawn beyond max_per_month and dropped


class OrderModel:
    """Draws the orders of every customer for one month."""

    def __init__(
        self, scenario: Scenario, list_price: np.ndarray, margin_rate: np.ndarray, calibrated: CalibratedRates | None = None
    ) -> None:
        if len(list_price) == 0:
            raise ValueError("portfolio.products: the catalogue is empty; orders need at least one product")
        o = scenario.orders
        check_order_cap(o)
        self.kmax = o.max_per_month
        self.rate = stage_array(o.rate)
        self.sow = stage_array(o.share_of_wallet)
        self.sat_effect = o.satisfaction_effect
        self.sat_ref = scenario.lifecycle.satisfaction_reference
        self.sigma = o.amount_sigma
        self.base_discount = o.base_discount
        self.extra_discount = o.price_sensitivity_discount
        self.max_discount = o.max_discount
        self.list_price = np.asarray(list_price, dtype="float64")
        self.unit_cost = self.list_price * (1.0 - np.asarray(margin_rate, dtype="float64"))
        self.by_price = np.argsort(self.list_price, kind="stable")
        self.sorted_price = self.list_price[self.by_price]
        self.calibrated = calibrated

    def expected_spend(self, world: World) -> np.ndarray:
        """Expected monthly spend with us per account (CU per month; 0 for non-customers)."""
        spend = world.potential / 12.0 * self.sow[world.stage] * np.exp(self.sat_effect * (world.satisfaction - self.sat_ref))
        return np.where(world.customers(), spend, 0.0)

    def month(self, world: World, draws: OrderDraws, month: int = 0, stop: np.ndarray | None = None) -> MonthOrders:
        """The orders of ``month`` (only current customers order; calibrated accounts at their own rate and value).

        ``stop`` (per account, fraction of the month; None = 1 for all) drops the orders an account
        would have placed after it stopped buying (:meth:`Lifecycle.order_stop`).
        """
        n = world.n
        rate = self.rate[world.stage]
        mean_value = np.divide(self.expected_spend(world), rate, out=np.zeros(n), where=rate > 0)
        cal = self.calibrated
        if cal is not None:
            rate = np.where(cal.mask, cal.order_rate_now(month), rate)
            mean_value = np.where(cal.mask, cal.order_value, mean_value)
        rate = np.where(world.customers(), rate, 0.0)
        counts = poisson_inverse(draws.u_count, rate, self.kmax)
        slot_used = np.arange(self.kmax)[None, :] < counts[:, None]
        placed = counts
        if stop is not None:
            slot_used &= draws.u_day < stop[:, None]
            placed = slot_used.sum(axis=1)
        acc, col = np.nonzero(slot_used)
        target = mean_value[acc] * np.exp(self.sigma * draws.z_value[acc, col] - 0.5 * self.sigma**2)
        discount = np.minimum(self.base_discount + self.extra_discount * world.price_sensitivity[acc], self.max_discount)
        # uniform choice among the products whose discounted unit price fits the order (at least the cheapest)
        affordable = np.searchsorted(self.sorted_price, target / np.maximum(1.0 - discount, 1e-12), side="right")
        choice = np.minimum((draws.u_product[acc, col] * np.maximum(affordable, 1)).astype(np.int64), len(self.list_price) - 1)
        product = self.by_price[choice]
        unit_price = self.list_price[product] * (1.0 - discount)
        quantity = np.maximum(1.0, np.round(target / np.maximum(unit_price, 1e-12)))
        amount = quantity * unit_price
        margin = amount - quantity * self.unit_cost[product]
        return MonthOrders(
            account=acc,
            frac=draws.u_day[acc, col],
            product=product,
            quantity=quantity,
            amount=amount,
            margin=margin,
            revenue_by_account=np.bincount(acc, weights=amount, minlength=n),
            margin_by_account=np.bincount(acc, weights=margin, minlength=n),
            count_by_account=placed.astype("float64"),
            cut=int(poisson_excess(draws.u_count, rate, self.kmax, counts).sum()),
        )
