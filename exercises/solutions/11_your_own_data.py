"""Reference solutions of exercises/11_your_own_data.ipynb (for trainers; students: try first!).

One function per exercise, named ``ex_NN_K`` for exercise ``NN.K``; each
returns the answer a student would assign to ``answer`` in the notebook.
tests/test_exercises.py checks every function with ``kamsim.exercises.check``.
"""

import pandas as pd

import kamsim
from kamsim.analytics import rfm_table
from kamsim.calibration import holdout_check


def _log_and_dates():
    """The notebook's set-up cell: the order log of small and the two periods."""
    portfolio = kamsim.datasets.load("small")
    log = portfolio.transactions[["account_id", "date", "amount"]]
    end = pd.Timestamp(portfolio.meta["as_of"])
    AS_OF = end - pd.DateOffset(months=12)
    UNTIL = end - pd.Timedelta(days=1)
    return log, AS_OF, UNTIL


def ex_11_1():
    """11.1: repeat purchase days before AS_OF (purchase days minus each customer's first)."""
    log, AS_OF, UNTIL = _log_and_dates()
    history = log[log["date"] < AS_OF]
    rfm = rfm_table(history, freq="D")  # frequency = purchase days after the first
    answer = rfm["frequency"].sum()
    return answer


def ex_11_2():
    """11.2: the twin's mean purchase rate r / alpha (purchases per month)."""
    log, AS_OF, UNTIL = _log_and_dates()
    twin, scenario = kamsim.calibrate(log, as_of=AS_OF)
    params = twin.meta["calibration"]["purchase_params"]
    answer = params["r"] / params["alpha"]
    return answer


def ex_11_3():
    """11.3: the twin's per-customer mean absolute error on the holdout period."""
    log, AS_OF, UNTIL = _log_and_dates()
    check = holdout_check(log, AS_OF, UNTIL, replications=20, seed=11)
    answer = check.errors().loc["twin", "mae"]
    return answer


def ex_11_4():
    """11.4: mean paired gross-margin difference (CU) of value_risk vs status_quo, retention effect halved."""
    log, AS_OF, UNTIL = _log_and_dates()
    twin, scenario = kamsim.calibrate(log, as_of=AS_OF)
    halved = scenario.updated({"retention.max_reduction": 0.25})
    comparison = kamsim.compare(
        halved, ["status_quo", "value_risk"], twin, replications=5, months=12, seed=11, progress=False
    )
    paired = comparison.paired()
    row = paired[(paired["policy"] == "value_risk") & (paired["kpi"] == "margin")]
    answer = row["diff_mean"].iloc[0]
    return answer
