"""kamsim.analytics.team: workload per account manager and coverage matrices.

Expected numbers of the tiny cases are worked out by hand in the comments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kamsim
from kamsim.analytics import coverage_matrix, manager_workload
from kamsim.analytics.team import WORKLOAD_COLUMNS


def _events(rows: list[dict]) -> pd.DataFrame:
    cols = ["account_id", "month", "event_type", "hours", "amount", "margin", "manager_id"]
    frame = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)
    for c in ("hours", "amount", "margin"):
        frame[c] = frame[c].astype("float64")
    for c in ("account_id", "event_type", "manager_id"):
        frame[c] = frame[c].astype("string")
    frame["month"] = frame["month"].astype("int64")
    return frame


@pytest.fixture
def managers() -> pd.DataFrame:
    return pd.DataFrame(
        {"manager_id": ["M1", "M2"], "name": ["Ann", "Bo"], "region": ["East", "West"], "capacity_hours": [10.0, 30.0], "skill": [0.5, 0.8]}
    )


@pytest.fixture
def accounts() -> pd.DataFrame:
    # M1 owns A1 (East) and A2 (West); M2 owns A3 (West)
    return pd.DataFrame(
        {
            "account_id": ["A1", "A2", "A3"],
            "manager_id": ["M1", "M1", "M2"],
            "region": ["East", "West", "West"],
            "annual_potential_spend": [100.0, 300.0, 600.0],
        }
    )


@pytest.fixture
def log() -> pd.DataFrame:
    """Months -1 and 0; month -2 holds one visit outside a 2-month window."""
    return _events(
        [
            dict(account_id="A1", month=-2, event_type="visit", hours=7.0, manager_id="M1"),
            dict(account_id="A1", month=-1, event_type="visit", hours=2.0, manager_id="M1"),
            dict(account_id="A1", month=-1, event_type="call", hours=1.0, manager_id="M1"),
            dict(account_id="A2", month=0, event_type="qbr", hours=3.0, manager_id="M1"),
            dict(account_id="A1", month=0, event_type="call", hours=1.0),  # no manager on the row: owner M1
            dict(account_id="A3", month=0, event_type="visit", hours=6.0, manager_id="M2"),
            dict(account_id="A3", month=0, event_type="retention_offer", hours=2.0, amount=160.0, manager_id="M2"),
            dict(account_id="A1", month=-1, event_type="order", amount=50.0, margin=10.0, manager_id="M1"),
            dict(account_id="A3", month=0, event_type="order", amount=150.0, margin=30.0, manager_id="M2"),
            dict(account_id="A3", month=0, event_type="order", amount=100.0, margin=20.0, manager_id="M2"),
        ]
    )


def test_workload_by_hand(log, accounts, managers):
    out = manager_workload(log, accounts, managers, months=2)
    assert list(out.columns) == list(WORKLOAD_COLUMNS)
    assert list(out.index) == ["M1", "M2"] and out.index.name == "manager_id"
    m1, m2 = out.loc["M1"], out.loc["M2"]
    # M1, months -1..0: hours 2 + 1 + 3 + 1 = 7; account-months (A1,-1), (A2,0), (A1,0) = 3
    assert m1["hours"] == pytest.approx(7.0) and m1["account_months"] == 3 and m1["served_accounts"] == 2
    assert m1["available_hours"] == pytest.approx(20.0) and m1["utilisation"] == pytest.approx(0.35)
    assert m1["hours_per_account_month"] == pytest.approx(7.0 / 3)
    assert m1["revenue"] == pytest.approx(50.0) and m1["margin"] == pytest.approx(10.0)
    assert m1["potential"] == pytest.approx(400.0) and m1["accounts"] == 2
    assert m1["home_region_share"] == pytest.approx(0.5)  # A1 East (home), A2 West
    # M2: one visit of 6 h; the retention offer's 2 h are extra effort, not capacity
    assert m2["hours"] == pytest.approx(6.0) and m2["extra_hours"] == pytest.approx(2.0)
    assert m2["utilisation"] == pytest.approx(6.0 / 60.0) and m2["revenue"] == pytest.approx(250.0)
    assert m2["home_region_share"] == pytest.approx(1.0)
    # shares of the team: capacity 10/40 and 30/40; account-months 3/4 and 1/4
    assert out["share_capacity"].tolist() == pytest.approx([0.25, 0.75])
    assert out["share_revenue"].tolist() == pytest.approx([50 / 300, 250 / 300])
    assert out["share_potential"].tolist() == pytest.approx([0.4, 0.6])
    assert out["share_accounts"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert out["load_index"].tolist() == pytest.approx([(3 / 4) / 0.25, (1 / 4) / 0.75])
    assert out.loc["M1", "region"] == "East" and out.loc["M2", "skill"] == pytest.approx(0.8)
    assert out.attrs["months"] == (-1, 0)


def test_workload_windows_and_multiplier(log, accounts, managers):
    every = manager_workload(log, accounts, managers, months=None)
    assert every.loc["M1", "hours"] == pytest.approx(14.0) and every.loc["M1", "available_hours"] == pytest.approx(30.0)
    pair = manager_workload(log, accounts, managers, months=(-2, -2))
    assert pair.loc["M1", "hours"] == pytest.approx(7.0) and pair.loc["M2", "hours"] == 0.0
    assert np.isnan(pair.loc["M2", "hours_per_account_month"]) and pair.loc["M2", "served_accounts"] == 0
    half = manager_workload(log, accounts, managers, months=2, capacity_multiplier=0.5)
    assert half.loc["M1", "capacity_hours"] == pytest.approx(5.0)
    assert half.loc["M1", "utilisation"] == pytest.approx(0.7)
    # the shares and the load index do not depend on a common multiplier
    full = manager_workload(log, accounts, managers, months=2)
    assert half["load_index"].tolist() == pytest.approx(full["load_index"].tolist())
    zero = manager_workload(log, accounts, managers, months=2, capacity_multiplier=0.0)
    assert zero["utilisation"].isna().all() and zero["load_index"].isna().all()


def test_workload_without_optional_columns(log, accounts, managers):
    bare = manager_workload(log.drop(columns=["manager_id", "margin"]), accounts, managers[["manager_id", "capacity_hours"]], months=2)
    assert bare.loc["M1", "hours"] == pytest.approx(7.0)  # attributed to the owners
    assert bare["margin"].isna().all() and bare["home_region_share"].isna().all() and bare["skill"].isna().all()


def test_workload_errors(log, accounts, managers):
    with pytest.raises(ValueError, match=r"accounts is missing column\(s\) \['annual_potential_spend'\]"):
        manager_workload(log, accounts.drop(columns="annual_potential_spend"), managers)
    with pytest.raises(ValueError, match="managers: column 'manager_id' row 2: duplicate id 'M1'"):
        manager_workload(log, accounts, pd.concat([managers, managers.iloc[[0]]], ignore_index=True))
    with pytest.raises(ValueError, match="manager 'M9' of account 'A3' is not in managers"):
        manager_workload(log, accounts.assign(manager_id=["M1", "M1", "M9"]), managers)
    stray = log.copy()
    stray.loc[5, "manager_id"] = "M7"
    with pytest.raises(ValueError, match="events: column 'manager_id' row 5: manager 'M7' is not in managers"):
        manager_workload(stray, accounts, managers)
    with pytest.raises(ValueError, match="capacity_multiplier must be a finite number >= 0"):
        manager_workload(log, accounts, managers, capacity_multiplier=-1)
    with pytest.raises(ValueError, match="events: the log is empty"):
        manager_workload(log.iloc[:0], accounts, managers)
    with pytest.raises(ValueError, match="accounts: column 'account_id' row 1: duplicate id 'A1'"):
        manager_workload(log, accounts.assign(account_id=["A1", "A1", "A3"]), managers)


def test_workload_on_a_simulation_matches_the_engine():
    """Hours per manager from the simulated log equal the engine's own manager_hours."""
    portfolio = kamsim.datasets.load("small")
    scenario = kamsim.Scenario(months=3).updated({"managers.capacity_multiplier": 0.8})
    run = kamsim.simulate(scenario, portfolio, "value_allocation", seed=3)
    load = manager_workload(run.events, portfolio.accounts, portfolio.account_managers, months=None, capacity_multiplier=0.8)
    engine = run.manager_hours.set_index("manager_id")
    assert load["hours"].to_numpy() == pytest.approx(engine["used_hours"].to_numpy())
    assert load["available_hours"].to_numpy() == pytest.approx(engine["capacity_hours"].to_numpy())
    used = load["hours"].sum() / load["available_hours"].sum()
    assert used == pytest.approx(run.kpis()["manager_utilisation"])


def test_workload_on_the_shipped_history():
    p = kamsim.datasets.load("small")
    load = manager_workload(p.events, p.accounts, p.account_managers)
    window = p.events[(p.events["month"] >= -12) & p.events["event_type"].isin(["visit", "call", "qbr"])]
    assert load["hours"].sum() == pytest.approx(window["hours"].sum())
    assert (load["utilisation"] <= 1 + 1e-9).all() and (load["utilisation"] > 0.5).all()
    assert load["accounts"].sum() == len(p.accounts)
    for col in ("share_accounts", "share_capacity", "share_revenue", "share_potential"):
        assert load[col].sum() == pytest.approx(1.0)


def test_coverage_counts_sums_and_shares():
    acc = pd.DataFrame(
        {
            "manager_id": ["M2", "M1", "M1", "M2", "M1"],
            "tier": pd.Categorical(["C", "A", "C", "B", None], categories=["A", "B", "C"]),
            "region": ["West", "East", "West", "West", "East"],
            "potential": [1.0, 2.0, 3.0, 4.0, 10.0],
        }
    )
    counts = coverage_matrix(acc)
    assert counts.index.name == "manager_id" and counts.columns.name == "region"
    assert counts.to_dict() == {"East": {"M1": 2, "M2": 0}, "West": {"M1": 1, "M2": 2}}
    assert counts.dtypes.map(str).eq("int64").all()
    tiers = coverage_matrix(acc, by=("manager_id", "tier"), values="potential")
    assert list(tiers.columns) == ["A", "B", "C", "(none)"]  # categorical order, missing label last
    assert tiers.loc["M1"].tolist() == [2.0, 0.0, 3.0, 10.0] and tiers.loc["M2"].tolist() == [0.0, 4.0, 1.0, 0.0]
    rows = coverage_matrix(acc, normalize="index")
    assert rows.loc["M1"].tolist() == pytest.approx([2 / 3, 1 / 3]) and rows.loc["M2"].tolist() == pytest.approx([0.0, 1.0])
    cols = coverage_matrix(acc, values="potential", normalize="columns")
    assert cols["West"].tolist() == pytest.approx([3 / 8, 5 / 8]) and cols["East"].tolist() == pytest.approx([1.0, 0.0])
    everything = coverage_matrix(acc, normalize="all")
    assert everything.to_numpy().sum() == pytest.approx(1.0) and everything.loc["M2", "West"] == pytest.approx(0.4)
    transposed = coverage_matrix(acc, by=("region", "manager_id"))
    assert transposed.equals(counts.T.rename_axis(index="region", columns="manager_id"))


def test_coverage_errors():
    acc = pd.DataFrame({"manager_id": ["M1"], "region": ["East"], "name": ["x"]})
    with pytest.raises(ValueError, match="by: expected two different column names"):
        coverage_matrix(acc, by="manager_id")
    with pytest.raises(ValueError, match="by: expected two different column names"):
        coverage_matrix(acc, by=("region", "region"))
    with pytest.raises(ValueError, match=r"accounts is missing column\(s\) \['tier'\]"):
        coverage_matrix(acc, by=("manager_id", "tier"))
    with pytest.raises(ValueError, match="column 'name' must be numeric"):
        coverage_matrix(acc, values="name")
    with pytest.raises(ValueError, match="normalize: expected one of"):
        coverage_matrix(acc, normalize="rows")


def test_coverage_of_the_shipped_portfolio():
    p = kamsim.datasets.load("small")
    table = coverage_matrix(p.accounts, values="annual_potential_spend")
    assert table.to_numpy().sum() == pytest.approx(p.accounts["annual_potential_spend"].sum())
    counts = coverage_matrix(p.accounts)
    assert counts.sum(axis=1).to_dict() == p.accounts["manager_id"].value_counts().to_dict()
