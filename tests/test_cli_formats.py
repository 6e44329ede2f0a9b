"""``--format parquet`` for generate, simulate and compare: the same tables as the CSV files, smaller."""

from __future__ import annotations

import pandas as pd
import pytest

from kamsim.cli import main

pytest.importorskip("pyarrow")


def test_generate_parquet_loads_as_the_csv_portfolio(tmp_path):
    import kamsim

    assert main(["generate", "--accounts", "30", "--seed", "2", "--out", str(tmp_path / "csv")]) == 0
    assert main(["generate", "--accounts", "30", "--seed", "2", "--format", "parquet", "--out", str(tmp_path / "pq")]) == 0
    a, b = kamsim.Portfolio.from_dir(tmp_path / "csv"), kamsim.Portfolio.from_dir(tmp_path / "pq")
    for name in ("accounts", "products", "account_managers"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_dtype=False)


def test_simulate_parquet_equals_csv(tmp_path):
    common = ["simulate", "--accounts", "25", "--seed", "3", "--months", "3"]
    assert main([*common, "--out", str(tmp_path / "csv")]) == 0
    assert main([*common, "--format", "parquet", "--out", str(tmp_path / "pq")]) == 0
    for name in ("events", "panel", "kpis"):
        csv = pd.read_csv(tmp_path / "csv" / f"{name}.csv")
        pq = pd.read_parquet(tmp_path / "pq" / f"{name}.parquet")
        assert list(csv.columns) == list(pq.columns) and len(csv) == len(pq)
    kpis_csv = pd.read_csv(tmp_path / "csv" / "kpis.csv")
    kpis_pq = pd.read_parquet(tmp_path / "pq" / "kpis.parquet")
    assert kpis_csv["value"].to_numpy() == pytest.approx(kpis_pq["value"].to_numpy(), nan_ok=True)


def test_compare_parquet(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: tiny\n", encoding="utf-8")
    assert main(["compare", "--scenario", str(scenario), "--accounts", "20", "--months", "2", "--replications", "2", "--policies",
                 "status_quo,blanket", "--no-progress", "--format", "parquet", "--out", str(tmp_path / "c")]) == 0
    paired = pd.read_parquet(tmp_path / "c" / "paired.parquet")
    assert set(paired["policy"]) == {"blanket"}
    assert not (tmp_path / "c" / "paired.csv").exists()


def test_unknown_format_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "--accounts", "5", "--format", "xlsx", "--out", str(tmp_path / "x")])
    assert exc.value.code == 2 and "--format" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
