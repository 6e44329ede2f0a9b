"""Managers as SimPy queues (kamsim.engine.queues) against queueing theory (issue 13, item 4).

One manager, Poisson arrivals, exponential work: the mean wait matches M/M/1; with two priority
classes it matches the non-preemptive priority-queue formula (Cobham).  Waits of successive tasks are
correlated, so the standard error comes from batch means.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import simpy

import kamsim
from kamsim.engine.queues import ManagerQueues
from kamsim.vocabulary import DAYS_PER_MONTH


def _batch_se(values: np.ndarray, batches: int = 40) -> float:
    means = np.array([b.mean() for b in np.array_split(values, batches)])
    return float(means.std(ddof=1) / np.sqrt(batches))


def _one_manager(rate: float, hours: np.ndarray, mean_service_days: float, priority: np.ndarray, seed: int):
    """Run one manager whose mean task takes ``mean_service_days``; arrivals Poisson(``rate`` per day)."""
    rng = np.random.default_rng(seed)
    n = len(hours)
    arrivals = np.cumsum(rng.exponential(1 / rate, n))
    capacity = DAYS_PER_MONTH * hours.mean() / mean_service_days  # hours per month giving that speed
    env = simpy.Environment()
    queues = ManagerQueues(env, np.array([capacity]), deadline_days=np.inf)
    queues.submit(priority.astype(np.int8), np.arange(n), np.zeros(n, dtype=int), hours, arrivals, priority)
    env.run()
    records = queues.collect()
    order = np.argsort(records.task)
    return records, order, hours.mean() / (capacity / DAYS_PER_MONTH)


def test_single_manager_matches_mm1():
    rng = np.random.default_rng(3)
    lam, service = 1.0, 0.75  # tasks per day, days per task: rho = 0.75
    n, warmup = 120_000, 2_000
    hours = rng.exponential(2.0, n)
    records, order, _ = _one_manager(lam, hours, service, np.zeros(n, dtype=int), seed=4)
    waits = records.wait_days[order][warmup:]
    mu = 1 / service
    expected = (lam / mu) / (mu - lam)  # Wq of M/M/1
    assert not records.missed.any()
    assert abs(waits.mean() - expected) < 4.5 * _batch_se(waits), (waits.mean(), expected)
    # the manager is busy rho of the time
    busy = np.sum(records.ended - records.started) / records.ended.max()
    assert busy == pytest.approx(lam * service, abs=0.02)


def test_two_priority_classes_match_the_non_preemptive_formula():
    rng = np.random.default_rng(5)
    lam1, lam2, service = 0.3, 0.5, 1.0  # per day; exponential work, mean 1 day: rho = 0.8
    n, warmup = 150_000, 3_000
    priority = (rng.random(n) < lam2 / (lam1 + lam2)).astype(int)  # 0: key account, 1: the others
    hours = rng.exponential(3.0, n)
    records, order, _ = _one_manager(lam1 + lam2, hours, service, priority, seed=6)
    waits = records.wait_days[order][warmup:]
    cls = priority[warmup:]
    rho1, rho = lam1 * service, (lam1 + lam2) * service
    w0 = (lam1 + lam2) * 2 * service**2 / 2  # sum lambda_i E[S_i^2] / 2 with E[S^2] = 2 s^2
    expected = {0: w0 / (1 - rho1), 1: w0 / ((1 - rho1) * (1 - rho))}
    for k in (0, 1):
        got = waits[cls == k]
        assert abs(got.mean() - expected[k]) < 4.5 * _batch_se(got), (k, got.mean(), expected[k])
    assert expected[0] < expected[1]


def test_tasks_past_their_deadline_are_missed_and_use_no_time():
    env = simpy.Environment()
    queues = ManagerQueues(env, np.array([DAYS_PER_MONTH * 8.0, 0.0]), deadline_days=2.5)  # 8 hours a day
    # manager 0: three 16-hour tasks at day 0 (2 days each): the third would wait 4 days > 2.5 and is missed
    queues.submit(np.zeros(4, np.int8), np.arange(4), np.array([0, 0, 0, 1]), np.array([16.0, 16.0, 16.0, 1.0]),
                  np.zeros(4), np.array([0, 1, 2, 0]))
    env.run()
    r = queues.collect()
    by_task = {int(t): i for i, t in enumerate(r.task)}
    assert not r.missed[by_task[0]] and r.started[by_task[0]] == 0 and r.ended[by_task[0]] == pytest.approx(2.0)
    assert not r.missed[by_task[1]] and r.started[by_task[1]] == pytest.approx(2.0)
    assert r.missed[by_task[2]] and np.isnan(r.started[by_task[2]]) and r.wait_days[by_task[2]] == pytest.approx(2.5)
    assert r.missed[by_task[3]]  # manager 1 has no hours
    assert queues.open_tasks() == 0 and len(queues.collect().task) == 0


def test_priority_zero_is_served_first_when_the_manager_frees():
    env = simpy.Environment()
    queues = ManagerQueues(env, np.array([DAYS_PER_MONTH * 8.0]), deadline_days=np.inf)
    queues.submit(np.zeros(3, np.int8), np.arange(3), np.zeros(3, int), np.array([8.0, 8.0, 8.0]),
                  np.array([0.0, 0.1, 0.2]), np.array([1, 1, 0]))
    env.run()
    r = queues.collect()
    start = dict(zip(r.task.tolist(), r.started.tolist()))
    assert start[0] == 0.0 and start[2] == pytest.approx(1.0) and start[1] == pytest.approx(2.0)


# ----------------------------------------------------------------------------- the queue model in a run


@pytest.fixture(scope="module")
def small() -> kamsim.Portfolio:
    return kamsim.datasets.load("small")


def _queued(small, months=6, **managers):
    scenario = kamsim.Scenario(months=months, managers={"queueing": True, **managers})
    return kamsim.simulate(scenario, small, "status_quo", seed=11)


LEAVES = [{"month": 1, "action": "leave", "manager": "M003", "to": "M001"}]


def test_queue_model_books_every_task_once_with_its_wait(small):
    result = _queued(small, changes=LEAVES)  # M001 takes M003's accounts: she cannot do it all
    ev, panel = result.events, result.manager_panel
    contacts = ev[ev["event_type"].isin(["visit", "call", "qbr", "escalation"])]
    missed = ev[ev["event_type"] == "contact_missed"]
    assert len(missed) > 0 and contacts["wait_days"].between(0, 14.0 + 1e-9).all()
    assert set(missed["detail"]) <= {"visit", "call", "qbr", "escalation", "retention_offer", "winback_offer"}
    early = ~np.isclose(missed["wait_days"], 14.0)  # missed before the deadline: her manager left meanwhile
    assert (missed["wait_days"] <= 14.0 + 1e-9).all() and (missed.loc[early, "manager_id"] == "M003").all()
    assert panel["tasks_missed"].sum() == len(missed)
    kpis = result.kpis()
    assert kpis["missed_contacts"] == len(missed)
    assert kpis["mean_contact_wait_days"] == pytest.approx(contacts["wait_days"].mean())
    assert panel["tasks_done"].sum() == len(contacts)  # status quo: no retention tasks
    assert set(panel.columns) >= {"month", "manager_id", "capacity_hours", "used_hours", "utilisation",
                                  "tasks_done", "tasks_missed", "mean_wait_days"}
    used = panel.groupby("manager_id")["used_hours"].sum()
    pd.testing.assert_series_equal(used, result.manager_hours.set_index("manager_id")["used_hours"], check_names=False)
    # hours are booked when a task ends: a month may finish work started the month before
    assert (panel["used_hours"] <= panel["capacity_hours"] + 16.0).all()


def test_an_overloaded_manager_misses_contacts_and_her_accounts_notice(small):
    calm = _queued(small)
    crunch = _queued(small, changes=LEAVES)
    assert (calm.events["event_type"] == "contact_missed").sum() == 0  # 85% planned: nobody waits past the deadline
    m001 = crunch.manager_panel[crunch.manager_panel["manager_id"] == "M001"]
    assert m001.loc[m001["month"] >= 2, "tasks_missed"].sum() > 20
    assert m001.loc[m001["month"] >= 2, "mean_wait_days"].mean() > 3 * calm.manager_panel["mean_wait_days"].mean()
    theirs = small.accounts.loc[small.accounts["manager_id"].isin(["M001", "M003"]), "account_id"]

    def satisfaction(result):
        p = result.panel
        return p.loc[p["account_id"].isin(theirs) & (p["month"] == p["month"].max()), "satisfaction"].mean()

    assert satisfaction(crunch) < satisfaction(calm) - 0.1


def test_default_model_has_no_queue_rows_and_a_manager_panel(small):
    result = kamsim.simulate(kamsim.Scenario(months=3), small, seed=2)
    assert not result.events["event_type"].isin(["contact_missed", "escalation"]).any()
    assert result.kpis()[["missed_contacts", "mean_contact_wait_days"]].tolist() == [0.0, 0.0]
    panel = result.manager_panel
    assert len(panel) == 3 * len(small.account_managers) and (panel["tasks_missed"] == 0).all()
    assert panel["used_hours"].sum() == pytest.approx(result.manager_hours["used_hours"].sum())


def test_a_departure_moves_the_accounts_and_a_hire_takes_some(small):
    changes = [
        {"month": 2, "action": "leave", "manager": "M003", "to": "M001"},
        {"month": 4, "action": "hire", "manager": "M006", "capacity_hours": 150, "skill": 0.6},
        {"month": 4, "action": "move", "manager": "M001", "to": "M006", "share": 0.5},
    ]
    for queueing in (False, True):
        result = kamsim.simulate(kamsim.Scenario(months=6, managers={"queueing": queueing, "changes": changes}), small,
                                 seed=5)
        ev, panel = result.events, result.manager_panel
        old = set(small.accounts.loc[small.accounts["manager_id"] == "M003", "account_id"])
        late = ev[(ev["month"] >= 3) & ev["manager_id"].notna()]
        assert not (late["manager_id"] == "M003").any()
        assert set(late.loc[late["account_id"].isin(old), "manager_id"]) <= {"M001", "M006"}
        hired = panel[panel["manager_id"] == "M006"]
        assert (hired.loc[hired["month"] < 4, "capacity_hours"] == 0).all()
        assert (hired.loc[hired["month"] >= 4, "capacity_hours"] == 150).all()
        assert (ev.loc[ev["month"] >= 4, "manager_id"] == "M006").sum() > 0
        assert (panel.loc[(panel["manager_id"] == "M003") & (panel["month"] >= 2), "capacity_hours"] == 0).all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"month": 9, "action": "leave", "manager": "M001", "to": "M002"}, r"changes\[0\]: month 9 is not in the run"),
        ({"month": 1, "action": "leave", "manager": "M009", "to": "M002"}, r"unknown manager 'M009'"),
        ({"month": 1, "action": "hire", "manager": "M001"}, r"hire needs a new manager id, got 'M001'"),
        ({"month": 1, "action": "move", "manager": "M001", "to": "M001"}, r"move needs 'to', another known manager"),
    ],
)
def test_bad_staff_changes_are_refused_before_the_run(small, change, message):
    with pytest.raises(ValueError, match=message):
        kamsim.simulate(kamsim.Scenario(months=6, managers={"changes": [change]}), small)


def test_per_manager_allocation_keeps_each_book_within_its_managers_hours(small):
    from kamsim.policies import PerManager, PolicyBundle

    state = pd.DataFrame({
        "stage": ["mature"] * 6,
        "manager_id": ["M1", "M1", "M1", "M1", "M2", "M2"],
        "manager_capacity_hours": [30.0] * 4 + [90.0] * 2,
    }, index=pd.Index([f"A{i}" for i in range(6)], name="account_id"))
    hours = PerManager("equal").allocate(state, 60.0)
    np.testing.assert_allclose(hours.to_numpy(), [3.75] * 4 + [22.5] * 2)  # 60 h split 1 : 3 by the managers' hours
    no_capacity = PerManager().allocate(state.drop(columns=["manager_capacity_hours"]), 60.0)
    np.testing.assert_allclose(no_capacity.to_numpy(), [10.0] * 6)  # books share by their number of accounts
    with pytest.raises(ValueError, match="inner must be an AllocationPolicy"):
        PerManager(inner=3.0)
    # in a run with a departure, the receiving manager's book is planned within her own hours: nothing is missed
    pooled = _queued(small, changes=LEAVES)
    per_book = kamsim.simulate(kamsim.Scenario(months=6, managers={"queueing": True, "changes": LEAVES}), small,
                               PolicyBundle("abc", "none", PerManager(), name="per_manager"), seed=11)
    missed = {name: int(r.manager_panel.query("manager_id == 'M001'")["tasks_missed"].sum())
              for name, r in (("pooled", pooled), ("per_book", per_book))}
    assert missed["pooled"] > 20 and missed["per_book"] < missed["pooled"] / 10
