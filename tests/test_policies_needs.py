"""kamsim.policies.allocation.discovery: proactive needs discovery vs reactive service allocation (hand-computed states)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kamsim
from kamsim.policies import PolicyBundle
from kamsim.policies import ProactiveDiscovery, ReactiveService


def _state() -> pd.DataFrame:
    """Six accounts: four customers, one prospect, one lost."""
    return pd.DataFrame(
        {
            "stage": ["mature", "growing", "at_risk", "mature", "prospect", "lost"],
            "annual_potential_spend": [1000.0, 800.0, 500.0, 200.0, 900.0, 5000.0],
            "revenue_12m": [400.0, 100.0, 100.0, 150.0, 0.0, 0.0],
            "growth_potential": [0.5, 1.0, 0.2, 0.9, 1.0, 1.0],
            "churn_risk": [0.002, 0.004, 0.03, 0.02, 0.0, 0.0],
            "satisfaction": [8.0, 7.0, 6.5, 5.0, np.nan, 3.0],
            "open_complaints": [0, 1, 0, 0, 0, 0],
        },
        index=pd.Index(["A1", "A2", "A3", "A4", "A5", "A6"], name="account_id"),
    )


def test_proactive_scores_and_targets():
    policy = ProactiveDiscovery(focus_share=0.5, target_share=0.5)
    # score = growth x max(potential - revenue, 0): 300, 700, 80, 45, 900 (prospect), 5000 (lost)
    assert policy.score(_state()).tolist() == pytest.approx([300.0, 700.0, 80.0, 45.0, 900.0, 5000.0])
    # ceil(0.5 x 4 customers) = 2 targets among customers only: A2 and A1
    assert policy.targets(_state()).tolist() == [True, True, False, False, False, False]


def test_proactive_allocation_hand_computed():
    hours = ProactiveDiscovery(focus_share=0.5, target_share=0.5).allocate(_state(), 100.0)
    # 50 h equally over the 5 active accounts (10 each), 50 h over the 2 targets (25 each); lost gets 0
    assert hours.tolist() == pytest.approx([35.0, 35.0, 10.0, 10.0, 10.0, 0.0])
    assert hours.name == "allocated_hours" and list(hours.index) == list(_state().index)
    assert hours.sum() == pytest.approx(100.0)


def test_reactive_flags_and_allocation_hand_computed():
    policy = ReactiveService(focus_share=0.4, risk_threshold=0.01, satisfaction_below=6.0)
    # A2 open complaint, A3 at_risk (and risk 0.03), A4 risk 0.02 and satisfaction 5; A6 is lost
    assert policy.flagged(_state()).tolist() == [False, True, True, True, False, False]
    hours = policy.allocate(_state(), 100.0)
    # 60 h equally over 5 active accounts (12 each), 40 h over the 3 flagged
    assert hours.tolist() == pytest.approx([12.0, 12.0 + 40 / 3, 12.0 + 40 / 3, 12.0 + 40 / 3, 12.0, 0.0])
    assert hours.sum() == pytest.approx(100.0)


def test_reactive_signals_are_switchable():
    state = _state().drop(columns="open_complaints")
    flags = ReactiveService(risk_threshold=0.025, satisfaction_below=None).flagged(state)
    assert flags.tolist() == [False, False, True, False, False, False]  # only the at_risk account


def test_nobody_flagged_means_equal_hours():
    state = _state().assign(stage="mature", churn_risk=0.0, satisfaction=9.0, open_complaints=0)
    hours = ReactiveService().allocate(state, 60.0)
    assert hours.tolist() == pytest.approx([10.0] * 6)


def test_same_focus_share_spends_the_same_hours():
    state = _state()
    for policy in (ProactiveDiscovery(focus_share=0.7), ReactiveService(focus_share=0.7)):
        hours = policy.allocate(state, 250.0)
        assert hours.sum() == pytest.approx(250.0)
        assert (hours >= 0).all() and hours["A6"] == 0.0
    assert ProactiveDiscovery(focus_share=0.0).allocate(state, 50.0).tolist() == pytest.approx([10.0] * 5 + [0.0])


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: ProactiveDiscovery(focus_share=1.2), "focus_share"),
        (lambda: ProactiveDiscovery(target_share=0.0), "target_share"),
        (lambda: ReactiveService(risk_threshold=-0.1), "risk_threshold"),
        (lambda: ReactiveService(satisfaction_below=-1.0), "satisfaction_below"),
    ],
)
def test_invalid_settings(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="growth_potential"):
        ProactiveDiscovery().allocate(_state().drop(columns="growth_potential"), 10.0)
    with pytest.raises(ValueError, match="churn_risk"):
        ReactiveService().allocate(_state().drop(columns="churn_risk"), 10.0)


def test_params_and_repr():
    policy = ProactiveDiscovery(focus_share=0.3, target_share=0.2)
    assert policy.get_params() == {"focus_share": 0.3, "target_share": 0.2, "needs_share": 0.8}
    assert "ReactiveService(focus_share=0.5" in repr(ReactiveService())


def test_bundles_run_in_the_engine():
    portfolio = kamsim.generate_portfolio(40, seed=5)
    scenario = kamsim.Scenario(months=3)
    for allocation in (ProactiveDiscovery(), ReactiveService()):
        bundle = PolicyBundle("abc", "none", allocation, name=allocation.name)
        result = kamsim.simulate(scenario, portfolio, bundle, seed=5)
        assert result.policy_name == allocation.name
        assert result.panel["contact_hours"].sum() > 0
