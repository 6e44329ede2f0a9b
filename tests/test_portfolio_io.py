"""Tests of kamsim.portfolio: validate, to_dir / from_dir round trip, atomic writes, load errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from kamsim import portfolio as portfolio_mod
from kamsim import schema
from kamsim.analytics import top_share
from kamsim.generators import generate_portfolio
from kamsim.portfolio import Portfolio, is_portfolio_dir
from kamsim.schema import SchemaError

TABLES = list(schema.TABLES)


@pytest.fixture(scope="module")
def portfolio() -> Portfolio:
    return generate_portfolio(60, seed=4)


@pytest.fixture()
def saved(portfolio: Portfolio, tmp_path: Path) -> Path:
    return portfolio.to_dir(tmp_path / "p")


def _with_events(p: Portfolio) -> Portfolio:
    rows = [
        dict(event_id=0, account_id="A00001", date="2023-11-03", month=-2, event_type="order", product_id="P002",
             quantity=3.0, amount=900.0, margin=270.0, manager_id="M001"),
        dict(event_id=1, account_id="A00002", date="2023-12-01", month=-1, event_type="visit", manager_id="M002",
             hours=2.5, detail="annual review"),
        dict(event_id=2, account_id="A00002", date="2023-12-05", month=-1, event_type="stage_change",
             stage_from="new", stage_to="growing"),
    ]
    events = pd.DataFrame(rows, columns=schema.column_names("events"))
    return Portfolio(p.accounts, p.contacts, p.products, p.account_managers, events, dict(p.meta)).validate()


def _edit_csv(folder: Path, table: str, edit) -> None:
    file = folder / f"{table}.csv"
    df = pd.read_csv(file, dtype=str, keep_default_na=False)
    result = edit(df)
    (df if result is None else result).to_csv(file, index=False, lineterminator="\n")


def test_round_trip(portfolio: Portfolio, saved: Path) -> None:
    loaded = Portfolio.from_dir(saved)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(portfolio, name))
    assert loaded.meta == portfolio.meta
    assert sorted(p.name for p in saved.iterdir()) == sorted([f"{t}.csv" for t in TABLES] + ["schema.json"])


def test_round_trip_with_events_and_zh(tmp_path: Path) -> None:
    p = _with_events(generate_portfolio(20, seed=2, locale="zh_CN"))
    loaded = Portfolio.from_dir(p.to_dir(tmp_path / "zh"))
    pd.testing.assert_frame_equal(loaded.events, p.events)
    pd.testing.assert_frame_equal(loaded.accounts, p.accounts)
    assert len(loaded.transactions) == 1 and loaded.transactions["amount"].iloc[0] == 900.0


def test_schema_json(portfolio: Portfolio, saved: Path) -> None:
    doc = json.loads((saved / "schema.json").read_text(encoding="utf-8"))
    assert doc["format"] == "kamsim-portfolio" and doc["file_format"] == "csv"
    assert doc["meta"] == portfolio.meta
    for name, cols in schema.TABLES.items():
        entry = doc["tables"][name]
        assert entry["rows"] == len(getattr(portfolio, name))
        assert [c["name"] for c in entry["columns"]] == [c.name for c in cols]
        assert [c["description"] for c in entry["columns"]] == [c.description for c in cols]
        assert all(c["dtype"] for c in entry["columns"])
    kinds = {c["name"]: c["dtype"] for c in doc["tables"]["accounts"]["columns"]}
    assert kinds["employees"] == "int64" and kinds["acquisition_date"] == "datetime64[ns]"


def test_byte_identical_csvs_for_same_seed(tmp_path: Path) -> None:
    a = generate_portfolio(150, seed=9).to_dir(tmp_path / "a")
    b = generate_portfolio(150, seed=9).to_dir(tmp_path / "b")
    c = generate_portfolio(150, seed=10).to_dir(tmp_path / "c")
    for name in TABLES:
        assert (a / f"{name}.csv").read_bytes() == (b / f"{name}.csv").read_bytes()
    assert (a / "schema.json").read_bytes() == (b / "schema.json").read_bytes()
    assert (a / "accounts.csv").read_bytes() != (c / "accounts.csv").read_bytes()
    assert (a / "contacts.csv").read_bytes() != (c / "contacts.csv").read_bytes()


def test_dates_written_as_iso_dates(saved: Path) -> None:
    text = (saved / "accounts.csv").read_text(encoding="utf-8")
    assert "00:00:00" not in text


def test_overwrite_rules(portfolio: Portfolio, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    portfolio.to_dir(empty)  # an empty folder is fine
    assert is_portfolio_dir(empty)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        portfolio.to_dir(empty)
    other = generate_portfolio(10, seed=1)
    other.to_dir(empty, overwrite=True)
    assert len(Portfolio.from_dir(empty).accounts) == 10

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="not a kamsim portfolio"):
        portfolio.to_dir(foreign, overwrite=True)
    assert (foreign / "notes.txt").read_text() == "keep me"

    a_file = tmp_path / "file.csv"
    a_file.write_text("x")
    with pytest.raises(FileExistsError, match="not a folder"):
        portfolio.to_dir(a_file)


def test_to_dir_is_atomic(portfolio: Portfolio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "p"
    portfolio.to_dir(target)
    before = {f.name: f.read_bytes() for f in target.iterdir()}
    real_write = portfolio_mod._write_table

    def failing(frame: pd.DataFrame, file: Path, fmt: str) -> None:
        if file.name.startswith("events"):
            raise OSError("disk full")
        real_write(frame, file, fmt)

    monkeypatch.setattr(portfolio_mod, "_write_table", failing)
    with pytest.raises(OSError, match="disk full"):
        generate_portfolio(10, seed=1).to_dir(target, overwrite=True)
    with pytest.raises(OSError, match="disk full"):
        portfolio.to_dir(tmp_path / "new")
    assert {f.name: f.read_bytes() for f in target.iterdir()} == before
    assert not (tmp_path / "new").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]  # no temporary folders left


def test_bad_format(portfolio: Portfolio, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="format"):
        portfolio.to_dir(tmp_path / "x", format="xlsx")


def test_parquet_needs_pyarrow(portfolio: Portfolio, tmp_path: Path) -> None:
    if portfolio_mod.has_pyarrow():
        loaded = Portfolio.from_dir(portfolio.to_dir(tmp_path / "pq", format="parquet"))
        pd.testing.assert_frame_equal(loaded.accounts, portfolio.accounts)
    else:
        with pytest.raises(ValueError, match="pyarrow"):
            portfolio.to_dir(tmp_path / "pq", format="parquet")
        assert not (tmp_path / "pq").exists()


def test_top_share(portfolio: Portfolio) -> None:
    assert portfolio.top_share() == pytest.approx(top_share(portfolio.accounts["annual_potential_spend"]))
    assert portfolio.top_share(top=1.0) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="no column"):
        portfolio.top_share(column="revenue")


def test_validate_in_memory_dangling_key(portfolio: Portfolio) -> None:
    acc = portfolio.accounts.copy()
    acc.loc[3, "manager_id"] = "M999"
    bad = Portfolio(acc, portfolio.contacts, portfolio.products, portfolio.account_managers, meta={})
    with pytest.raises(SchemaError, match=r"accounts: column 'manager_id' row 3: 'M999'"):
        bad.validate()


# ---------------------------------------------------------------- load errors: file, column and row


def test_missing_column(saved: Path) -> None:
    _edit_csv(saved, "accounts", lambda df: df.drop(columns=["employees"]))
    with pytest.raises(SchemaError, match=r"accounts\.csv: missing column\(s\) \['employees'\]"):
        Portfolio.from_dir(saved)


def test_wrong_dtype(saved: Path) -> None:
    _edit_csv(saved, "accounts", lambda df: df.__setitem__("employees", df["employees"].where(df.index != 7, "many")))
    with pytest.raises(SchemaError, match=r"accounts\.csv: column 'employees' row 7: cannot read as int"):
        Portfolio.from_dir(saved)


def test_wrong_float(saved: Path) -> None:
    def edit(df: pd.DataFrame) -> None:
        df.loc[2, "list_price"] = "cheap"

    _edit_csv(saved, "products", edit)
    with pytest.raises(SchemaError, match=r"products\.csv: column 'list_price' row 2"):
        Portfolio.from_dir(saved)


def test_bad_category(saved: Path) -> None:
    def edit(df: pd.DataFrame) -> None:
        df.loc[4, "stage"] = "dormant"

    _edit_csv(saved, "accounts", edit)
    with pytest.raises(SchemaError, match=r"accounts\.csv: column 'stage' row 4: 'dormant'"):
        Portfolio.from_dir(saved)


def test_duplicate_id(saved: Path) -> None:
    def edit(df: pd.DataFrame) -> None:
        df.loc[5, "contact_id"] = df.loc[1, "contact_id"]

    _edit_csv(saved, "contacts", edit)
    with pytest.raises(SchemaError, match=r"contacts\.csv: column 'contact_id' row 5: duplicate id 'C000002'"):
        Portfolio.from_dir(saved)


def test_dangling_foreign_key(saved: Path) -> None:
    def edit(df: pd.DataFrame) -> None:
        df.loc[6, "account_id"] = "A99999"

    _edit_csv(saved, "contacts", edit)
    with pytest.raises(SchemaError, match=r"contacts\.csv: column 'account_id' row 6: 'A99999' not found in accounts"):
        Portfolio.from_dir(saved)


def test_missing_value(saved: Path) -> None:
    def edit(df: pd.DataFrame) -> None:
        df.loc[0, "company_name"] = ""

    _edit_csv(saved, "accounts", edit)
    with pytest.raises(SchemaError, match=r"accounts\.csv: column 'company_name' row 0: missing value"):
        Portfolio.from_dir(saved)


def test_missing_file(saved: Path) -> None:
    (saved / "products.csv").unlink()
    with pytest.raises(SchemaError, match=r"products\.csv: missing file"):
        Portfolio.from_dir(saved)


def test_missing_schema_json(saved: Path) -> None:
    (saved / "schema.json").unlink()
    with pytest.raises(SchemaError, match=r"schema\.json: missing file"):
        Portfolio.from_dir(saved)


def test_corrupt_schema_json(saved: Path) -> None:
    (saved / "schema.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"schema\.json: not valid JSON"):
        Portfolio.from_dir(saved)
    (saved / "schema.json").write_text('{"format": "something-else"}', encoding="utf-8")
    with pytest.raises(SchemaError, match="not a kamsim portfolio"):
        Portfolio.from_dir(saved)


def test_corrupt_csv_extra_fields(saved: Path) -> None:
    file = saved / "account_managers.csv"
    lines = file.read_text(encoding="utf-8").splitlines()
    lines[2] += ",unexpected,fields"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"account_managers\.csv: corrupt CSV .*line 3"):
        Portfolio.from_dir(saved)


def test_truncated_csv(saved: Path) -> None:
    file = saved / "accounts.csv"
    data = file.read_bytes()
    file.write_bytes(data[: len(data) // 2])  # cut in the middle of a row
    with pytest.raises(SchemaError, match=r"accounts\.csv: 30 rows, schema\.json says 60 — the file is truncated"):
        Portfolio.from_dir(saved)
    with pytest.raises(SchemaError, match=r"accounts\.csv: column '\w+' row \d+"):  # the content check still names the row
        Portfolio.from_dir(saved, verify=False)


def test_empty_and_binary_files(saved: Path) -> None:
    (saved / "events.csv").write_bytes(b"")
    with pytest.raises(SchemaError, match=r"events\.csv: empty file"):
        Portfolio.from_dir(saved)
    (saved / "events.csv").write_bytes(b"\xff\xfe\x00garbage\x89PNG")
    with pytest.raises(SchemaError, match=r"events\.csv"):
        Portfolio.from_dir(saved)


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not found"):
        Portfolio.from_dir(tmp_path / "nowhere")
