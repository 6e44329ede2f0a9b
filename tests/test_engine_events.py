"""The engine's event log: compact buffers, strings made once, the schema frame unchanged (kamsim.engine.events)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kamsim
from kamsim.engine.events import Details, EventLog, sort_order
from kamsim.engine.run import Run
from kamsim.policies import as_bundle
from kamsim.schema import coerce_frame, empty_frame

IDS = np.array(["A1", "A2"], dtype=object)
PRODUCTS = np.array(["P1", "P2"], dtype=object)
MANAGERS = np.array(["M1"], dtype=object)
START = pd.Timestamp("2024-01-31")


def _frame(log: EventLog, offset: int = 0, first_id: int = 1) -> pd.DataFrame:
    return log.to_frame(IDS, PRODUCTS, MANAGERS, START, offset, first_id)


def test_an_empty_log_is_the_empty_events_table():
    pd.testing.assert_frame_equal(_frame(EventLog()), empty_frame("events"))


def test_rows_are_sorted_dated_and_typed_as_the_schema():
    log = EventLog()
    log.add("order", np.array([1, 0]), 0, np.array([0.5, 0.5]), product=np.array([1, 0]), quantity=np.array([2.0, 1.0]),
            amount=np.array([10.0, 5.0]), margin=np.array([1.0, 0.5]), manager=np.array([0, 0]))
    log.add(np.array(["contract_ended", "contract_signed"], dtype=object), np.array([0, 1]), 1, 0.0,
            manager=np.array([0, 0]), detail=np.array(["expired", "term=24m"], dtype=object))
    log.add(np.array([3, 1], dtype=np.int8), np.array([0, 0]), 0, np.array([0.9, 0.1]), hours=np.array([3.0, 2.5]))
    log.add("stage_change", np.array([1]), 1, 1.0 - 1e-9, stage_from=np.array([3]), stage_to=np.array([4]))
    log.add("survey", np.array([0]), 1, 0.25, score=7.0)
    frame = _frame(log, offset=-2, first_id=10)
    pd.testing.assert_frame_equal(frame, coerce_frame(frame, "events"))
    assert frame["event_id"].tolist() == list(range(10, 18))
    assert frame["event_type"].tolist() == ["visit", "order", "order", "qbr", "contract_ended", "contract_signed", "survey",
                                            "stage_change"]
    assert frame["account_id"].tolist()[:3] == ["A1", "A1", "A2"]  # ties in time: by account
    assert frame["month"].tolist() == [-2, -2, -2, -2, -1, -1, -1, -1]
    assert frame["date"].iloc[0] == pd.Timestamp("2024-02-02")  # month 0 starts 2024-01-31: 29 days in it
    assert frame["date"].iloc[-1] == pd.Timestamp("2024-03-30")  # end of month 1 (2024-02-29 .. 2024-03-30)
    assert frame["detail"].tolist()[4:6] == ["expired", "term=24m"]
    assert frame["detail"].isna().sum() == 6
    assert frame.loc[frame["event_type"] == "stage_change", ["stage_from", "stage_to"]].iloc[0].tolist() == ["mature", "at_risk"]
    assert frame["product_id"].tolist()[1:3] == ["P1", "P2"]


def test_lazy_details_are_written_once_per_kind_in_row_order():
    calls = []

    def write(codes):
        calls.append(codes.copy())
        return np.array([f"K{c:03d}" for c in codes], dtype=object)

    log = EventLog()
    log.add("complaint_opened", np.array([0, 1]), 0, np.array([0.7, 0.2]), detail=Details(write, np.array([4, 5])))
    log.add("complaint_opened", np.array([1]), 1, 0.1, detail=Details(write, np.array([6])))
    frame = _frame(log)
    assert len(calls) == 1 and calls[0].tolist() == [4, 5, 6]
    assert frame["detail"].tolist() == ["K005", "K004", "K006"]


def test_wrong_inputs_are_refused():
    log = EventLog()
    with pytest.raises(ValueError, match="unknown column"):
        log.add("order", np.array([0]), 0, 0.0, colour=np.array([1.0]))
    with pytest.raises(KeyError):
        log.add("teleport", np.array([0]), 0, 0.0)
    with pytest.raises(ValueError, match="codes"):
        log.add(np.array([99]), np.array([0]), 0, 0.0)


def test_non_string_ids_fail_as_before():
    log = EventLog()
    log.add("survey", np.array([0]), 0, 0.5, score=5.0)
    with pytest.raises(ValueError, match="StringArray"):
        log.to_frame(np.array([1, 2], dtype=object), PRODUCTS, MANAGERS, START)


def test_sort_order_is_stable_for_equal_keys():
    month = np.array([1, 0, 0, 1, 0])
    frac = np.array([0.5, 0.5, 0.5, 0.1, 0.5])
    account = np.array([0, 1, 1, 0, 0])
    codes = np.array([0, 2, 2, 0, 0])
    assert sort_order(month, frac, account, codes).tolist() == [4, 1, 2, 3, 0]


def test_a_simulated_log_is_lean_and_its_frame_has_the_schema():
    portfolio = kamsim.datasets.load("small")
    run = Run(kamsim.Scenario(), portfolio, as_bundle("risk_targeted"), 3, 12)
    result = run.run(pd.Timestamp("2024-01-01"), 0, 1, 3, portfolio)
    assert len(run.log) == len(result.events) > 10_000
    assert run.log.nbytes / len(run.log) <= 60  # buffers while building (the target is <= 150 bytes a row)
    events = result.events
    pd.testing.assert_frame_equal(events, coerce_frame(events, "events"))
    assert events["event_type"].value_counts()["complaint_resolved"] > 0
    resolved = events[events["event_type"] == "complaint_resolved"]
    assert resolved["detail"].str.match(r"^K\d{6}\|queue=-?\d+\.\d\d\|accept=").all()
