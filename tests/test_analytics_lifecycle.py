"""Lifecycle analytics: stage history, transition matrix, occupancy, effort and acquisition/retention costs.

Hand-computed examples on a tiny log, consistency with the engine's own panel,
and the estimated matrix against the engine's constant-hazard matrix within
standard errors derived from the number of account-months.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import kamsim
from kamsim.analytics import (
    acquisition_retention_costs,
    effort_by_stage,
    stage_history,
    stage_occupancy,
    transition_matrix,
)
from kamsim.analytics.lifecycle_costs import COST_COLUMNS
from kamsim.schema import STAGES

Z = 4.5  # tolerance in standard errors


def _log(rows):
    """Events with the columns the lifecycle functions read (others are not needed)."""
    cols = ["account_id", "month", "event_type", "stage_from", "stage_to", "hours"]
    return pd.DataFrame(rows, columns=cols).astype({"account_id": "string", "event_type": "string",
                                                    "stage_from": "string", "stage_to": "string"})


# A1: new -> growing (end of month 0), growing -> mature (end of month 2); final mature
# A2: no change, final at_risk; A3: mature -> lost (end of month 1), final lost
TINY = _log(
    [
        ("A1", 0, "stage_change", "new", "growing", np.nan),
        ("A1", 0, "call", None, None, 1.0),
        ("A1", 1, "visit", None, None, 2.0),
        ("A1", 2, "stage_change", "growing", "mature", np.nan),
        ("A3", 0, "qbr", None, None, 3.0),
        ("A3", 1, "stage_change", "mature", "lost", np.nan),
        ("A2", 3, "call", None, None, 0.5),
        ("A2", 3, "order", None, None, np.nan),
    ]
)
FINAL = pd.Series(["mature", "at_risk", "lost"], index=["A1", "A2", "A3"])


def test_stage_history_hand_example():
    h = stage_history(TINY, FINAL)
    assert list(h.columns) == ["month", "account_id", "stage"]
    assert h["month"].tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
    wide = h.pivot(index="account_id", columns="month", values="stage")
    assert wide.loc["A1"].tolist() == ["new", "growing", "growing", "mature"]
    assert wide.loc["A2"].tolist() == ["at_risk"] * 4
    assert wide.loc["A3"].tolist() == ["mature", "mature", "lost", "lost"]


def test_stage_history_accepts_an_accounts_frame_and_explicit_months():
    accounts = pd.DataFrame({"account_id": FINAL.index, "stage": FINAL.to_numpy(), "other": 1})
    h = stage_history(TINY, accounts, months=range(-1, 5))
    wide = h.pivot(index="account_id", columns="month", values="stage")
    assert wide.loc["A1"].tolist() == ["new", "new", "growing", "growing", "mature", "mature"]
    assert wide.loc["A3"].tolist() == ["mature", "mature", "mature", "lost", "lost", "lost"]


def test_transition_matrix_counts_and_probabilities_by_hand():
    h = stage_history(TINY, FINAL)
    counts = transition_matrix(h, normalize=False)
    assert counts.index.name == "stage_from" and counts.columns.name == "stage_to"
    assert list(counts.index) == list(STAGES) == list(counts.columns)
    expected = {("new", "growing"): 1, ("growing", "growing"): 1, ("growing", "mature"): 1,
                ("at_risk", "at_risk"): 3, ("mature", "mature"): 1, ("mature", "lost"): 1, ("lost", "lost"): 1}
    for (i, j), n in expected.items():
        assert counts.loc[i, j] == n, (i, j)
    assert counts.to_numpy().sum() == sum(expected.values()) == 9
    probs = transition_matrix(h)
    assert probs.loc["growing", "mature"] == pytest.approx(0.5)
    assert probs.loc["mature", "lost"] == pytest.approx(0.5)
    assert probs.loc["at_risk", "at_risk"] == pytest.approx(1.0)
    assert probs.loc["prospect"].isna().all() and probs.loc["won_back"].isna().all()
    observed = probs.dropna()
    np.testing.assert_allclose(observed.sum(axis=1), 1.0)


def test_transition_matrix_from_events_includes_the_last_month():
    counts = transition_matrix(TINY, final_stage=FINAL, normalize=False)
    # one more pair per account: month 3 -> the stage after the log (final_stage)
    assert counts.to_numpy().sum() == 12
    assert counts.loc["mature", "mature"] == 2 and counts.loc["at_risk", "at_risk"] == 4
    assert counts.loc["lost", "lost"] == 2
    sub = transition_matrix(TINY, stages=["new", "growing", "mature", "at_risk", "lost"], final_stage=FINAL)
    assert list(sub.index) == ["new", "growing", "mature", "at_risk", "lost"]


def test_transition_matrix_skips_gaps_and_rejects_bad_input():
    panel = pd.DataFrame({"month": [0, 1, 3], "account_id": ["A", "A", "A"], "stage": ["new", "growing", "mature"]})
    counts = transition_matrix(panel, normalize=False)
    assert counts.to_numpy().sum() == 1 and counts.loc["new", "growing"] == 1
    with pytest.raises(ValueError, match="needs final_stage"):
        transition_matrix(TINY)
    with pytest.raises(ValueError, match="'mature' is not in stages"):
        transition_matrix(panel, stages=["new", "growing"])
    with pytest.raises(ValueError, match="without repeats"):
        transition_matrix(panel, stages=["new", "new"])
    with pytest.raises(ValueError, match="two rows for month 1"):
        transition_matrix(pd.concat([panel, panel.iloc[[1]]]))
    with pytest.raises(ValueError, match="no column"):
        transition_matrix(panel.drop(columns="stage"))


def test_stage_history_errors_name_the_account():
    twice = pd.concat([TINY, _log([("A1", 2, "stage_change", "mature", "at_risk", np.nan)])])
    with pytest.raises(ValueError, match="'A1' changes stage twice in month 2"):
        stage_history(twice, FINAL)
    broken = TINY.copy()
    broken.loc[3, "stage_from"] = "new"
    with pytest.raises(ValueError, match="'A1' month 2: stage_from 'new'"):
        stage_history(broken, FINAL)
    with pytest.raises(ValueError, match="'A3'.*final_stage is 'mature'"):
        stage_history(TINY, FINAL.replace({"lost": "mature"}))
    with pytest.raises(ValueError, match="'A3' has stage changes but no final_stage"):
        stage_history(TINY, FINAL.drop("A3"))
    with pytest.raises(ValueError, match="'A2' is 'gone'"):
        stage_history(TINY, FINAL.replace({"at_risk": "gone"}))
    with pytest.raises(ValueError, match="outside months"):
        stage_history(TINY, FINAL, months=range(1, 4))
    with pytest.raises(ValueError, match="consecutive"):
        stage_history(TINY, FINAL, months=[0, 2])
    with pytest.raises(ValueError, match="no column"):
        stage_history(TINY.drop(columns="stage_to"), FINAL)


def test_stage_occupancy_by_hand():
    h = stage_history(TINY, FINAL)
    counts = stage_occupancy(h, normalize=False)
    assert list(counts.columns) == list(STAGES) and counts.index.tolist() == [0, 1, 2, 3]
    assert counts.loc[0, ["new", "mature", "at_risk"]].tolist() == [1, 1, 1]
    assert counts.loc[3, ["mature", "at_risk", "lost"]].tolist() == [1, 1, 1]
    shares = stage_occupancy(h)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    assert shares.loc[2, "growing"] == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="not in stages"):
        stage_occupancy(h, stages=["new"])


def test_effort_by_stage_by_hand():
    h = stage_history(TINY, FINAL)
    effort = effort_by_stage(TINY, h, cost_per_hour=100.0)
    assert effort.loc["new", "hours"] == 1.0 and effort.loc["growing", "hours"] == 2.0
    assert effort.loc["mature", "hours"] == 3.0 and effort.loc["at_risk", "hours"] == 0.5
    assert effort.loc["lost", "hours"] == 0.0
    assert effort.loc["mature", "cost"] == 300.0
    assert effort["account_months"].sum() == 12
    assert effort.loc["at_risk", "account_months"] == 4
    assert effort.loc["at_risk", "hours_per_account_month"] == pytest.approx(0.125)
    assert np.isnan(effort.loc["prospect", "hours_per_account_month"])
    with pytest.raises(ValueError, match="cost_per_hour"):
        effort_by_stage(TINY, h, cost_per_hour=-1.0)
    with pytest.raises(ValueError, match="no stage for account 'A2' in month 3"):
        effort_by_stage(TINY, h[h["account_id"] != "A2"])
    # only the months of the history are counted
    late = effort_by_stage(TINY, h[h["month"] >= 1], cost_per_hour=100.0)
    assert late.loc["new", "hours"] == 0.0 and late["hours"].sum() == 2.5


def test_acquisition_retention_costs_by_hand():
    # P1 is a prospect for months 0-1 (4 h + 2 h), acquired at the end of month 1; P2 stays a prospect (2 h);
    # C1 is a mature customer for months 0-3 (3 h each month).  Customer-months: P1 2 (new), C1 4 -> 0.5 years.
    log = _log(
        [("P1", 0, "visit", None, None, 4.0), ("P1", 1, "call", None, None, 2.0),
         ("P1", 1, "stage_change", "prospect", "new", np.nan), ("P2", 2, "call", None, None, 2.0)]
        + [("C1", m, "qbr", None, None, 3.0) for m in range(4)]
    )
    final = pd.Series(["new", "prospect", "mature"], index=["P1", "P2", "C1"])
    h = stage_history(log, final)
    costs = acquisition_retention_costs(log, h, cost_per_hour=50.0)
    assert tuple(costs.columns) == COST_COLUMNS
    acq, ret = costs.set_index("activity").loc["acquisition"], costs.set_index("activity").loc["retention"]
    assert acq["hours"] == 8.0 and acq["units"] == 1 and acq["cost_per_unit"] == pytest.approx(400.0)
    assert ret["hours"] == 12.0 and ret["units"] == pytest.approx(0.5)
    assert ret["cost_per_unit"] == pytest.approx(1200.0)
    assert acq["ratio_to_retention"] == pytest.approx(400.0 / 1200.0)
    assert ret["ratio_to_retention"] == pytest.approx(1.0)
    # no acquisition in the covered months -> NaN cost per account acquired
    late = acquisition_retention_costs(log, h[h["month"] >= 2], cost_per_hour=50.0)
    assert np.isnan(late.loc[0, "cost_per_unit"])


def test_stage_history_reproduces_the_engine_panel():
    portfolio = kamsim.generate_portfolio(60, seed=5, history_months=6)
    result = kamsim.simulate(kamsim.Scenario(months=8), portfolio, "status_quo", seed=11)
    history = stage_history(result.events, result.final_stage, months=range(8))
    panel = result.panel.sort_values(["month", "account_id"], kind="stable").reset_index(drop=True)
    assert history["account_id"].tolist() == panel["account_id"].astype("string").tolist()
    assert history["stage"].tolist() == panel["stage"].astype("string").tolist()
    # the shipped-style history of a warm-started portfolio is consistent with accounts.stage
    warm = stage_history(portfolio.events, portfolio.accounts)
    assert warm["month"].min() == -6 and warm["month"].max() == -1
    from_panel = transition_matrix(result.panel, normalize=False)
    from_events = transition_matrix(result.events, final_stage=result.final_stage, normalize=False)
    # the events version adds exactly one month of pairs (month 7 -> final stage)
    assert (from_events - from_panel).to_numpy().sum() == len(result.final_stage)


def test_estimated_matrix_matches_constant_hazards():
    probs = {
        "prospect": {"new": 0.10},
        "new": {"growing": 0.15, "at_risk": 0.05, "lost": 0.03},
        "growing": {"mature": 0.10, "at_risk": 0.04, "lost": 0.02},
        "mature": {"at_risk": 0.08, "lost": 0.03},
        "at_risk": {"mature": 0.15, "lost": 0.20},
        "lost": {"won_back": 0.05},
        "won_back": {"mature": 0.2, "lost": 0.05},
    }
    base = kamsim.generate_portfolio(400, seed=3)
    starts = np.array(["prospect", "new", "growing", "mature", "at_risk"], dtype=object)
    accounts = base.accounts.copy()
    accounts["stage"] = pd.array(starts[np.arange(len(accounts)) % len(starts)], dtype=base.accounts["stage"].dtype)
    portfolio = dataclasses.replace(base, accounts=accounts)
    scenario = kamsim.Scenario(lifecycle={"constant_hazards": True, "transition_probs": probs})
    result = kamsim.simulate(scenario, portfolio, None, seed=7, months=36)
    counts = transition_matrix(result.panel, normalize=False)
    estimate = transition_matrix(result.panel)
    truth = scenario.lifecycle.transition_matrix()
    n = counts.sum(axis=1).to_numpy(dtype=float)
    assert (n > 200).all(), n  # every stage is visited often enough for a normal approximation
    se = np.sqrt(truth * (1 - truth) / n[:, None])
    assert np.all(np.abs(estimate.to_numpy() - truth) <= Z * se + 1e-12)
