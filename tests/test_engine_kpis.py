"""simulate_kpis: the KPIs of simulate() bit for bit, without the event frame; EventLog.event_totals."""

from __future__ import annotations

import numpy as np
import pytest

import kamsim
from kamsim.engine import KpiTotals, simulate, simulate_kpis
from kamsim.engine.kpis import event_totals
from kamsim.engine.run import Run
from kamsim.engine.simulate import start_date
from kamsim.experiment.runner import replication_seed
from kamsim.policies import as_bundle

CASES = [
    ("status_quo", {}),
    ("risk_targeted", {}),
    ("per_manager", {"managers": {"queueing": True}}),  # contact waits and missed contacts
    ("discovery", {"needs": {"latent_prob": 0.5}}),
    ("loyalty_discount", {"complaints": {"handlers": 1}}),  # long complaint queues
]


@pytest.fixture(scope="module")
def small() -> kamsim.Portfolio:
    return kamsim.datasets.load("small")


@pytest.mark.parametrize(("policy", "changes"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("seed", [0, 11])
def test_same_bits_as_the_full_run(small, policy, changes, seed):
    scenario = kamsim.Scenario(**changes)
    full = simulate(scenario, small, policy, seed=seed, months=18)
    lean = simulate_kpis(scenario, small, policy, seed=seed, months=18)
    assert isinstance(lean, KpiTotals)
    assert lean == full.kpi_totals()
    assert lean.kpis(full.policy_name).to_numpy().tobytes() == full.kpis().to_numpy().tobytes()


def test_the_log_gives_the_frames_event_totals_in_the_frames_order(small):
    scenario = kamsim.Scenario(managers={"queueing": True})
    run = Run(scenario, small, as_bundle("per_manager"), 5, 12)
    result = run.run(start_date(small), 0, 1, 5, small)
    from_frame = event_totals(result.events)
    from_log = run.log.event_totals()  # read after to_frame: the log's codes are still there
    assert from_frame.contact_waits.size > 100 and from_frame.losses > 0 and from_frame.missed_contacts >= 0
    assert (from_log.losses, from_log.missed_contacts) == (from_frame.losses, from_frame.missed_contacts)
    np.testing.assert_array_equal(from_log.contact_waits, from_frame.contact_waits)  # same values, same order


def test_a_portfolio_with_history_and_bad_arguments(small):
    portfolio = kamsim.generate_portfolio(60, seed=2, history_months=6)
    assert simulate_kpis(None, portfolio, None, seed=1, months=6) == simulate(None, portfolio, None, 1,
                                                                              months=6).kpi_totals()
    with pytest.raises(ValueError, match="seed"):
        simulate_kpis(None, small, None, seed=-1)
    with pytest.raises(ValueError, match="months"):
        simulate_kpis(None, small, None, months=0)
    with pytest.raises(ValueError, match="policy"):
        simulate_kpis(None, small, "no_such_bundle")


def test_compare_uses_it_and_reports_the_same_numbers(small):
    comparison = kamsim.compare(kamsim.Scenario(months=6), ["status_quo", "risk_targeted"], small, replications=2,
                                seed=4)
    table = comparison.to_frame()
    row = table[(table["policy"] == "risk_targeted") & (table["replication"] == 1)].set_index("kpi")["value"]
    expected = simulate(kamsim.Scenario(months=6), small, "risk_targeted", seed=replication_seed(4, 1)).kpis()
    assert row.reindex(expected.index).to_numpy().tobytes() == expected.to_numpy().tobytes()
