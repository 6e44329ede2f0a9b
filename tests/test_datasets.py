"""Tests of kamsim.datasets: the shipped folders load, are current, and the README dictionary is up to date."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import kamsim
from kamsim import datasets, schema
from kamsim.datasets.dictionary import readme_text
from kamsim.generators import TOP20_SHARE_BAND
from kamsim.portfolio import Portfolio

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(datasets.ENV_VAR, raising=False)


@pytest.fixture(scope="module")
def shipped() -> dict[str, Portfolio]:
    return {name: Portfolio.from_dir(REPO / "datasets" / name) for name in datasets.available()}


def test_registry() -> None:
    assert datasets.available() == ["medium", "small", "small_zh"]
    assert datasets.DATASETS["small"].n_accounts == 200 and datasets.DATASETS["small"].locale == "en_US"
    assert datasets.DATASETS["small_zh"].n_accounts == 200 and datasets.DATASETS["small_zh"].locale == "zh_CN"
    assert datasets.DATASETS["medium"].n_accounts == 2000
    assert datasets.datasets_dir() == REPO / "datasets"
    assert kamsim.datasets is datasets


@pytest.mark.parametrize("name", ["small", "small_zh", "medium"])
def test_shipped_dataset_is_current(name: str, tmp_path: Path, shipped: dict[str, Portfolio]) -> None:
    folder = datasets.build(name, tmp_path)
    assert folder == tmp_path / name
    fresh = Portfolio.from_dir(folder)
    for table in schema.TABLES:
        pd.testing.assert_frame_equal(getattr(fresh, table), getattr(shipped[name], table), obj=f"{name}/{table}")
    for table in schema.TABLES:
        assert (folder / f"{table}.csv").read_bytes() == (REPO / "datasets" / name / f"{table}.csv").read_bytes(), (
            f"datasets/{name}/{table}.csv is stale: run python tools/make_datasets.py"
        )
    volatile = {"kamsim_version"}
    strip = lambda m: {k: v for k, v in m.items() if k not in volatile}  # noqa: E731
    assert strip(fresh.meta) == strip(shipped[name].meta)


@pytest.mark.parametrize("name", ["small", "small_zh", "medium"])
def test_load(name: str) -> None:
    p = datasets.load(name)
    spec = datasets.DATASETS[name]
    assert isinstance(p, Portfolio)
    assert len(p.accounts) == spec.n_accounts
    assert (p.meta["seed"], p.meta["locale"], p.meta["history_months"]) == (spec.seed, spec.locale, spec.history_months)
    assert p.accounts["employees"].dtype == "int64"
    assert TOP20_SHARE_BAND[0] <= p.top_share() <= TOP20_SHARE_BAND[1]


def test_small_zh_is_chinese() -> None:
    acc = datasets.load("small_zh").accounts
    assert acc["company_name"].str.contains(r"[\u4e00-\u9fff]").all()
    assert acc["region"].str.endswith(("省", "市", "自治区")).all()


def test_unknown_name_lists_available() -> None:
    with pytest.raises(ValueError, match=r"unknown dataset 'huge'; available: medium, small, small_zh"):
        datasets.load("huge")
    with pytest.raises(ValueError, match="unknown dataset"):
        datasets.build("huge", "/nonexistent")


def test_env_var_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path))
    assert datasets.datasets_dir() == tmp_path
    with pytest.raises(FileNotFoundError, match="make_datasets"):
        datasets.load("small")
    datasets.build("small")
    assert (tmp_path / "small" / "accounts.csv").is_file()
    assert len(datasets.load("small").accounts) == 200


def test_readme_is_current(shipped: dict[str, Portfolio]) -> None:
    text = (REPO / "datasets" / "README.md").read_text(encoding="utf-8")
    assert text == readme_text(shipped), "datasets/README.md is stale: run python tools/make_datasets.py"
    for table, cols in schema.TABLES.items():
        assert f"### `{table}`" in text
        for col in cols:
            assert re.search(rf"\| `{col.name}` \| {col.kind} \| ", text), (table, col.name)


def test_scenario_path_finds_shipped_scenarios_from_any_folder(tmp_path, monkeypatch):
    from kamsim import Scenario

    monkeypatch.chdir(tmp_path)
    path = datasets.scenario_path("am_allocation")
    assert path.name == "am_allocation.yaml" and Scenario.from_file(path).name
    with pytest.raises(ValueError, match="unknown scenario 'nope'; available: .*am_allocation"):
        datasets.scenario_path("nope")
