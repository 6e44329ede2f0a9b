"""NoisyDataSegmentation: a segmentation policy that decides on a degraded customer file."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from test_policies import make_state

import kamsim
from kamsim.policies import PolicyBundle, RFMSegmentation, ValuePotentialSegmentation
from kamsim.policies import NoisyDataSegmentation


def test_without_errors_it_equals_the_inner_policy():
    state = make_state()
    noisy = NoisyDataSegmentation(ValuePotentialSegmentation(), noise_sd=0.0, missing_share=0.0)
    pd.testing.assert_series_equal(noisy.segment(state), ValuePotentialSegmentation().segment(state))
    assert noisy.tiers == ValuePotentialSegmentation.tiers


def test_inner_by_registered_name_and_params():
    noisy = NoisyDataSegmentation("rfm", columns=("revenue_12m",), noise_sd=0.2, seed=4)
    assert noisy.tiers == RFMSegmentation.tiers
    assert noisy.get_params()["noise_sd"] == 0.2 and "NoisyDataSegmentation(" in repr(noisy)
    assert list(noisy.segment(make_state()).cat.categories) == list(RFMSegmentation.tiers)


def test_missing_values_count_as_zero():
    state = make_state()
    everything_missing = NoisyDataSegmentation(columns=("revenue_12m",), noise_sd=0.0, missing_share=1.0)
    zero_revenue = state.assign(revenue_12m=0.0)
    pd.testing.assert_series_equal(everything_missing.segment(state),
                                   ValuePotentialSegmentation().segment(zero_revenue))


def test_errors_are_fixed_per_account_whatever_the_row_order():
    state = make_state()
    noisy = NoisyDataSegmentation(noise_sd=1.5, missing_share=0.25, seed=8)
    first = noisy.segment(state)
    pd.testing.assert_series_equal(first, noisy.segment(state))  # pure: same state, same tiers
    shuffled = state.iloc[[3, 0, 7, 5, 1, 6, 2, 4]]
    pd.testing.assert_series_equal(noisy.segment(shuffled).reindex(state.index), first)
    bad = noisy.degraded_state(state)
    assert bad.index.equals(state.index) and bad["revenue_12m"].isna().sum() == 2
    pd.testing.assert_series_equal(bad["growth_potential"], state["growth_potential"])


def test_heavy_noise_changes_some_tiers():
    state = make_state()
    clean = ValuePotentialSegmentation().segment(state)
    changed = [
        (NoisyDataSegmentation(noise_sd=2.0, seed=s).segment(state) != clean).any() for s in range(10)
    ]
    assert any(changed)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"noise_sd": -1.0}, "noise_sd"),
        ({"missing_share": 1.2}, "missing_share"),
        ({"seed": -3}, "seed"),
        ({"columns": ()}, "columns"),
        ({"inner": 42}, "inner"),
        ({"inner": "no_such_policy"}, "no_such_policy"),
    ],
)
def test_bad_settings_name_the_field(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NoisyDataSegmentation(**kwargs)


def test_unknown_state_column_is_named():
    with pytest.raises(ValueError, match="nope"):
        NoisyDataSegmentation(columns=("nope",)).segment(make_state())


def test_runs_in_the_engine_and_pickles():
    portfolio = kamsim.generate_portfolio(30, seed=5)
    bundle = PolicyBundle(NoisyDataSegmentation(noise_sd=0.8, missing_share=0.1, seed=2), "none", "tier",
                          name="noisy")
    bundle = pickle.loads(pickle.dumps(bundle))
    result = kamsim.simulate(kamsim.Scenario(months=3), portfolio, bundle, seed=1)
    tiers = set(result.panel["tier"].dropna().astype(str))
    assert tiers <= {"core", "important", "general"} and tiers
    assert np.isfinite(result.kpis()["revenue"])
