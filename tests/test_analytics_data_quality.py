"""degrade, top_set, jaccard, selection_overlap: seeded measurement noise and missing values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamsim.analytics import degrade, jaccard, selection_overlap, top_set
from kamsim.analytics.data_quality import OVERLAP_COLUMNS


def frame(n: int = 8) -> pd.DataFrame:
    ids = pd.Index([f"A{i:03d}" for i in range(n)], name="account_id")
    return pd.DataFrame(
        {
            "revenue": np.linspace(100.0, 800.0, n),
            "potential": np.arange(1, n + 1, dtype="int64") * 1000,
            "industry": ["retail"] * n,
        },
        index=ids,
    )


def test_no_noise_no_missing_is_a_float_copy():
    f = frame()
    out = degrade(f, ["revenue", "potential"], seed=3)
    assert out is not f and out.index.equals(f.index)
    np.testing.assert_array_equal(out["revenue"], f["revenue"])
    np.testing.assert_array_equal(out["potential"], f["potential"].astype(float))
    assert out["industry"].equals(f["industry"])


def test_input_is_not_modified_and_other_columns_untouched():
    f = frame()
    before = f.copy()
    out = degrade(f, "revenue", noise_sd=0.5, missing_share=0.25, seed=1)
    pd.testing.assert_frame_equal(f, before)
    np.testing.assert_array_equal(out["potential"], f["potential"])


def test_exact_number_of_missing_cells_and_nested_sets():
    f = frame(20)
    quarter = degrade(f, "revenue", missing_share=0.25, seed=5)["revenue"].isna()
    half = degrade(f, "revenue", missing_share=0.5, seed=5)["revenue"].isna()
    assert quarter.sum() == 5 and half.sum() == 10
    assert (half | ~quarter).all()  # the 25% missing set is inside the 50% one (same seed)


def test_noise_scales_the_same_draws_common_random_numbers():
    f = frame(50)
    small = degrade(f, "revenue", noise_sd=0.5, seed=9)["revenue"]
    large = degrade(f, "revenue", noise_sd=1.0, seed=9)["revenue"]
    z_small = (np.log(small / f["revenue"]) + 0.5 * 0.5**2) / 0.5
    z_large = (np.log(large / f["revenue"]) + 0.5 * 1.0**2) / 1.0
    np.testing.assert_allclose(z_small, z_large)


def test_noise_factor_has_mean_one_and_lognormal_spread():
    n, sd = 40_000, 0.5
    ones = pd.DataFrame({"x": np.ones(n)})
    factor = degrade(ones, "x", noise_sd=sd, seed=11)["x"].to_numpy()
    assert (factor > 0).all()
    expected_std = np.sqrt(np.exp(sd**2) - 1)  # std of a mean-one log-normal factor
    assert abs(factor.mean() - 1.0) < 4 * expected_std / np.sqrt(n)
    assert abs(np.log(factor).std() - sd) < 4 * sd / np.sqrt(2 * n)


def test_same_seed_same_errors_other_seed_other_errors():
    f = frame(30)
    a = degrade(f, "revenue", noise_sd=0.3, missing_share=0.1, seed=2)
    b = degrade(f, "revenue", noise_sd=0.3, missing_share=0.1, seed=2)
    c = degrade(f, "revenue", noise_sd=0.3, missing_share=0.1, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert not a["revenue"].equals(c["revenue"])


def test_columns_have_their_own_streams():
    f = frame(30)
    alone = degrade(f, "revenue", noise_sd=0.4, missing_share=0.2, seed=4)["revenue"]
    together = degrade(f, ["potential", "revenue"], noise_sd=0.4, missing_share=0.2, seed=4)["revenue"]
    pd.testing.assert_series_equal(alone, together)


def test_existing_nan_stays_nan():
    f = frame()
    f.loc["A000", "revenue"] = np.nan
    assert np.isnan(degrade(f, "revenue", noise_sd=0.5, seed=0).loc["A000", "revenue"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"columns": "nope"}, "no column 'nope'"),
        ({"columns": "industry"}, "'industry' is not numeric"),
        ({"columns": []}, "at least one column"),
        ({"columns": "revenue", "noise_sd": -0.1}, "noise_sd"),
        ({"columns": "revenue", "missing_share": 1.5}, "missing_share"),
        ({"columns": "revenue", "seed": -1}, "seed"),
    ],
)
def test_degrade_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        degrade(frame(), **kwargs)


def test_top_set_rounds_up_skips_missing_and_breaks_ties_by_position():
    values = pd.Series([5.0, 9.0, np.nan, 9.0, 1.0, 7.0], index=list("abcdef"))
    assert top_set(values, 0.2).tolist() == ["b", "d"]  # ceil(0.2 * 6) = 2; b before d on the tie
    assert top_set(values, 0.5).tolist() == ["b", "d", "f"]
    assert "c" not in top_set(values, 1.0)
    with pytest.raises(ValueError, match="top"):
        top_set(values, 0.0)


def test_jaccard():
    assert jaccard({"a", "b", "c"}, ["b", "c", "d"]) == pytest.approx(2 / 4)
    assert jaccard([], []) == 1.0
    assert jaccard(["a"], ["b"]) == 0.0


def test_selection_overlap_grid_and_clean_cell():
    f = frame(40)
    table = selection_overlap(f, lambda t: top_set(t["revenue"], 0.2), "revenue",
                              noise_sds=(0.0, 0.5), missing_shares=(0.0, 0.25), replications=3, seed=1)
    assert list(table.columns) == list(OVERLAP_COLUMNS)
    assert len(table) == 2 * 2 * 3
    clean = table[(table["noise_sd"] == 0) & (table["missing_share"] == 0)]
    assert (clean["jaccard"] == 1.0).all() and (clean["picked"] == 8).all()
    again = selection_overlap(f, lambda t: top_set(t["revenue"], 0.2), "revenue",
                              noise_sds=(0.0, 0.5), missing_shares=(0.0, 0.25), replications=3, seed=1)
    pd.testing.assert_frame_equal(table, again)


def test_overlap_falls_as_noise_grows():
    rng = np.random.default_rng(0)
    f = pd.DataFrame({"revenue": rng.pareto(1.2, 500) * 1000 + 100})
    table = selection_overlap(f, lambda t: top_set(t["revenue"], 0.2), "revenue",
                              noise_sds=(0.1, 0.5, 1.5), replications=5, seed=2)
    means = table.groupby("noise_sd")["jaccard"].mean()
    assert means[0.1] > means[0.5] > means[1.5]


def test_selection_overlap_validation():
    with pytest.raises(ValueError, match="replications"):
        selection_overlap(frame(), lambda t: top_set(t["revenue"]), "revenue", replications=0)
