"""value_potential_tiers, kam_matrix, screening_scorecard."""

from __future__ import annotations

import pandas as pd
import pytest
from _analytics_data import CSV_COLUMNS, events_log, write_plain_csv

from kamsim.analytics import (
    customer_totals,
    kam_matrix,
    read_transactions,
    screening_scorecard,
    value_potential_tiers,
)

VALUE = pd.Series([50.0, 30.0, 10.0, 6.0, 4.0], index=list("abcde"))
POTENTIAL = pd.Series([0.9, 0.1, 0.8, 0.2, 0.5], index=list("abcde"))


def test_value_potential_tiers_share_rule():
    tiers = value_potential_tiers(VALUE, POTENTIAL)
    # high value (top 80 % of value): a, b; high potential (>= median 0.5): a, c, e.
    assert tiers.tolist() == ["core", "important", "important", "general", "important"]
    assert tiers.name == "tier" and tiers.index.equals(VALUE.index)


def test_value_potential_tiers_quantile_rule():
    tiers = value_potential_tiers(VALUE, POTENTIAL, value_cut=0.8, value_rule="quantile")
    # 0.8 quantile of value = 34 -> only a is high value.
    assert tiers.tolist() == ["core", "general", "important", "general", "important"]


def test_value_potential_tiers_validation():
    with pytest.raises(ValueError, match="same index"):
        value_potential_tiers(VALUE, POTENTIAL.iloc[:3])
    with pytest.raises(ValueError, match="value_cut"):
        value_potential_tiers(VALUE, POTENTIAL, value_cut=1.5)
    with pytest.raises(ValueError, match="value_rule"):
        value_potential_tiers(VALUE, POTENTIAL, value_rule="x")
    with pytest.raises(ValueError, match="potential: row 'b'"):
        value_potential_tiers(VALUE, POTENTIAL.where(POTENTIAL > 0.1))


def test_kam_matrix_quadrants():
    att = pd.Series([1.0, 2.0, 3.0, 4.0], index=list("wxyz"))
    pos = pd.Series([4.0, 1.0, 3.0, 2.0], index=list("wxyz"))
    q = kam_matrix(att, pos)
    assert q.tolist() == ["maintain", "streamline", "strategic", "develop"]
    assert kam_matrix(att, pos, attractiveness_cut=0, position_cut=0).eq("strategic").all()


def _accounts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": ["X1", "X2", "X3"],
            "annual_potential_spend": [100.0, 200.0, 300.0],
            "price_sensitivity": [0.5, 0.1, 0.9],
            "credit_risk": [0.01, 0.05, 0.02],
            "growth_potential": [0.2, 0.2, 0.8],
            "cooperativeness": [0.3, 0.6, 0.9],
        }
    )


def test_screening_scorecard_hand_example():
    card = screening_scorecard(_accounts())
    assert card.index.tolist() == ["X1", "X2", "X3"]
    assert card["score_annual_purchase"].tolist() == [0, 50, 100]
    assert card["score_profitability"].tolist() == [50, 100, 0]  # lower price sensitivity is better
    assert card["score_credit_safety"].tolist() == [100, 0, 50]  # lower credit risk is better
    assert card["score_potential"].tolist() == [25, 25, 100]  # ties share the average rank
    assert card["score_cooperativeness"].tolist() == [0, 50, 100]
    assert card["total"].tolist() == pytest.approx([35, 45, 70])
    assert card["rank"].tolist() == [3, 2, 1]
    assert card["passed"].tolist() == [False, False, True]


def test_screening_scorecard_weights_and_criteria():
    card = screening_scorecard(_accounts(), weights={"annual_purchase": 3, "credit_safety": 1})
    assert card["total"].tolist() == pytest.approx([25, 37.5, 87.5])
    acc = _accounts().assign(my_margin=[3.0, 2.0, 1.0])
    card2 = screening_scorecard(acc, criteria={"profitability": "my_margin"})
    assert card2["score_profitability"].tolist() == [100, 50, 0]
    card3 = screening_scorecard(acc, criteria={"profitability": ("my_margin", False)})
    assert card3["score_profitability"].tolist() == [0, 50, 100]


def test_screening_scorecard_errors():
    with pytest.raises(ValueError, match="unknown criterion"):
        screening_scorecard(_accounts(), weights={"size": 1})
    with pytest.raises(ValueError, match="invalid weight"):
        screening_scorecard(_accounts(), weights={"potential": -1})
    with pytest.raises(ValueError, match="no column for criterion 'potential'"):
        screening_scorecard(_accounts().drop(columns="growth_potential"))
    bad = _accounts()
    bad.loc[1, "credit_risk"] = None
    with pytest.raises(ValueError, match="'credit_risk' row 1"):
        screening_scorecard(bad)


def test_tiers_from_both_logs(tmp_path):
    ev = customer_totals(events_log())
    csv = customer_totals(read_transactions(write_plain_csv(tmp_path), **CSV_COLUMNS, margin_col="GrossMargin"))
    for totals in (ev, csv):
        # revenue A1 350, A2 100, A3 400 (A1 and A3 hold 88 % > 80 %: both high value); median potential 0.5.
        potential = pd.Series([0.9, 0.5, 0.1], index=totals.index)
        assert value_potential_tiers(totals["revenue"], potential).tolist() == ["core", "important", "important"]
        assert kam_matrix(totals["revenue"], potential).tolist() == ["strategic", "maintain", "develop"]
        accounts = totals.reset_index().rename(columns={"revenue": "annual_purchase", "margin": "profitability"})
        accounts = accounts.assign(credit_risk=0.1, growth_potential=potential.to_numpy(), cooperativeness=0.5)
        card = screening_scorecard(accounts)
        # scores A1: 50, 50, 50, 100, 50; A2: 0, 0, 50, 50, 50; A3: 100, 100, 50, 0, 50
        assert card["total"].tolist() == pytest.approx([60, 30, 60])
        assert card["rank"].tolist() == [1, 3, 1]
