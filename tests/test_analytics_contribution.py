"""contribution_table (margin / contribution by account, product, category, industry) and credit_flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _analytics_data import CSV_COLUMNS, events_log, write_plain_csv

from kamsim.analytics import contribution_table, credit_flags, cross_ratio, read_transactions
from kamsim.analytics.contribution import CONTRIBUTION_COLUMNS, CROSS_RATIO_COLUMNS, UNKNOWN
from kamsim.analytics.credit import CREDIT_COLUMNS

# Orders of _analytics_data (account, amount, margin, product):
#   A1: 100/30 P001, 50/10 P002, 200/60 P001 -> revenue 350, margin 100
#   A2:  80/20 P001, 20/5 P003               -> revenue 100, margin  25
#   A3: 300/90 P002, 100/40 P002             -> revenue 400, margin 130
# totals: revenue 850, margin 255.

PRODUCTS = pd.DataFrame({"product_id": ["P001", "P002"], "category": ["pumps", "software"]})
ACCOUNTS = pd.DataFrame(
    {
        "account_id": ["A1", "A2", "A3", "A4"],
        "industry": ["retail", "retail", "energy", "energy"],
        "credit_rating": ["B", "CCC", "AA", "BB"],
        "credit_risk": [0.09, 0.20, 0.001, 0.06],
    }
)


def test_by_account_by_hand():
    table = contribution_table(events_log())
    assert list(table.columns) == list(CONTRIBUTION_COLUMNS)
    assert table.index.name == "account_id"
    assert table.index.tolist() == ["A3", "A1", "A2"]  # sorted by margin, largest first
    assert table["orders"].tolist() == [2, 3, 2]
    assert table["accounts"].tolist() == [1, 1, 1]
    np.testing.assert_allclose(table["revenue"], [400, 350, 100])
    np.testing.assert_allclose(table["margin"], [130, 100, 25])
    np.testing.assert_allclose(table["margin_rate"], [130 / 400, 100 / 350, 25 / 100])
    np.testing.assert_allclose(table["revenue_share"], [400 / 850, 350 / 850, 100 / 850])
    np.testing.assert_allclose(table["margin_share"], [130 / 255, 100 / 255, 25 / 255])
    np.testing.assert_allclose(table["cumulative_margin_share"], [130 / 255, 230 / 255, 1.0])


def test_by_product_counts_distinct_accounts():
    table = contribution_table(events_log(), by="product_id")
    assert table.index.tolist() == ["P002", "P001", "P003"]
    np.testing.assert_allclose(table["margin"], [140, 110, 5])
    assert table["accounts"].tolist() == [2, 2, 1]


def test_by_product_category_groups_unknown_products():
    table = contribution_table(events_log(), by="category", products=PRODUCTS)
    assert table.index.name == "category"
    assert table.index.tolist() == ["software", "pumps", UNKNOWN]  # P003 is not in the catalogue
    np.testing.assert_allclose(table["revenue"], [450, 380, 20])
    np.testing.assert_allclose(table["margin_share"].sum(), 1.0)


def test_by_account_column_for_composition():
    table = contribution_table(events_log(), by="industry", accounts=ACCOUNTS)
    assert table.index.tolist() == ["energy", "retail"]
    np.testing.assert_allclose(table["revenue"], [400, 450])
    np.testing.assert_allclose(table["margin"], [130, 125])
    assert table["accounts"].tolist() == [1, 2]


def test_external_csv_log_gives_the_same_table(tmp_path):
    path = write_plain_csv(tmp_path)
    log = read_transactions(path, margin_col="GrossMargin", product_col="Sku", **CSV_COLUMNS)
    pd.testing.assert_frame_equal(contribution_table(log), contribution_table(events_log()))


def test_margin_rate_is_nan_for_zero_revenue():
    log = pd.DataFrame({"account_id": ["X", "Y"], "date": ["2024-01-01"] * 2, "amount": [0.0, 10.0],
                        "margin": [0.0, 4.0]})
    table = contribution_table(log)
    assert np.isnan(table.loc["X", "margin_rate"]) and table.loc["Y", "margin_rate"] == pytest.approx(0.4)


def test_errors_name_the_problem():
    no_margin = pd.DataFrame({"account_id": ["X"], "date": ["2024-01-01"], "amount": [10.0]})
    with pytest.raises(ValueError, match="no margin"):
        contribution_table(no_margin)
    with pytest.raises(ValueError, match="cannot group by 'category'"):
        contribution_table(events_log(), by="category")
    dup = pd.concat([PRODUCTS, PRODUCTS.iloc[:1]])
    with pytest.raises(ValueError, match="duplicate id 'P001'"):
        contribution_table(events_log(), by="category", products=dup)


def test_credit_flags_by_hand():
    # window of 60 days up to 2024-04-30 (last order): A1 200 (2024-03-10), A3 100 (2024-04-30).
    flags = credit_flags(ACCOUNTS, events_log(), exposure_days=60, exposure_quantile=0.5)
    assert list(flags.columns) == list(CREDIT_COLUMNS)
    assert flags.index.tolist() == ["A1", "A3", "A2", "A4"]  # by expected loss; ties keep table order
    np.testing.assert_allclose(flags.loc[["A1", "A2", "A3", "A4"], "exposure"], [200, 0, 100, 0])
    np.testing.assert_allclose(flags.loc[["A1", "A3"], "expected_loss"], [18.0, 0.1])
    # poor: B and CCC ratings, or risk >= 0.05 (A4, rated BB); large: exposure >= median 50 and > 0.
    assert flags.loc[["A1", "A2", "A3", "A4"], "poor_credit"].tolist() == [True, True, False, True]
    assert flags.loc[["A1", "A2", "A3", "A4"], "large_exposure"].tolist() == [True, False, True, False]
    assert flags.index[flags["flag"]].tolist() == ["A1"]


def test_credit_flags_cutoff_moves_the_window():
    flags = credit_flags(ACCOUNTS, events_log(), cutoff="2024-02-01", exposure_days=31, exposure_quantile=0.5)
    # window 2024-01-02 .. 2024-02-01: A1 100 + 50, A2 80 + 20, A3 300.
    np.testing.assert_allclose(flags.loc[["A1", "A2", "A3", "A4"], "exposure"], [150, 100, 300, 0])


def test_credit_flags_validation():
    with pytest.raises(ValueError, match="credit_risk"):
        credit_flags(ACCOUNTS.drop(columns="credit_risk"), events_log())
    with pytest.raises(ValueError, match="exposure_days"):
        credit_flags(ACCOUNTS, events_log(), exposure_days=0)
    with pytest.raises(ValueError, match="exposure_quantile"):
        credit_flags(ACCOUNTS, events_log(), exposure_quantile=1.0)
    with pytest.raises(ValueError, match="risk_threshold"):
        credit_flags(ACCOUNTS, events_log(), risk_threshold=2.0)


# cross_ratio on the same orders, by category (P001 pumps, P002 software, P003 not in the catalogue):
#   pumps:    A1 100/30 + 200/60, A2 80/20 -> revenue 380, margin 110
#   software: A1 50/10, A3 300/90 + 100/40  -> revenue 450, margin 140
#   (unknown): A2 20/5                       -> revenue  20, margin   5
STOCK = pd.DataFrame({"category": ["pumps", "software", "valves"], "average_stock": [95.0, 0.0, 40.0]})


def test_cross_ratio_by_hand():
    table = cross_ratio(events_log(), STOCK, years=0.5, products=PRODUCTS)
    assert list(table.columns) == list(CROSS_RATIO_COLUMNS)
    assert table.index.name == "category"
    # pumps: 760/year on 95 of stock -> turnover 8, margin rate 110/380, cross ratio 220/95 = 8 x 110/380.
    # valves: stocked but never sold -> turnover 0, cross ratio 0; software (no stock) and unknown (no row): NaN.
    assert table.index.tolist() == ["pumps", "valves", "software", UNKNOWN]
    pumps = table.loc["pumps"]
    assert pumps["revenue_per_year"] == pytest.approx(760.0)
    assert pumps["margin_per_year"] == pytest.approx(220.0)
    assert pumps["margin_rate"] == pytest.approx(110 / 380)
    assert pumps["turnover"] == pytest.approx(8.0)
    assert pumps["cross_ratio"] == pytest.approx(220 / 95)
    assert pumps["cross_ratio"] == pytest.approx(pumps["margin_rate"] * pumps["turnover"])
    assert table.loc["valves", ["revenue_per_year", "turnover", "cross_ratio"]].tolist() == [0.0, 0.0, 0.0]
    assert np.isnan(table.loc["valves", "margin_rate"])
    assert table.loc["software", "average_stock"] == 0.0
    assert table.loc[["software", UNKNOWN], ["turnover", "cross_ratio"]].isna().all().all()
    assert np.isnan(table.loc[UNKNOWN, "average_stock"])
    assert table.loc["software", "margin_rate"] == pytest.approx(140 / 450)


def test_cross_ratio_by_account_with_a_custom_stock_column():
    # consignment stock held for two accounts, over a log of one year
    stock = pd.DataFrame({"account_id": ["A1", "A3"], "consignment": [175.0, 50.0]})
    table = cross_ratio(events_log(), stock, years=1, by="account_id", stock_col="consignment")
    assert table.index.tolist() == ["A3", "A1", "A2"]
    np.testing.assert_allclose(table.loc[["A3", "A1"], "turnover"], [400 / 50, 350 / 175])
    np.testing.assert_allclose(table.loc[["A3", "A1"], "cross_ratio"], [130 / 50, 100 / 175])


def test_cross_ratio_errors_name_the_column():
    with pytest.raises(ValueError, match=r"stock table is missing column\(s\) \['average_stock'\]"):
        cross_ratio(events_log(), STOCK.rename(columns={"average_stock": "stock"}), years=1, products=PRODUCTS)
    with pytest.raises(ValueError, match=r"missing column\(s\) \['category'\]"):
        cross_ratio(events_log(), STOCK.rename(columns={"category": "line"}), years=1, products=PRODUCTS)
    negative = STOCK.assign(average_stock=[95.0, -1.0, 40.0])
    with pytest.raises(ValueError, match="column 'average_stock' row 1: expected a number >= 0"):
        cross_ratio(events_log(), negative, years=1, products=PRODUCTS)
    missing = STOCK.assign(average_stock=[95.0, 0.0, None])
    with pytest.raises(ValueError, match="column 'average_stock' row 2"):
        cross_ratio(events_log(), missing, years=1, products=PRODUCTS)
    twice = pd.concat([STOCK, STOCK.iloc[:1]], ignore_index=True)
    with pytest.raises(ValueError, match="column 'category' row 3: duplicate id 'pumps'"):
        cross_ratio(events_log(), twice, years=1, products=PRODUCTS)
    for years in (0, -1.0, float("nan"), "2", True):
        with pytest.raises(ValueError, match="years must be a number > 0"):
            cross_ratio(events_log(), STOCK, years=years, products=PRODUCTS)
    with pytest.raises(ValueError, match="stock must be a pandas DataFrame"):
        cross_ratio(events_log(), {"pumps": 95.0}, years=1, products=PRODUCTS)
    no_margin = pd.DataFrame({"account_id": ["X"], "date": ["2024-01-01"], "amount": [10.0]})
    with pytest.raises(ValueError, match="no margin"):
        cross_ratio(no_margin, STOCK.rename(columns={"category": "account_id"}), years=1, by="account_id")
