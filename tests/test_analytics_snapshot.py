"""account_snapshot: accounts + purchase totals of the look-back window, as of one date."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamsim.analytics import account_snapshot, screening_scorecard


def _accounts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": ["A3", "A1", "A2"],
            "industry": ["retail", "energy", "retail"],
            "annual_potential_spend": [100.0, 200.0, 300.0],
        }
    )


def _log() -> pd.DataFrame:
    # as_of 2024-01-01, 12 months -> window [2023-01-01, 2024-01-01)
    return pd.DataFrame(
        {
            "account_id": ["A1", "A1", "A1", "A3", "A3", "A1"],
            "date": pd.to_datetime(
                ["2022-12-31", "2023-01-01", "2023-12-31", "2022-06-15", "2024-01-01", "2023-07-10"]
            ),
            "amount": [1000.0, 10.0, 20.0, 500.0, 7000.0, 5.0],
            "margin": [100.0, 1.0, 2.0, 50.0, 700.0, 0.5],
        }
    )


def test_window_boundaries_and_columns():
    snap = account_snapshot(_accounts(), _log(), as_of="2024-01-01")
    assert list(snap.index) == ["A3", "A1", "A2"]  # order of accounts kept
    assert snap.index.name == "account_id"
    assert list(snap.columns) == [
        "industry", "annual_potential_spend", "revenue_12m", "margin_12m", "orders_12m", "months_since_order",
    ]  # fmt: skip
    # A1: 2023-01-01 (start, included), 2023-07-10, 2023-12-31; 2022-12-31 is before the window
    assert snap.loc["A1", "revenue_12m"] == pytest.approx(35.0)
    assert snap.loc["A1", "margin_12m"] == pytest.approx(3.5)
    assert snap.loc["A1", "orders_12m"] == 3
    assert snap.loc["A1", "months_since_order"] == 1  # ordered in December
    # A3: only an order before the window and one on as_of (excluded: no look into the future)
    assert snap.loc["A3", "revenue_12m"] == 0.0 and snap.loc["A3", "orders_12m"] == 0
    assert snap.loc["A3", "months_since_order"] == 19  # June 2022 -> January 2024
    # A2 never ordered
    assert snap.loc["A2", "revenue_12m"] == 0.0 and np.isnan(snap.loc["A2", "months_since_order"])
    assert snap["orders_12m"].dtype == np.int64


def test_months_sets_window_and_column_names():
    snap = account_snapshot(_accounts(), _log(), as_of="2024-01-01", months=6)
    assert {"revenue_6m", "margin_6m", "orders_6m"} <= set(snap.columns)
    assert snap.loc["A1", "revenue_6m"] == pytest.approx(25.0)  # 2023-07-10 and 2023-12-31


def test_default_as_of_is_first_of_month_after_last_order():
    log = _log()
    explicit = account_snapshot(_accounts(), log, as_of="2024-02-01")
    assert account_snapshot(_accounts(), log).equals(explicit)  # last order 2024-01-01


def test_external_log_column_names_and_missing_margin():
    log = _log().rename(columns={"account_id": "cust", "date": "day", "amount": "value"}).drop(columns="margin")
    accounts = _accounts().rename(columns={"account_id": "cust"})
    snap = account_snapshot(accounts, log, as_of="2024-01-01", customer_col="cust", date_col="day", amount_col="value")
    assert snap.loc["A1", "revenue_12m"] == pytest.approx(35.0)
    assert (snap["margin_12m"] == 0.0).all()


def test_events_log_uses_order_rows_only():
    events = _log().assign(event_type="order")
    visit = pd.DataFrame(
        {"account_id": ["A2"], "date": pd.to_datetime(["2023-05-01"]), "amount": [np.nan], "margin": [np.nan],
         "event_type": ["visit"]}
    )  # fmt: skip
    snap = account_snapshot(_accounts(), pd.concat([events, visit], ignore_index=True), as_of="2024-01-01")
    assert snap.loc["A2", "orders_12m"] == 0


def test_empty_log_gives_zeros():
    empty = _log().iloc[:0]
    snap = account_snapshot(_accounts(), empty, as_of="2024-01-01")
    assert (snap["revenue_12m"] == 0).all() and snap["months_since_order"].isna().all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"months": 0}, "months must be a positive integer"),
        ({"months": 1.5}, "months must be a positive integer"),
        ({"as_of": "not a date"}, "as_of"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        account_snapshot(_accounts(), _log(), **{"as_of": "2024-01-01", **kwargs})


def test_bad_tables_are_named():
    with pytest.raises(ValueError, match="no column 'account_id'"):
        account_snapshot(_accounts().drop(columns="account_id"), _log(), as_of="2024-01-01")
    dup = pd.concat([_accounts(), _accounts().iloc[:1]], ignore_index=True)
    with pytest.raises(ValueError, match="row 3: duplicated id 'A3'"):
        account_snapshot(dup, _log(), as_of="2024-01-01")
    with pytest.raises(ValueError, match="account 'A1' which is not in accounts"):
        account_snapshot(_accounts().iloc[[0, 2]], _log(), as_of="2024-01-01")
    with pytest.raises(ValueError, match="give a snapshot date"):
        account_snapshot(_accounts(), _log().iloc[:0])


def test_matches_engine_state_in_first_month():
    """On a warm-started portfolio the snapshot equals what policies see in month 0."""
    import kamsim
    from kamsim.policies import PolicyBundle
    from kamsim.policies.segmentation import ABCSegmentation

    portfolio = kamsim.generate_portfolio(60, seed=11, history_months=13)
    seen: dict[str, pd.DataFrame] = {}

    class Spy(ABCSegmentation):
        name = "spy"

        def segment(self, state):
            seen.setdefault("state", state.copy())
            return super().segment(state)

    kamsim.simulate(kamsim.Scenario(months=1), portfolio, PolicyBundle(Spy(), "none", "equal"), seed=3)
    state = seen["state"]
    snap = account_snapshot(portfolio.accounts, portfolio.events, as_of=portfolio.meta["as_of"])
    for col in ("revenue_12m", "margin_12m", "orders_12m", "months_since_order"):
        expected = state[col].to_numpy(dtype="float64", na_value=np.nan)
        got = snap.loc[state.index, col].to_numpy(dtype="float64")
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-6, equal_nan=True, err_msg=col)
    # and the screening scorecard picks the engine-state columns from it
    card = screening_scorecard(snap)
    assert len(card) == 60 and card["total"].between(0, 100).all()
