"""kamsim.analytics.pricing and .wallet: realised discounts, discount tables, share of wallet, break-even volume.

Expected values are worked out by hand from the tiny listings below.

Catalogue: P1 list 100 CU, margin rate 0.30 (category "kit"); P2 list 50 CU, margin rate 0.50 ("soft").
Orders (account, date, product, quantity, amount, margin):

    A1 2024-01-10 P1 2 180 40   discount 0.10, margin = 180 - 2 * 70 = 40
    A1 2024-02-10 P2 4 200 100  discount 0.00, margin = 200 - 4 * 25 = 100
    A2 2024-03-10 P1 1  80 10   discount 0.20, margin = 80 - 70 = 10
    A3 2023-06-10 P2 1  45 20   discount 0.10, margin = 45 - 25 = 20   (outside a 6-month window before 2024-04-01)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kamsim
from kamsim.analytics import breakeven_volume_increase, discount_table, realised_discount, share_of_wallet
from kamsim.analytics.pricing import DISCOUNT_COLUMNS, ORDER_PRICE_COLUMNS
from kamsim.analytics.wallet import WALLET_COLUMNS, WALLET_GROUP_COLUMNS


def products() -> pd.DataFrame:
    return pd.DataFrame(
        {"product_id": ["P1", "P2"], "category": ["kit", "soft"], "list_price": [100.0, 50.0],
         "margin_rate": [0.3, 0.5]}
    )


def accounts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": ["A1", "A2", "A3", "A4"],
            "industry": ["energy", "energy", "retail", "retail"],
            "annual_potential_spend": [1200.0, 600.0, 2400.0, 240.0],
        }
    )


def orders_log(with_other_events: bool = True) -> pd.DataFrame:
    rows = [
        ("A1", "2024-01-10", "order", "P1", 2.0, 180.0, 40.0),
        ("A1", "2024-02-10", "order", "P2", 4.0, 200.0, 100.0),
        ("A2", "2024-03-10", "order", "P1", 1.0, 80.0, 10.0),
        ("A3", "2023-06-10", "order", "P2", 1.0, 45.0, 20.0),
    ]
    if with_other_events:
        rows.insert(1, ("A1", "2024-01-15", "visit", None, np.nan, np.nan, np.nan))
    log = pd.DataFrame(rows, columns=["account_id", "date", "event_type", "product_id", "quantity", "amount", "margin"])
    log["date"] = pd.to_datetime(log["date"])
    return log


# --------------------------------------------------------------------------- realised_discount


def test_realised_discount_per_order_by_hand():
    out = realised_discount(orders_log(), products())
    assert list(out.columns) == list(ORDER_PRICE_COLUMNS)
    assert len(out) == 4  # the visit is not an order
    assert out["account_id"].tolist() == ["A1", "A1", "A2", "A3"]
    np.testing.assert_allclose(out["list_amount"], [200.0, 200.0, 100.0, 50.0])
    np.testing.assert_allclose(out["discount"], [0.10, 0.0, 0.20, 0.10], atol=1e-12)
    np.testing.assert_allclose(out["margin_rate"], [40 / 180, 0.5, 10 / 80, 20 / 45])
    np.testing.assert_allclose(out["list_margin_rate"], [0.3, 0.5, 0.3, 0.5])
    # realised margin rate = 1 - (1 - r) / (1 - d) when margin = amount - q * list * (1 - r)
    expected = 1 - (1 - out["list_margin_rate"]) / (1 - out["discount"])
    np.testing.assert_allclose(out["margin_rate"], expected)


def test_realised_discount_external_log_with_own_column_names():
    log = orders_log(with_other_events=False).drop(columns="event_type").rename(
        columns={"account_id": "Kunde", "amount": "Umsatz", "product_id": "Artikel", "quantity": "Menge"}
    )
    out = realised_discount(log, products(), customer_col="Kunde", amount_col="Umsatz", product_col="Artikel",
                            quantity_col="Menge")
    np.testing.assert_allclose(out["discount"], [0.10, 0.0, 0.20, 0.10], atol=1e-12)


def test_realised_discount_errors_name_the_problem():
    log = orders_log()
    with pytest.raises(ValueError, match="quantity column 'qty'"):
        realised_discount(log, products(), quantity_col="qty")
    bad_qty = log.copy()
    bad_qty.loc[2, "quantity"] = 0.0
    with pytest.raises(ValueError, match="column 'quantity' row 2"):
        realised_discount(bad_qty, products())
    with pytest.raises(ValueError, match="'P2' which is not in products"):
        realised_discount(log, products().iloc[:1])
    with pytest.raises(ValueError, match="missing column"):
        realised_discount(log, products().drop(columns="list_price"))
    zero_price = products().assign(list_price=[100.0, 0.0])
    with pytest.raises(ValueError, match="'list_price' row 1"):
        realised_discount(log, zero_price)


def test_realised_discount_recovers_the_engine_pricing_rule():
    """Shipped orders: discount = min(base + extra * price_sensitivity, max) of the default scenario."""
    portfolio = kamsim.datasets.load("small")
    out = realised_discount(portfolio.events, portfolio.products)
    o = kamsim.Scenario().orders
    sensitivity = portfolio.accounts.set_index("account_id")["price_sensitivity"].astype("float64")
    per_order = sensitivity.reindex(out["account_id"]).to_numpy()
    rule = np.minimum(o.base_discount + o.price_sensitivity_discount * per_order, o.max_discount)
    np.testing.assert_allclose(out["discount"].to_numpy(), rule, atol=1e-9)
    assert len(out) == int((portfolio.events["event_type"] == "order").sum())


# --------------------------------------------------------------------------- discount_table


def test_discount_table_by_category():
    table = discount_table(orders_log(), products(), by="category")
    assert list(table.columns) == list(DISCOUNT_COLUMNS)
    assert table.index.name == "category"
    kit, soft = table.loc["kit"], table.loc["soft"]
    assert kit["orders"] == 2 and kit["accounts"] == 2
    assert kit["list_amount"] == pytest.approx(300.0)
    assert kit["revenue"] == pytest.approx(260.0)
    assert kit["discount"] == pytest.approx(1 - 260 / 300)  # revenue-weighted
    assert kit["mean_discount"] == pytest.approx(0.15)  # plain mean of 0.10 and 0.20
    assert kit["margin"] == pytest.approx(50.0)
    assert kit["margin_rate"] == pytest.approx(50 / 260)
    assert kit["list_margin"] == pytest.approx(90.0)
    assert kit["margin_given_away"] == pytest.approx(1 - 50 / 90)
    # one discount on one product: the margin given away is d / r
    assert soft["orders"] == 2
    assert soft["list_margin"] == pytest.approx(125.0)
    assert soft["margin_given_away"] == pytest.approx(1 - 120 / 125)


def test_discount_table_by_accounts_column_and_product():
    by_industry = discount_table(orders_log(), products(), by="industry", accounts=accounts())
    assert by_industry.index.tolist() == ["energy", "retail"]
    assert by_industry.loc["energy", "revenue"] == pytest.approx(460.0)
    assert by_industry.loc["energy", "discount"] == pytest.approx(1 - 460 / 500)
    partial = accounts().iloc[:2]
    assert "(unknown)" in discount_table(orders_log(), products(), by="industry", accounts=partial).index
    by_product = discount_table(orders_log(), products(), by="product_id")
    assert by_product.loc["P2", "discount"] == pytest.approx(1 - 245 / 250)


def test_discount_table_unknown_key_lists_the_options():
    with pytest.raises(ValueError, match="cannot group by 'colour'.*products.category"):
        discount_table(orders_log(), products(), by="colour")


# --------------------------------------------------------------------------- share_of_wallet


def test_share_of_wallet_per_account_in_a_window():
    sow = share_of_wallet(accounts(), orders_log(), as_of="2024-04-01", months=6)
    assert list(sow.columns) == list(WALLET_COLUMNS)
    assert sow.index.tolist() == ["A1", "A2", "A3", "A4"]
    np.testing.assert_allclose(sow["potential"], [600.0, 300.0, 1200.0, 120.0])  # annual x 6 / 12
    np.testing.assert_allclose(sow["revenue"], [380.0, 80.0, 0.0, 0.0])  # A3's order is older than 6 months
    np.testing.assert_allclose(sow["share_of_wallet"], [380 / 600, 80 / 300, 0.0, 0.0])


def test_share_of_wallet_by_column_and_by_series():
    by_industry = share_of_wallet(accounts(), orders_log(), "industry", as_of="2024-04-01", months=12)
    assert list(by_industry.columns) == list(WALLET_GROUP_COLUMNS)
    energy, retail = by_industry.loc["energy"], by_industry.loc["retail"]
    assert energy["accounts"] == 2
    assert energy["potential"] == pytest.approx(1800.0)
    assert energy["revenue"] == pytest.approx(460.0)
    assert energy["share_of_wallet"] == pytest.approx(460 / 1800)  # aggregate: big wallets weigh more
    assert energy["mean_share"] == pytest.approx((380 / 1200 + 80 / 600) / 2)
    assert retail["share_of_wallet"] == pytest.approx(45 / 2640)
    tiers = pd.Series(["core", "general", "core"], index=["A1", "A2", "A3"], name="tier")
    by_tier = share_of_wallet(accounts(), orders_log(), tiers, as_of="2024-04-01")
    assert by_tier.index.name == "tier"
    assert by_tier.index.tolist() == ["(unknown)", "core", "general"]  # A4 has no tier
    assert by_tier.loc["core", "share_of_wallet"] == pytest.approx((380 + 45) / 3600)


def test_share_of_wallet_errors():
    with pytest.raises(ValueError, match="no column 'wallet'"):
        share_of_wallet(accounts(), orders_log(), potential_col="wallet")
    negative = accounts().assign(annual_potential_spend=[1.0, -5.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="'annual_potential_spend' row 1"):
        share_of_wallet(negative, orders_log())
    with pytest.raises(ValueError, match="by='region' is not a column"):
        share_of_wallet(accounts(), orders_log(), "region")


def test_share_of_wallet_matches_the_engine_wallet_of_a_mature_customer():
    """Shipped small data: mature customers buy about orders.share_of_wallet['mature'] of their wallet."""
    portfolio = kamsim.datasets.load("small")
    sow = share_of_wallet(portfolio.accounts, portfolio.events, "stage", as_of=portfolio.meta["as_of"])
    mature = sow.loc["mature", "share_of_wallet"]
    # spend is scaled by exp(0.08 (satisfaction - 7)) and some accounts were not mature all year: a loose band
    assert 0.3 < mature < 0.7
    assert sow.loc["prospect", "share_of_wallet"] == 0.0


# --------------------------------------------------------------------------- breakeven_volume_increase


def test_breakeven_volume_increase_by_hand():
    assert breakeven_volume_increase(0.3, 0.1) == pytest.approx(0.5)  # 0.3 / 0.2 = 1.5 times the units
    assert breakeven_volume_increase(0.25, 0.05) == pytest.approx(0.25)
    assert breakeven_volume_increase(0.3, 0.0) == 0.0
    assert breakeven_volume_increase(0.2, 0.2) == np.inf
    assert breakeven_volume_increase(0.2, 0.5) == np.inf
    rates = pd.Series([0.3, 0.5], index=["kit", "soft"])
    out = breakeven_volume_increase(rates, 0.1)
    assert isinstance(out, pd.Series) and out.index.tolist() == ["kit", "soft"]
    np.testing.assert_allclose(out, [0.5, 0.25])
    np.testing.assert_allclose(breakeven_volume_increase(0.5, np.array([0.0, 0.1, 0.25])), [0.0, 0.25, 1.0])


def test_breakeven_keeps_the_margin():
    """(1 + increase) units at (r - d) earn what one unit earns at r."""
    r, d = 0.37, 0.08
    assert (1 + breakeven_volume_increase(r, d)) * (r - d) == pytest.approx(r)


@pytest.mark.parametrize("rate, discount", [(-0.1, 0.1), (1.2, 0.1), (0.3, -0.01), (0.3, 1.0), (np.nan, 0.1)])
def test_breakeven_rejects_out_of_range(rate, discount):
    with pytest.raises(ValueError, match="breakeven_volume_increase"):
        breakeven_volume_increase(rate, discount)


def test_share_of_wallet_of_a_subset_ignores_the_other_accounts_orders():
    subset = accounts().iloc[1:]  # A1 left out, e.g. because it is a prospect
    sow = share_of_wallet(subset, orders_log(), "industry", as_of="2024-04-01")
    assert sow.loc["energy", "accounts"] == 1
    assert sow.loc["energy", "revenue"] == pytest.approx(80.0)
