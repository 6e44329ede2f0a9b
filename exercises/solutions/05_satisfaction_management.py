"""Reference solutions of exercises/05_satisfaction_management.ipynb (for trainers; students: try first!).

One function per exercise, named ``ex_NN_K`` for exercise ``NN.K``; each
returns the answer a student would assign to ``answer`` in the notebook.
tests/test_exercises.py checks every function with ``kamsim.exercises.check``.
"""

import kamsim
from kamsim.analytics import churn_by_satisfaction, complaint_stats
from kamsim.engine.theory import erlang_c_wait


def ex_05_1():
    """05.1: NPS (points) of all survey answers in the events of the "small" portfolio."""
    events = kamsim.datasets.load("small").events
    scores = events.loc[events["event_type"] == "survey", "score"]
    promoters = (scores >= 9).mean()
    detractors = (scores <= 6).mean()
    answer = 100 * (promoters - detractors)
    return answer


def ex_05_2():
    """05.2: mean queue wait (days) of resolved complaints, 12 months, 2 handlers, seed 5."""
    portfolio = kamsim.datasets.load("small")
    scenario = kamsim.Scenario(months=12).updated({"complaints.handlers": 2})
    result = kamsim.simulate(scenario, portfolio, seed=5)
    answer = complaint_stats(result.complaints).loc["queue_days", "mean"]
    return answer


def ex_05_3():
    """05.3: Erlang C mean wait in queue (days): 0.25 complaints/day, 8 days mean handling, 3 handlers."""
    lam = 0.25
    mu = 1 / 8
    answer = erlang_c_wait(lam, mu, 3)
    return answer


def ex_05_4():
    """05.4: share of detractors (by mean survey score) lost within 12 months after the cutoff, "medium"."""
    events = kamsim.datasets.load("medium").events
    table = churn_by_satisfaction(events, horizon_months=12, score="mean")
    answer = table.loc[table["band"] == "detractor", "churn_rate"].iloc[0]
    return answer
