"""Tiny hand-made logs shared by the analytics tests.

The same seven orders appear twice: inside a kamsim-shaped ``events`` log
(schema.EVENTS columns, with visits, surveys, a complaint, a retention offer
and a churn) and as a plain external CSV with other column names.  Expected
values in the tests are computed by hand from this listing.

Orders (account, date, amount, margin)::

    A1 2024-01-05 100 30 | A1 2024-01-20  50 10 | A1 2024-03-10 200 60
    A2 2024-02-01  80 20 | A2 2024-02-01  20  5
    A3 2024-01-15 300 90 | A3 2024-04-30 100 40
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from kamsim import schema

ORDERS = [
    ("A1", "2024-01-05", 100.0, 30.0, "P001"),
    ("A1", "2024-01-20", 50.0, 10.0, "P002"),
    ("A1", "2024-03-10", 200.0, 60.0, "P001"),
    ("A2", "2024-02-01", 80.0, 20.0, "P001"),
    ("A2", "2024-02-01", 20.0, 5.0, "P003"),
    ("A3", "2024-01-15", 300.0, 90.0, "P002"),
    ("A3", "2024-04-30", 100.0, 40.0, "P002"),
]

#: Column names of the plain CSV log.
CSV_COLUMNS = {"customer_col": "Customer", "date_col": "OrderDate", "amount_col": "Revenue"}


def events_log() -> pd.DataFrame:
    """A kamsim-shaped events log holding the orders plus other event types."""
    rows = []

    def add(account, date, event_type, **kw):
        rows.append({"account_id": account, "date": date, "event_type": event_type, **kw})

    for account, date, amount, margin, product in ORDERS:
        add(account, date, "order", product_id=product, quantity=1.0, amount=amount, margin=margin)
    add("A1", "2024-01-02", "visit", manager_id="M1", hours=2.0)
    add("A1", "2024-02-10", "survey", score=8.0)
    add("A3", "2024-03-01", "survey", score=6.0)
    add("A3", "2024-02-01", "complaint_opened", detail="delivery")
    add("A3", "2024-02-06", "complaint_resolved", wait_days=5.0)
    add("A2", "2024-02-20", "call", manager_id="M2", hours=1.0)
    add("A2", "2024-03-01", "retention_offer", amount=50.0)
    add("A2", "2024-03-15", "stage_change", stage_from="mature", stage_to="lost")
    df = pd.DataFrame(rows)
    for col in schema.column_names("events"):
        if col not in df.columns:
            df[col] = np.nan
    df["date"] = pd.to_datetime(df["date"])
    df = df.sort_values("date", kind="stable").reset_index(drop=True)
    df["event_id"] = np.arange(len(df))
    df["month"] = (df["date"].dt.month - 1).astype("int64")
    return schema.validate_frame(df[schema.column_names("events")], "events")


def accounts_table() -> pd.DataFrame:
    """Accounts with the columns the KPI scorecard and tier functions use."""
    return pd.DataFrame(
        {
            "account_id": ["A1", "A2", "A3"],
            "tier": ["key", "key", "other"],
            "manager_id": ["M1", "M2", "M1"],
            "annual_potential_spend": [1200.0, 2400.0, 4800.0],
        }
    )


def write_plain_csv(tmp_path: Path) -> Path:
    """The orders as an external CSV with its own column names (and a margin column)."""
    path = tmp_path / "orders.csv"
    pd.DataFrame(
        {
            "Customer": [o[0] for o in ORDERS],
            "OrderDate": [o[1] for o in ORDERS],
            "Revenue": [o[2] for o in ORDERS],
            "GrossMargin": [o[3] for o in ORDERS],
            "Sku": [o[4] for o in ORDERS],
        }
    ).to_csv(path, index=False)
    return path
