"""Checks of chapter 02 (customer data analysis): RFM, contribution, external transaction logs.

Each check computes its expected answer from the shipped, seeded ``small``
portfolio (24 months of CRM history, 2022-01-01 to 2023-12-31) or from the
small order file :data:`ORDERS_CSV` with kamsim functions, and lists the
plausible mistakes: BG/NBD recency instead of RFM days since the last order,
revenue instead of margin, problems counted instead of rows.  The chapter
notebook prints the RFM segments at the end of the log and the category
contribution of the whole portfolio, so 02.1 and 02.2 use the mid-year cutoff
and 02.3 the orders of the enterprise accounts.
"""

from __future__ import annotations

import io
from functools import lru_cache

import pandas as pd

from kamsim.exercises.compare import integer, number
from kamsim.exercises.core import exercise
from kamsim.exercises.data import portfolio

#: Dataset the chapter 02 exercises use (``kamsim.datasets.load(DATASET)``).
DATASET = "small"

#: Cutoff and dormancy threshold (days since the last order) of exercise 02.1.
RFM_CUTOFF = "2023-06-30"
DORMANT_DAYS = 90

#: Cutoff of exercise 02.2 (mid-2023; the chapter scores the end of the log, :data:`END_CUTOFF`).
SEGMENT_CUTOFF = "2023-06-30"
END_CUTOFF = "2023-12-31"

#: Size band whose orders exercise 02.3 analyses.
SIZE_BAND_02_3 = "enterprise"

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


def _dormant(cutoff: str | None, column: str = "days_since_last") -> int:
    """Accounts of the RFM table at ``cutoff`` whose ``column`` exceeds :data:`DORMANT_DAYS`."""
    return int((_rfm(cutoff)[column] > DORMANT_DAYS).sum())


@exercise(
    "02.1",
    title="Accounts without an order for more than 90 days",
    hint=f"call rfm_table(portfolio.events, cutoff='{RFM_CUTOFF}') (one row per account that had ordered by "
    f"then) and count the rows whose RFM recency 'days_since_last' is greater than {DORMANT_DAYS}.",
    compare=integer(),
    mistakes=lambda expected: {
        "that uses the BG/NBD 'recency' column (the account's age at its last order); RFM recency is "
        "'days_since_last', the days from the last order to the cutoff.": _dormant(RFM_CUTOFF, "recency"),
        f"that is measured at the end of the log; pass cutoff='{RFM_CUTOFF}' to rfm_table.": _dormant(None),
        "that uses 'T', the account's age at the cutoff; the task asks for the days since its last order.": _dormant(
            RFM_CUTOFF, "T"
        ),
        f"that counts the accounts with at most {DORMANT_DAYS} days since their last order (the active ones); "
        f"the task asks for more than {DORMANT_DAYS} days.": len(_rfm(RFM_CUTOFF)) - expected,
        "that is every account in the RFM table; keep only those whose days_since_last is above the "
        "threshold.": len(_rfm(RFM_CUTOFF)),
    },
)
def days_since_last() -> int:
    """Accounts that had ordered by :data:`RFM_CUTOFF` but not in the :data:`DORMANT_DAYS` days before it."""
    return _dormant(RFM_CUTOFF)


def _scores(cutoff: str = SEGMENT_CUTOFF) -> pd.DataFrame:
    from kamsim.analytics import rfm_scores

    return rfm_scores(_rfm(cutoff), q=5)


@exercise(
    "02.2",
    title="Accounts in the 'champions' RFM segment at mid-year",
    hint=f"score rfm_table(portfolio.events, cutoff='{SEGMENT_CUTOFF}') with rfm_scores(..., q=5) and count the "
    "rows whose 'segment' is 'champions'.",
    compare=integer(),
    mistakes=lambda expected: {
        f"that is the number of champions at the end of the log ({END_CUTOFF}); score the RFM table at the "
        f"cutoff '{SEGMENT_CUTOFF}'.": int((_scores(END_CUTOFF)["segment"] == "champions").sum()),
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


def _categories(size_band: str | None = SIZE_BAND_02_3) -> pd.DataFrame:
    """contribution_table by category of the orders of the ``size_band`` accounts (``None``: all accounts)."""
    from kamsim.analytics import contribution_table

    p = portfolio(DATASET)
    events = p.events
    if size_band is not None:
        ids = p.accounts.loc[p.accounts["size_band"] == size_band, "account_id"]
        events = events[events["account_id"].isin(ids)]
    return contribution_table(events, by="category", products=p.products)


def _mistakes_02_3(expected: float) -> dict[str, float]:
    table = _categories()
    everyone = _categories(None)
    return {
        "that is the margin share of the category that leads the whole portfolio; among the enterprise accounts "
        "another category contributes the most margin.": float(table.loc[everyone["margin"].idxmax(), "margin_share"]),
        "that is the margin share of the category with the most revenue; the task asks for the category with the "
        "largest gross margin.": float(table.loc[table["revenue"].idxmax(), "margin_share"]),
        "that category has the highest margin rate, but it sells too little to contribute the most margin.": float(
            table.loc[table["margin_rate"].idxmax(), "margin_share"]
        ),
        "that is the category's share of the enterprise accounts' revenue; give its share of their margin "
        "('margin_share').": float(table.loc[table["margin"].idxmax(), "revenue_share"]),
        "that is the leading category's share of the whole portfolio's margin; keep only the orders of the "
        "enterprise accounts.": float(everyone["margin_share"].max()),
        "that is the margin rate of the category (margin / revenue); the task asks for its share of the total "
        "margin ('margin_share').": float(table.loc[table["margin"].idxmax(), "margin_rate"]),
    }


@exercise(
    "02.3",
    title="Margin share of the enterprise accounts' leading category",
    hint="keep the orders of the accounts whose size_band is 'enterprise' (events['account_id'].isin(ids)), call "
    "contribution_table(those_events, by='category', products=portfolio.products), find the category with the "
    "largest 'margin' and read its 'margin_share'.",
    compare=number(),
    mistakes=_mistakes_02_3,
)
def top_margin_category() -> float:
    """Share (0-1) of the enterprise accounts' gross margin that their top-margin product category contributes."""
    table = _categories()
    return float(table.loc[table["margin"].idxmax(), "margin_share"])


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
