"""Checks of chapter 02 (customer data analysis): RFM, contribution, external transaction logs.

Each check computes its expected answer from the shipped, seeded ``small``
portfolio (24 months of CRM history, 2022-01-01 to 2023-12-31) or from the
small order file :data:`ORDERS_CSV` with kamsim functions, and lists the
plausible mistakes: BG/NBD recency instead of RFM days since the last order,
revenue instead of margin, problems counted instead of rows.
"""

from __future__ import annotations

import io
from functools import lru_cache

import pandas as pd

from kamsim.exercises.compare import integer, text
from kamsim.exercises.core import exercise
from kamsim.exercises.data import portfolio

#: Dataset the chapter 02 exercises use (``kamsim.datasets.load(DATASET)``).
DATASET = "small"

#: Account and cutoff of exercise 02.1.
RFM_ACCOUNT = "A00059"
RFM_CUTOFF = "2023-06-30"

#: Cutoff of exercise 02.2 (the last day of the shipped history).
SEGMENT_CUTOFF = "2023-12-31"

#: A small order export with Chinese column names and three bad rows (exercise 02.4).
#: Columns: 客户编号 customer id, 下单日期 order date, 金额 amount (CU), 毛利 gross margin (CU), 产品 product.
ORDERS_CSV = """\
客户编号,下单日期,金额,毛利,产品
A00007,2023-11-02,5120.50,1530.10,P003
A00007,2023-11-20,980.00,290.40,P008
A00039,2023-11-05,12400.00,3100.00,P001
A00039,2023-02-30,860.00,250.00,P008
A00049,2023-11-08,3300.00,1580.00,P004
A00049,2023-12-01,2890.00,810.00,P003
A00090,,-150.00,20.00,P001
A00090,2023-12-04,1490.00,430.00,P008
A00104,2023-12-06,7600.00,5280.00,P005
A00104,2023-12-11,450.00,600.00,P008
A00116,2023-12-15,22800.00,5500.00,P006
A00116,2023-12-20,1760.00,520.00,P003
"""

#: Column names of :data:`ORDERS_CSV` as keyword arguments of ``read_transactions``.
ORDERS_COLUMNS = {
    "customer_col": "客户编号",
    "date_col": "下单日期",
    "amount_col": "金额",
    "margin_col": "毛利",
    "product_col": "产品",
}


@lru_cache(maxsize=4)
def _rfm(cutoff: str | None) -> pd.DataFrame:
    from kamsim.analytics import rfm_table

    return rfm_table(portfolio(DATASET).events, cutoff=cutoff)


@exercise(
    "02.1",
    title="Days since the last order at a cutoff",
    hint=f"call rfm_table(portfolio.events, cutoff='{RFM_CUTOFF}') and read the RFM recency column "
    f"'days_since_last' in the row of {RFM_ACCOUNT}.",
    compare=integer(),
    mistakes=lambda expected: {
        "that is the BG/NBD 'recency' column (the account's age at its last order); RFM recency is "
        "'days_since_last', the days from the last order to the cutoff.": int(
            _rfm(RFM_CUTOFF).loc[RFM_ACCOUNT, "recency"]
        ),
        f"that is measured at the end of the log; pass cutoff='{RFM_CUTOFF}' to rfm_table.": int(
            _rfm(None).loc[RFM_ACCOUNT, "days_since_last"]
        ),
        "that is 'T', the account's age at the cutoff; the task asks for the days since its last order.": int(
            _rfm(RFM_CUTOFF).loc[RFM_ACCOUNT, "T"]
        ),
    },
)
def days_since_last() -> int:
    """RFM recency (days from the last order to the cutoff) of :data:`RFM_ACCOUNT` at :data:`RFM_CUTOFF`."""
    return int(_rfm(RFM_CUTOFF).loc[RFM_ACCOUNT, "days_since_last"])


def _scores() -> pd.DataFrame:
    from kamsim.analytics import rfm_scores

    return rfm_scores(_rfm(SEGMENT_CUTOFF), q=5)


@exercise(
    "02.2",
    title="Accounts in the 'champions' RFM segment",
    hint=f"score rfm_table(portfolio.events, cutoff='{SEGMENT_CUTOFF}') with rfm_scores(..., q=5) and count the "
    "rows whose 'segment' is 'champions'.",
    compare=integer(),
    mistakes=lambda expected: {
        "that counts the 'loyal' segment; champions are the accounts with both R and F scores high.": int(
            (_scores()["segment"] == "loyal").sum()
        ),
        "that counts every account with R = 5 only; champions need a high F score as well.": int(
            (_scores()["R"] == 5).sum()
        ),
        "that counts the RFM code '555' only; the 'champions' segment uses R and F, not M.": int(
            (_scores()["rfm_code"] == "555").sum()
        ),
    },
)
def champions() -> int:
    """Number of accounts in the ``champions`` segment of ``rfm_scores`` (q = 5) at :data:`SEGMENT_CUTOFF`."""
    return int((_scores()["segment"] == "champions").sum())


def _categories() -> pd.DataFrame:
    from kamsim.analytics import contribution_table

    p = portfolio(DATASET)
    return contribution_table(p.events, by="category", products=p.products)


@exercise(
    "02.3",
    title="Product category with the largest margin contribution",
    hint="call contribution_table(portfolio.events, by='category', products=portfolio.products) and take the "
    "category with the largest 'margin' (or 'margin_share').",
    compare=text(),
    mistakes=lambda expected: {
        "that category brings the most revenue; the task asks for the largest gross margin.": str(
            _categories()["revenue"].idxmax()
        ),
        "that category has the highest margin rate, but it sells too little to contribute the most margin.": str(
            _categories()["margin_rate"].idxmax()
        ),
    },
)
def top_margin_category() -> str:
    """Product category with the largest total gross margin in the ``small`` history."""
    return str(_categories()["margin"].idxmax())


def _orders_report() -> pd.DataFrame:
    from kamsim.analytics.io import check_transactions

    raw = pd.read_csv(io.StringIO(ORDERS_CSV), dtype=str, keep_default_na=False, na_values=[""])
    _, report = check_transactions(raw, **ORDERS_COLUMNS)
    return report


@exercise(
    "02.4",
    title="Rows dropped from an external order file",
    hint="read the file with read_transactions(path, ..., on_error='drop') using its Chinese column names, then "
    "count the distinct 'row' values of log.attrs['dropped_rows'].",
    compare=integer(),
    mistakes=lambda expected: {
        "that is the number of problems; one row can have several problems. Count distinct rows.": len(
            _orders_report()
        ),
        "that is the number of rows kept; the task asks how many were dropped.": len(
            ORDERS_CSV.strip().splitlines()
        )
        - 1
        - int(_orders_report()["row"].nunique()),
        "that is the number of all data rows in the file.": len(ORDERS_CSV.strip().splitlines()) - 1,
    },
)
def dropped_rows() -> int:
    """Number of data rows of :data:`ORDERS_CSV` that ``read_transactions(..., on_error="drop")`` drops."""
    return int(_orders_report()["row"].nunique())
