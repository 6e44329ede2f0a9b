"""read_transactions / check_transactions / as_transactions / customer_totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _analytics_data import CSV_COLUMNS, events_log, write_plain_csv

from kamsim.analytics import as_transactions, check_transactions, customer_totals, read_transactions
from kamsim.analytics.io import CANONICAL_COLUMNS, period_ordinal, period_start


def _write(tmp_path, text: str):
    path = tmp_path / "log.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_read_plain_csv_gives_canonical_log(tmp_path):
    path = write_plain_csv(tmp_path)
    log = read_transactions(path, **CSV_COLUMNS, margin_col="GrossMargin", product_col="Sku")
    assert tuple(log.columns) == CANONICAL_COLUMNS
    assert len(log) == 7
    assert log["date"].dtype == "datetime64[ns]"
    assert log["amount"].sum() == pytest.approx(850.0)
    assert log["margin"].sum() == pytest.approx(255.0)
    assert log.loc[0, "product_id"] == "P001"
    assert len(log.attrs["dropped_rows"]) == 0


def test_optional_columns_absent_are_missing(tmp_path):
    log = read_transactions(write_plain_csv(tmp_path), **CSV_COLUMNS)
    assert log["margin"].isna().all() and log["product_id"].isna().all()


def test_ids_keep_leading_zeros_and_are_stripped(tmp_path):
    path = _write(tmp_path, "cust,date,amount\n007 ,2024-01-01,5\n007,2024-01-02,6\n")
    log = read_transactions(path, "cust", "date", "amount")
    assert list(log["account_id"]) == ["007", "007"]


@pytest.mark.parametrize(
    ("text", "row", "line", "column", "reason"),
    [
        ("c,d,a\nA,2024-01-01,1\nB,2024-02-30,2\n", 1, 3, "d", "not a valid date"),
        ("c,d,a\nA,2024-01-01,1\nB,,2\n", 1, 3, "d", "missing date"),
        ("c,d,a\nA,2024-01-01,-3\n", 0, 2, "a", "negative amount"),
        ("c,d,a\nA,2024-01-01,abc\n", 0, 2, "a", "not a number"),
        ("c,d,a\nA,2024-01-01,1\nA,2024-01-02,\n", 1, 3, "a", "missing amount"),
        ("c,d,a\n,2024-01-01,1\n", 0, 2, "c", "missing customer id"),
        ("c,d,a\nA,2024-01-01,inf\n", 0, 2, "a", "not a finite number"),
    ],
)
def test_bad_rows_raise_naming_row_and_column(tmp_path, text, row, line, column, reason):
    path = _write(tmp_path, text)
    with pytest.raises(ValueError) as info:
        read_transactions(path, "c", "d", "a")
    msg = str(info.value)
    assert f"row {row}" in msg and f"line {line}" in msg and f"'{column}'" in msg and reason in msg
    assert "log.csv" in msg


def test_margin_above_amount_is_an_error(tmp_path):
    path = _write(tmp_path, "c,d,a,m\nA,2024-01-01,10,4\nA,2024-01-02,10,12\n")
    with pytest.raises(ValueError, match=r"row 1 .*'m'.*margin exceeds amount"):
        read_transactions(path, "c", "d", "a", margin_col="m")


def test_missing_column_names_column(tmp_path):
    path = write_plain_csv(tmp_path)
    with pytest.raises(ValueError, match=r"missing column\(s\) \['Amount'\]"):
        read_transactions(path, "Customer", "OrderDate", "Amount")


def test_drop_mode_drops_and_reports(tmp_path):
    path = _write(tmp_path, "c,d,a\nA,2024-01-01,1\nB,notadate,2\nC,2024-01-03,-1\nD,2024-01-04,4\nE,bad,-2\n")
    log = read_transactions(path, "c", "d", "a", on_error="drop")
    assert list(log["account_id"]) == ["A", "D"]
    report = log.attrs["dropped_rows"]
    assert list(report.columns) == ["row", "column", "value", "reason"]
    assert list(report["row"]) == [1, 2, 4, 4]
    assert list(report["reason"]) == ["not a valid date", "negative amount", "not a valid date", "negative amount"]
    assert report.loc[0, "value"] == "notadate"


def test_check_transactions_returns_pair_for_dataframe():
    df = pd.DataFrame({"c": ["A", "B"], "d": ["2024-01-01", "x"], "a": [1.0, 2.0]}, index=[10, 11])
    log, report = check_transactions(df, "c", "d", "a")
    assert len(log) == 1 and list(report["row"]) == [11]


def test_on_error_is_validated(tmp_path):
    with pytest.raises(ValueError, match="on_error"):
        read_transactions(write_plain_csv(tmp_path), **CSV_COLUMNS, on_error="ignore")


def test_missing_file():
    with pytest.raises(ValueError, match="no such transaction file"):
        read_transactions("/nonexistent/orders.csv")


def test_date_format_option(tmp_path):
    path = _write(tmp_path, "c,d,a\nA,05/01/2024,1\nA,20/01/2024,2\n")
    log = read_transactions(path, "c", "d", "a", date_format="%d/%m/%Y")
    assert list(log["date"]) == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-20")]


def test_as_transactions_selects_orders_of_events_log():
    log = as_transactions(events_log())
    assert len(log) == 7
    assert tuple(log.columns) == CANONICAL_COLUMNS
    assert log["margin"].sum() == pytest.approx(255.0)
    assert set(log["product_id"]) == {"P001", "P002", "P003"}


def test_as_transactions_rejects_bad_in_memory_rows():
    df = pd.DataFrame({"account_id": ["A"], "date": ["2024-01-01"], "amount": [-5.0]})
    with pytest.raises(ValueError, match=r"row 0, column 'amount': negative amount"):
        as_transactions(df)


def test_customer_totals_same_on_both_logs(tmp_path):
    a = customer_totals(events_log())
    b = customer_totals(read_transactions(write_plain_csv(tmp_path), **CSV_COLUMNS, margin_col="GrossMargin"))
    pd.testing.assert_frame_equal(a, b)
    assert a.loc["A1", "revenue"] == 350.0 and a.loc["A2", "orders"] == 2


def test_period_ordinals_and_starts():
    dates = pd.to_datetime(["2024-01-01", "2024-01-07", "2024-01-08", "2024-03-31"])
    w = period_ordinal(dates, "W")
    assert w[0] == w[1] and w[2] == w[0] + 1  # 2024-01-01 is a Monday
    assert list(period_start(w[:1], "W")) == [pd.Timestamp("2024-01-01")]
    m = period_ordinal(dates, "M")
    assert m[3] - m[0] == 2
    assert list(period_start(m[3:], "M")) == [pd.Timestamp("2024-03-01")]
    assert list(period_start(period_ordinal(dates[3:], "Q"), "Q")) == [pd.Timestamp("2024-01-01")]
    with pytest.raises(ValueError, match="freq"):
        period_ordinal(dates, "H")
    assert np.all(np.diff(period_ordinal(dates, "D")) >= 0)
