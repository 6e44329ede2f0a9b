"""The shipped transaction logs (datasets/logs): the CDNOW sample and kamsim.datasets.log_path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kamsim import datasets
from kamsim.analytics import read_transactions, rfm_table

REPO = Path(__file__).resolve().parents[1]
LOG = REPO / "datasets" / "logs" / "cdnow_sample.csv"


@pytest.fixture(autouse=True)
def _no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(datasets.ENV_VAR, raising=False)


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return pd.read_csv(LOG, dtype={"date": str, "amount": str})


def test_cdnow_log_is_the_published_sample(log):
    assert list(log.columns) == ["customer_id", "date", "quantity", "amount"]
    assert len(log) == 6919 and log["customer_id"].nunique() == 2357
    assert log["customer_id"].is_monotonic_increasing and log["customer_id"].between(1, 2357).all()
    assert (log["date"].min(), log["date"].max()) == ("1997-01-01", "1998-06-30")
    assert log["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert log["amount"].str.fullmatch(r"\d+\.\d\d").all()  # as written: two decimals
    assert (log["quantity"] >= 1).all()
    first = log.groupby("customer_id")["date"].min()
    assert first.max() <= "1997-03-31"  # every customer first bought in Q1 1997
    assert (log["amount"].astype(float) == 0).sum() == 8
    assert log.duplicated(["customer_id", "date"]).sum() == 223


def test_rfm_table_reproduces_the_published_cdnow_summary():
    """rfm_table at the end of the 39-week calibration period gives tests/data/cdnow_summary.csv (2 decimals)."""
    table = rfm_table(pd.read_csv(LOG), cutoff="1997-09-30", freq="D/7", customer_col="customer_id")
    table.index = table.index.astype(int)  # the index is sorted as strings ("10" < "2")
    table = table.sort_index()
    summary = pd.read_csv(REPO / "tests" / "data" / "cdnow_summary.csv")  # customer i = row i - 1
    assert table.index.tolist() == list(range(1, len(summary) + 1))
    assert table["frequency"].tolist() == summary["frequency"].tolist()
    for column in ("recency", "T", "monetary_value"):
        np.testing.assert_allclose(table[column], summary[column], rtol=0, atol=0.005 + 1e-9, err_msg=column)


def test_log_path_finds_the_shipped_log(tmp_path, monkeypatch):
    assert datasets.available_logs() == ["cdnow_sample"] == sorted(datasets.LOGS)
    assert datasets.log_path("cdnow_sample") == LOG
    t = read_transactions(datasets.log_path("cdnow_sample"), customer_col="customer_id")
    assert len(t) == 6919 and t["amount"].sum() == pytest.approx(pd.read_csv(LOG)["amount"].sum())
    # A datasets folder with its own logs (KAMSIM_DATASETS or a student pack) is read first ...
    (tmp_path / "logs").mkdir()
    own = tmp_path / "logs" / "cdnow_sample.csv"
    own.write_text("customer_id,date,amount\n1,1997-01-01,1.00\n", encoding="utf-8")
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path))
    assert datasets.log_path("cdnow_sample") == own
    # ... one without (student packs copy only the portfolios) falls back to the source tree's logs.
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path / "elsewhere"))
    assert datasets.log_path("cdnow_sample") == LOG
    monkeypatch.setattr(datasets, "_REPO_LOGS", tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="transaction log 'cdnow_sample' not found: no file .*elsewhere"):
        datasets.log_path("cdnow_sample")


@pytest.mark.parametrize("name", ["cdnow", "small", "", None])
def test_unknown_log_names_the_available_ones(name):
    with pytest.raises(ValueError, match=r"unknown transaction log .*; available logs: cdnow_sample"):
        datasets.log_path(name)
