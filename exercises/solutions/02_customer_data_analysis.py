"""Reference solutions of exercises/02_customer_data_analysis.ipynb (for trainers; students: try first!).

One function per exercise, named ``ex_NN_K`` for exercise ``NN.K``; each
returns the answer a student would assign to ``answer`` in the notebook.
tests/test_exercises.py checks every function with ``kamsim.exercises.check``.
"""

import tempfile
from pathlib import Path

import kamsim
from kamsim.analytics import contribution_table, read_transactions, rfm_scores, rfm_table


def ex_02_1():
    """02.1: accounts that had ordered by 2023-06-30 but not in the 90 days before it (RFM recency > 90)."""
    portfolio = kamsim.datasets.load("small")
    rfm = rfm_table(portfolio.events, cutoff="2023-06-30")
    answer = (rfm["days_since_last"] > 90).sum()
    return answer


def ex_02_2():
    """02.2: number of accounts in the 'champions' RFM segment at 2023-06-30 (quintile scores)."""
    portfolio = kamsim.datasets.load("small")
    scores = rfm_scores(rfm_table(portfolio.events, cutoff="2023-06-30"), q=5)
    answer = (scores["segment"] == "champions").sum()
    return answer


def ex_02_3():
    """02.3: margin share of the category with the largest gross margin among the enterprise accounts' orders."""
    portfolio = kamsim.datasets.load("small")
    accounts, events = portfolio.accounts, portfolio.events
    enterprise = accounts.loc[accounts["size_band"] == "enterprise", "account_id"]
    orders = events[events["account_id"].isin(enterprise)]
    table = contribution_table(orders, by="category", products=portfolio.products)
    answer = table.loc[table["margin"].idxmax(), "margin_share"]
    return answer


def ex_02_4():
    """02.4: rows dropped when reading the order export with on_error='drop'."""
    from kamsim.exercises.ch02 import ORDERS_CSV

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "orders.csv"
        path.write_text(ORDERS_CSV, encoding="utf-8")
        log = read_transactions(path, customer_col="客户编号", date_col="下单日期", amount_col="金额",
                                margin_col="毛利", product_col="产品", on_error="drop")
    report = log.attrs["dropped_rows"]
    answer = report["row"].nunique()
    return answer
