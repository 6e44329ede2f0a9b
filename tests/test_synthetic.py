"""kamsim.generate_portfolio (kamsim.synthetic): the generators, then the engine's warm start for history."""

from __future__ import annotations

import pandas as pd
import pytest

import kamsim
from kamsim import generators, schema, synthetic
from kamsim.portfolio import Portfolio


def test_the_package_function_is_the_synthetic_one():
    assert kamsim.generate_portfolio is synthetic.generate_portfolio


def test_without_history_it_is_exactly_the_generators_portfolio():
    plain = generators.generate_portfolio(30, seed=4, locale="zh_CN", n_products=5)
    same = kamsim.generate_portfolio(30, seed=4, locale="zh_CN", n_products=5)
    for name, frame in plain.tables().items():
        pd.testing.assert_frame_equal(frame, same.tables()[name])
    assert plain.meta == same.meta and same.meta["history_months"] == 0


def test_history_months_calls_engine_warm_start(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def warm_start(portfolio: Portfolio, months: int, scenario: object, seed: int) -> Portfolio:
        calls.append((months, scenario, seed))
        events = schema.empty_frame("events")
        row = {c: None for c in events.columns}
        row.update(event_id=0, account_id="A00001", date="2023-12-15", month=-1, event_type="order",
                   product_id="P001", quantity=2.0, amount=100.0, margin=30.0)
        portfolio.events = pd.DataFrame([row])
        return portfolio

    monkeypatch.setattr(synthetic, "warm_start", warm_start)
    p = kamsim.generate_portfolio(10, seed=1, history_months=6, scenario="sc")
    assert calls == [(6, "sc", 1)]
    assert p.meta["history_months"] == 6
    assert len(p.transactions) == 1


@pytest.mark.parametrize("months", [-1, 2.5, True, "6"])
def test_bad_history_months_is_refused_before_any_work(monkeypatch: pytest.MonkeyPatch, months: object) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("generated although history_months was invalid")

    monkeypatch.setattr(synthetic.generators, "generate_portfolio", fail)
    with pytest.raises(ValueError, match="history_months"):
        kamsim.generate_portfolio(10, seed=1, history_months=months)
