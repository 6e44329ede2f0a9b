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
from kamsim.engine.needs import NeedsModel, NeedsMonth
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

    def plus(self, other: MonthOrders) -> MonthOrders:
        """These orders' per-account totals with ``other``'s added (the per-order columns stay these)."""
        return MonthOrders(
            account=self.account,
            frac=self.frac,
            product=self.product,
            quantity=self.quantity,
            amount=self.amount,
            margin=self.margin,
            revenue_by_account=self.revenue_by_account + other.revenue_by_account,
            margin_by_account=self.margin_by_account + other.margin_by_account,
            count_by_account=self.count_by_account + other.count_by_account,
            cut=self.cut + other.cut,
        )


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
        pr = scenario.pricing
        self.elasticity = (pr.elasticity, pr.elasticity_per_sensitivity)

    def negotiated_discount(self, world: World, accounts: np.ndarray) -> np.ndarray:
        """The negotiated discount of each listed account: ``min(base + price_sensitivity * extra, max)``."""
        return np.minimum(self.base_discount + self.extra_discount * world.price_sensitivity[accounts], self.max_discount)

    def volume_factor(self, world: World, accounts: np.ndarray, negotiated: np.ndarray, policy: np.ndarray) -> np.ndarray:
        """Quantity multiplier ``rho ** -eps`` of a policy discount (1 where it is 0; docs/engine.md "Price response").

        ``rho = (1 - d - delta) / (1 - d)`` is the relative unit price, ``eps = elasticity +
        elasticity_per_sensitivity * price_sensitivity`` the account's elasticity.
        """
        e0, e1 = self.elasticity
        rho = (1.0 - negotiated - policy) / np.maximum(1.0 - negotiated, 1e-12)
        eps = e0 + e1 * world.price_sensitivity[accounts]
        return np.where(policy > 0, np.maximum(rho, 1e-12) ** -eps, 1.0)

    def discount_cost(self, orders: MonthOrders, policy_discount: np.ndarray) -> float:
        """Revenue given away by the policy discount on ``orders``: ``sum quantity * list_price * delta`` (CU)."""
        return float(np.sum(orders.quantity * self.list_price[orders.product] * policy_discount[orders.account]))

    def expected_spend(self, world: World) -> np.ndarray:
        """Expected monthly spend with us per account (CU per month; 0 for non-customers)."""
        spend = world.potential / 12.0 * self.sow[world.stage] * np.exp(self.sat_effect * (world.satisfaction - self.sat_ref))
        return np.where(world.customers(), spend, 0.0)

    def month(
        self,
        world: World,
        draws: OrderDraws,
        month: int = 0,
        stop: np.ndarray | None = None,
        policy_discount: np.ndarray | None = None,
        needs: NeedsModel | None = None,
    ) -> MonthOrders:
        """The orders of ``month`` (only current customers order; calibrated accounts at their own rate and value).

        ``stop`` (per account, fraction of the month; None = 1 for all) drops the orders an account
        would have placed after it stopped buying (:meth:`Lifecycle.order_stop`).  ``policy_discount``
        is the pricing policy's discount per account (share of list price on top of the negotiated one;
        None = none).  ``needs`` restricts each account to the products of its owned categories (an order
        that none of them fits is kept with probability ``target / unit price``, one unit) and adds the
        cross-sell uplift to its spend.
        """
        n = world.n
        rate = self.rate[world.stage]
        spend = self.expected_spend(world)
        if needs is not None:
            spend = spend * needs.spend_multiplier()
        mean_value = np.divide(spend, rate, out=np.zeros(n), where=rate > 0)
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
        negotiated = self.negotiated_discount(world, acc)
        # uniform choice among the products whose discounted unit price fits the order (at least the cheapest)
        affordable = np.searchsorted(self.sorted_price, target / np.maximum(1.0 - negotiated, 1e-12), side="right")
        u_product = draws.u_product[acc, col]
        if needs is None:
            choice = np.minimum((u_product * np.maximum(affordable, 1)).astype(np.int64), len(self.list_price) - 1)
        else:
            choice = owned_choice(needs.product_mask(acc)[:, self.by_price], affordable, u_product)
        product = self.by_price[choice]
        unit_price = self.list_price[product] * (1.0 - negotiated)
        units = target / np.maximum(unit_price, 1e-12)
        if needs is not None:
            # no owned product fits (its unit costs more than twice the order): buy one unit with probability
            # ``units``, so that the expected spend stays the target (the product uniform is free in this case)
            keep = (units >= 0.5) | (u_product < units)
            if not keep.all():
                placed = placed - np.bincount(acc[~keep], minlength=n)
                acc, col, target, negotiated = acc[keep], col[keep], target[keep], negotiated[keep]
                product, unit_price, units = product[keep], unit_price[keep], units[keep]
        if policy_discount is not None and np.any(policy_discount[acc] > 0):
            delta = policy_discount[acc]
            units = units * self.volume_factor(world, acc, negotiated, delta)
            unit_price = self.list_price[product] * (1.0 - negotiated - delta)
        quantity = np.maximum(1.0, np.round(units))
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


    def first_orders(
        self, world: World, needs: NeedsModel, adopted: NeedsMonth, policy_discount: np.ndarray | None = None
    ) -> MonthOrders:
        """The first order of each category adopted this month (one per adoption, at the account's mean order value).

        The product is uniform among the category's products (from ``adopted.adopted_u_product``); price and
        quantity follow the same rules as regular orders, without the log-normal noise.
        """
        n = world.n
        acc, cat = adopted.adopted_account, adopted.adopted_category
        rate = self.rate[world.stage]
        spend = self.expected_spend(world) * needs.spend_multiplier()
        mean_value = np.divide(spend, rate, out=np.zeros(n), where=rate > 0)
        if self.calibrated is not None:
            mean_value = np.where(self.calibrated.mask, self.calibrated.order_value, mean_value)
        in_cat = needs.product_category[self.by_price][None, :] == cat[:, None]  # (adoptions, products by price)
        count = in_cat.sum(axis=1)
        pick = np.minimum((adopted.adopted_u_product * count).astype(np.int64), count - 1)
        product = self.by_price[np.argmax(np.cumsum(in_cat, axis=1) > pick[:, None], axis=1)]
        negotiated = self.negotiated_discount(world, acc)
        delta = np.zeros(len(acc)) if policy_discount is None else policy_discount[acc]
        units = mean_value[acc] / np.maximum(self.list_price[product] * (1.0 - negotiated), 1e-12)
        units = units * self.volume_factor(world, acc, negotiated, delta)
        quantity = np.maximum(1.0, np.round(units))
        amount = quantity * self.list_price[product] * (1.0 - negotiated - delta)
        margin = amount - quantity * self.unit_cost[product]
        return MonthOrders(
            account=acc,
            frac=adopted.adopted_frac,
            product=product,
            quantity=quantity,
            amount=amount,
            margin=margin,
            revenue_by_account=np.bincount(acc, weights=amount, minlength=n),
            margin_by_account=np.bincount(acc, weights=margin, minlength=n),
            count_by_account=np.bincount(acc, minlength=n).astype("float64"),
        )


def owned_choice(owned_sorted: np.ndarray, affordable: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Uniform choice among an order's owned products that fit it (the cheapest owned one if none does).

    Parameters
    ----------
    owned_sorted
        ``(orders, products)`` booleans in ascending list-price order: products of the account's owned categories.
    affordable
        Per order, how many of the cheapest products (all categories) fit its target.
    u
        Per order, a uniform in [0, 1).

    Returns
    -------
    ndarray
        Position in price order of the chosen product, per order.
    """
    rank = np.cumsum(owned_sorted, axis=1)  # owned products up to each price position
    fits = np.where(affordable > 0, rank[np.arange(len(u)), np.maximum(affordable, 1) - 1], 0)
    pick = np.where(fits > 0, (u * np.maximum(fits, 1)).astype(np.int64), 0)  # 0-based among owned that fit
    pick = np.minimum(pick, np.maximum(fits, 1) - 1)
    return np.argmax(rank > pick[:, None], axis=1)  # first position where the (pick+1)-th owned product sits
