"""Latent needs and cross-selling (需求识别与交叉销售): needs analysis reveals needs, some become first orders.

KAM example: a plant that buys our components also needs monitoring software but
buys it elsewhere -- nobody asked.  A needs-analysis visit reveals the need; if the
account trusts us (satisfaction) and the offer fits (strategic fit), it places a
first software order and from then on buys software from us too.

Model (on when ``Scenario.needs.latent_prob > 0``; docs/engine.md "Needs and cross-selling"):

* at the start of the run every account *owns* the product categories it ordered in
  the portfolio's history (one category, drawn uniformly, if it has none); its orders
  choose only among the products of owned categories;
* every other category is a *latent need* with probability ``latent_prob`` (drawn once);
* each month, an account's needs-analysis hours ``D`` (a share of its effective contact
  hours, set by the scenario or the allocation policy) reveal each latent need with
  probability ``reveal_max (1 - exp(-D / discovery_scale_hours))`` (event ``need_identified``);
* a need revealed in an earlier month becomes a first order with probability
  ``convert_prob * strategic_fit * satisfaction / 10`` (an ``order`` row plus a ``cross_sell``
  marker); the category is then owned and the account's expected spend grows by
  ``category_uplift`` per adopted category.

CRN: the ``needs`` stream gives one ``(n, categories)`` array of uniforms at the start
and three per month (reveal, conversion and the day of the first order), whatever the
policy does; the conversion uniform, rescaled, also picks the product of the first order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kamsim.engine.lifecycle import saturation
from kamsim.engine.world import World
from kamsim.scenario import Scenario


@dataclass
class NeedsMonth:
    """What needs analysis and cross-selling did in one month (arrays of matching length)."""

    revealed_account: np.ndarray
    revealed_category: np.ndarray
    revealed_frac: np.ndarray  # position of the revealing needs analysis in the month
    adopted_account: np.ndarray
    adopted_category: np.ndarray
    adopted_u_product: np.ndarray  # uniform in [0, 1) for the product of the first order
    adopted_frac: np.ndarray  # position of the first order in the month


class NeedsModel:
    """Owned categories, latent and revealed needs of every account of one run.

    Parameters
    ----------
    scenario
        Its ``needs`` section must have ``latent_prob > 0`` (else build no model).
    world
        The run's accounts.
    product_category
        Category code of each product (index into ``categories``).
    categories
        Category names.
    history
        The portfolio's ``events`` (order rows give the owned categories).
    product_ids
        Product id of each product index.
    rng
        The ``needs`` stream.
    """

    def __init__(
        self,
        scenario: Scenario,
        world: World,
        product_category: np.ndarray,
        categories: np.ndarray,
        history: pd.DataFrame,
        product_ids: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        nd = scenario.needs
        self.params = nd
        self.rng = rng
        self.categories = categories
        self.product_category = product_category
        n, k = world.n, len(categories)
        self.owned = _history_categories(world, history, product_ids, product_category, k)
        u_latent = rng.random((n, k))
        u_first = rng.random(n)
        none = ~self.owned.any(axis=1)
        first = np.minimum((u_first * k).astype(np.int64), k - 1)
        self.owned[np.flatnonzero(none), first[none]] = True
        self.latent = ~self.owned & (u_latent < nd.latent_prob)
        self.revealed = np.zeros((n, k), dtype=bool)
        self.adopted = np.zeros(n, dtype=np.int64)  # categories adopted during the run, per account
        self.fit = world.strategic_fit

    def spend_multiplier(self) -> np.ndarray:
        """Expected-spend multiplier per account: ``1 + category_uplift * adopted categories``."""
        return 1.0 + self.params.category_uplift * self.adopted

    def product_mask(self, accounts: np.ndarray) -> np.ndarray:
        """``(len(accounts), products)`` booleans: which products each listed account buys (its owned categories)."""
        return self.owned[accounts][:, self.product_category]

    def month(self, world: World, needs_hours: np.ndarray, customer: np.ndarray) -> NeedsMonth:
        """Convert earlier revealed needs, then reveal latent ones (updates the model's state).

        Parameters
        ----------
        needs_hours
            Needs-analysis hours per account this month (effective hours).
        customer
            Current customers (only they adopt or reveal).
        """
        nd = self.params
        n, k = self.owned.shape
        u_reveal, u_convert, u_day = self.rng.random((n, k)), self.rng.random((n, k)), self.rng.random((n, k))
        p_convert = nd.convert_prob * np.clip(self.fit, 0.0, 1.0) * np.clip(world.satisfaction, 0.0, 10.0) / 10.0
        convert_p = np.where(customer, p_convert, 0.0)[:, None]
        converting = self.revealed & (u_convert < convert_p)
        acc_c, cat_c = np.nonzero(converting)
        u_product = u_convert[acc_c, cat_c] / np.maximum(convert_p[acc_c, 0], 1e-300)
        self.owned[acc_c, cat_c] = True
        self.revealed[acc_c, cat_c] = False
        self.latent[acc_c, cat_c] = False
        self.adopted += np.bincount(acc_c, minlength=n)
        p_reveal = np.where(customer, nd.reveal_max * saturation(needs_hours, nd.discovery_scale_hours), 0.0)
        revealing = self.latent & ~self.revealed & (u_reveal < p_reveal[:, None])
        acc_r, cat_r = np.nonzero(revealing)
        self.revealed[acc_r, cat_r] = True
        below = np.nextafter(1.0, 0.0)
        frac_r = np.minimum(u_reveal[acc_r, cat_r] / np.maximum(p_reveal[acc_r], 1e-300), below)  # uniform given a reveal
        return NeedsMonth(acc_r, cat_r, frac_r, acc_c, cat_c, np.minimum(u_product, below), u_day[acc_c, cat_c])


def _history_categories(
    world: World, history: pd.DataFrame, product_ids: np.ndarray, product_category: np.ndarray, k: int
) -> np.ndarray:
    """``(n, k)`` booleans: categories each account ordered in ``history`` (order rows)."""
    owned = np.zeros((world.n, k), dtype=bool)
    if history is None or not len(history) or "event_type" not in history:
        return owned
    orders = history[history["event_type"].astype("object").to_numpy() == "order"]
    if not len(orders):
        return owned
    acc = pd.Index(world.account_ids).get_indexer(orders["account_id"].astype("object").to_numpy())
    prod = pd.Index(product_ids).get_indexer(orders["product_id"].astype("object").to_numpy())
    ok = (acc >= 0) & (prod >= 0)
    owned[acc[ok], product_category[prod[ok]]] = True
    return owned
