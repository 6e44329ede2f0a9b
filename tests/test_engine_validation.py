"""The engine against closed-form theory.

1. Constant hazards: stage occupancy and time to loss match the absorbing
   Markov chain (fundamental matrix ``N = (I - Q)^-1``).
2. Poisson complaints, exponential handling, ``c`` handlers: the mean wait in
   queue matches Erlang C (M/M/c).

Tolerances are ``Z`` standard errors derived from the sample size (stated at
each assertion); seeds are fixed, so the tests are deterministic.  With
Z = 4.5 a correct engine fails one comparison with probability ~7e-6.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import kamsim
from kamsim.engine import (
    DAYS_PER_MONTH,
    absorbing_chain,
    batch_means,
    erlang_c,
    erlang_c_wait,
    expected_truncated_time,
    simulate,
    split_chain,
    stage_distribution,
)
from kamsim.scenario import Scenario
from kamsim.schema import STAGES

Z = 4.5  # tolerance in standard errors

pytestmark = pytest.mark.slow


def _with_stages(portfolio, stages: np.ndarray):
    accounts = portfolio.accounts.copy()
    accounts["stage"] = accounts["stage"].astype("object")
    accounts["stage"] = stages
    accounts["stage"] = accounts["stage"].astype(portfolio.accounts["stage"].dtype)
    return dataclasses.replace(portfolio, accounts=accounts)


# ----------------------------------------------------------------------------- theory functions themselves


def test_theory_closed_forms():
    # a single transient state left with probability 1 - r: geometric number of steps
    chain = absorbing_chain(np.array([[0.8]]), np.array([[0.2]]))
    assert chain.t[0] == pytest.approx(5.0)
    assert chain.t_var[0] == pytest.approx(0.8 / 0.2**2)
    assert chain.B[0, 0] == pytest.approx(1.0)
    assert expected_truncated_time(np.array([[0.8]]), np.array([1.0]), 3) == pytest.approx(1 + 0.8 + 0.64)
    # M/M/1: P(wait) = rho, Wq = rho / (mu - lam); M/M/2: P(wait) = 2 rho^2 / (1 + rho)
    assert erlang_c(0.6, 1.0, 1) == pytest.approx(0.6)
    assert erlang_c_wait(0.6, 1.0, 1) == pytest.approx(0.6 / 0.4)
    rho = 1.5 / 2
    assert erlang_c(1.5, 1.0, 2) == pytest.approx(2 * rho**2 / (1 + rho))
    with pytest.raises(ValueError, match="unstable queue"):
        erlang_c(3.0, 1.0, 2)
    with pytest.raises(ValueError, match="listed as absorbing"):
        split_chain(np.array([[0.5, 0.5], [0.5, 0.5]]), [1])
    mean, se = batch_means(np.arange(100.0), n_batches=10)
    assert mean == pytest.approx(49.5) and se > 0


# ----------------------------------------------------------------------------- absorbing Markov chain

TRANSITIONS = {
    "prospect": {"new": 0.10},
    "new": {"growing": 0.15, "at_risk": 0.05, "lost": 0.03},
    "growing": {"mature": 0.10, "at_risk": 0.04, "lost": 0.02},
    "mature": {"at_risk": 0.08, "lost": 0.03},
    "at_risk": {"mature": 0.15, "lost": 0.20},
    # lost and won_back have no moves: both absorbing (won_back is never reached)
}
N_ACCOUNTS = 2000
HORIZON = 200  # P(not absorbed after 200 months) < 4e-6 from any start


@pytest.fixture(scope="module")
def markov_run():
    base = kamsim.generate_portfolio(N_ACCOUNTS, seed=8)
    starts = np.array(["prospect", "new", "new", "growing", "mature", "at_risk"], dtype=object)
    stages = starts[np.arange(N_ACCOUNTS) % len(starts)]
    portfolio = _with_stages(base, stages)
    scenario = Scenario(lifecycle={"constant_hazards": True, "transition_probs": TRANSITIONS})
    result = simulate(scenario, portfolio, None, seed=2024, months=HORIZON)
    return scenario, stages, result


def test_stage_occupancy_matches_markov_chain(markov_run):
    scenario, stages, result = markov_run
    P = scenario.lifecycle.transition_matrix()
    start = np.array([STAGES.index(s) for s in stages])
    panel = result.panel
    for month in (1, 2, 5, 10, 20, 40, 80, HORIZON - 1):
        # expected share of each stage: average over accounts of row start_i of P^month
        rows = np.linalg.matrix_power(P, month)[start]
        expected = rows.mean(axis=0)
        se = np.sqrt((rows * (1 - rows)).sum(axis=0)) / len(start)  # independent Bernoulli indicators
        observed = panel.loc[panel["month"] == month, "stage"].value_counts(normalize=True).reindex(list(STAGES), fill_value=0.0)
        assert np.all(np.abs(observed.to_numpy() - expected) <= Z * se + 1e-12), (month, observed.to_numpy(), expected)
    # the distribution helper agrees with matrix powers
    p0 = np.bincount(start, minlength=len(STAGES)) / len(start)
    np.testing.assert_allclose(stage_distribution(P, p0, 10)[10], p0 @ np.linalg.matrix_power(P, 10))


def test_time_to_loss_matches_fundamental_matrix(markov_run):
    scenario, stages, result = markov_run
    P = scenario.lifecycle.transition_matrix()
    absorbing = [STAGES.index("lost"), STAGES.index("won_back")]
    Q, R, transient = split_chain(P, absorbing)
    chain = absorbing_chain(Q, R)
    position = {int(s): i for i, s in enumerate(transient)}
    start = np.array([position[STAGES.index(s)] for s in stages])
    panel = result.panel
    # months spent before loss = months whose start-of-month stage is transient
    months_alive = (panel["stage"] != "lost").groupby(panel["account_id"], sort=False).sum().to_numpy()
    # (a) truncated at the horizon: exact expectation E[min(T, H)], standard error from the sample
    exact = np.mean([expected_truncated_time(Q, np.eye(len(transient))[i], HORIZON) for i in start])
    se_sample = months_alive.std(ddof=1) / np.sqrt(len(months_alive))
    assert abs(months_alive.mean() - exact) <= Z * se_sample
    # (b) fundamental matrix: E[T] = (N 1)[start], Var[T] = ((2N - I) t - t^2)[start]
    expected = chain.t[start].mean()
    se_theory = np.sqrt(chain.t_var[start].sum()) / len(start)
    assert abs(months_alive.mean() - expected) <= Z * se_theory
    # everyone is absorbed in 'lost' (won_back is unreachable): B[:, lost] = 1
    np.testing.assert_allclose(chain.B[:, 0], 1.0)
    assert (result.final_stage == "lost").mean() >= 0.999


def test_constant_hazards_ignore_policy(markov_run):
    scenario, stages, result = markov_run
    portfolio = result.portfolio
    other = simulate(scenario, portfolio, "blanket", seed=2024, months=24)
    same = result.panel[result.panel["month"] < 24].reset_index(drop=True)
    assert (other.panel["stage"] == same["stage"]).all()


# ----------------------------------------------------------------------------- M/M/c complaint desk

HANDLERS = 3
MEAN_HANDLING_DAYS = 2.0  # mu = 0.5 per day
LAMBDA_PER_DAY = 1.2  # utilisation rho = 1.2 / (3 * 0.5) = 0.8
QUEUE_ACCOUNTS = 200
QUEUE_MONTHS = 480
WARM_UP_MONTHS = 6


@pytest.fixture(scope="module")
def queue_run():
    base = kamsim.generate_portfolio(QUEUE_ACCOUNTS, seed=9)
    portfolio = _with_stages(base, np.full(QUEUE_ACCOUNTS, "mature", dtype=object))
    means = np.array([0.1, 0.5, 0.4, 0.2, 0.6, 0.2])
    means = means / means.sum() * MEAN_HANDLING_DAYS
    scenario = Scenario(
        lifecycle={"constant_hazards": True, "transition_probs": {}},  # every account stays mature
        complaints={
            "base_rate": LAMBDA_PER_DAY * DAYS_PER_MONTH / QUEUE_ACCOUNTS,  # complaints per account-month
            "satisfaction_effect": 0.0,
            "handlers": HANDLERS,
            "handling": "exponential",
            "stage_days": dict(zip(["accept", "investigate", "analyse_cause", "propose_solution", "implement", "follow_up"], means)),
            "max_per_month": 8,
        },
    )
    return simulate(scenario, portfolio, None, seed=77, months=QUEUE_MONTHS)


def test_complaint_arrivals_are_poisson(queue_run):
    table = queue_run.complaints
    span = QUEUE_MONTHS * DAYS_PER_MONTH
    expected = LAMBDA_PER_DAY * span
    assert abs(len(table) - expected) <= Z * np.sqrt(expected)  # Poisson count: sd = sqrt(mean)
    handling = table["handling_days"].to_numpy()
    # exponential handling: mean 2 days, sd 2 days
    assert abs(handling.mean() - MEAN_HANDLING_DAYS) <= Z * MEAN_HANDLING_DAYS / np.sqrt(len(handling))


def test_mean_wait_matches_erlang_c(queue_run):
    mu = 1.0 / MEAN_HANDLING_DAYS
    table = queue_run.complaints.sort_values("opened_day")
    steady = table[(table["month"] >= WARM_UP_MONTHS) & table["started_day"].notna()]
    waits = steady["queue_days"].to_numpy()
    mean, se = batch_means(waits, n_batches=20)  # successive waits are correlated: batch means
    theory = erlang_c_wait(LAMBDA_PER_DAY, mu, HANDLERS)
    assert abs(mean - theory) <= Z * se, (mean, theory, se)
    p_wait, se_p = batch_means((waits > 0).astype(float), n_batches=20)
    assert abs(p_wait - erlang_c(LAMBDA_PER_DAY, mu, HANDLERS)) <= Z * se_p
    # the KPI reports opened -> resolved, i.e. wait + handling (Little: W = Wq + 1/mu)
    done = steady[steady["resolved"]]
    sojourn, se_w = batch_means((done["resolved_day"] - done["opened_day"]).to_numpy(), n_batches=20)
    assert abs(sojourn - (theory + MEAN_HANDLING_DAYS)) <= Z * se_w
