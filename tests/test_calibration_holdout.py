"""The CDNOW holdout: a twin calibrated on 39 weeks forecasts the next 39 at least as well as BG/NBD."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kamsim.calibration import holdout_check

CDNOW = Path(__file__).parents[1] / "datasets" / "logs" / "cdnow_sample.csv"
REPLICATIONS = 200


@pytest.fixture(scope="module")
def check():
    return holdout_check(CDNOW, "1997-10-01", "1998-06-30", replications=REPLICATIONS, seed=2024, customer_col="customer_id")


def test_holdout_is_the_papers(check):
    assert len(check.customers) == 2357
    assert int(check.customers["actual"].sum()) == int(check.errors().loc["twin", "actual"])
    # 39 + 39 weeks from 1997-01-01; BG/NBD fitted on the same weeks matches the published estimates
    assert len(check.tracking) == 78
    assert check.errors().loc["bgnbd", "predicted"] == pytest.approx(1653.4, abs=0.5)


def test_twin_is_at_least_as_accurate_as_bgnbd(check):
    errors = check.errors()
    twin, bg = errors.loc["twin"], errors.loc["bgnbd"]
    assert abs(twin["aggregate_error"]) <= abs(bg["aggregate_error"])
    assert twin["mae"] <= bg["mae"]


def test_twin_simulates_its_closed_form(check):
    """The mean of the runs equals the Pareto/NBD conditional expectation within Monte Carlo error."""
    se = check.totals.std(ddof=1) / np.sqrt(check.replications)
    errors = check.errors()
    assert abs(errors.loc["twin", "predicted"] - errors.loc["pareto_nbd", "predicted"]) < 4.5 * se
    per_customer = check.customers
    heavy = per_customer["pareto_nbd"] > 2
    assert np.corrcoef(per_customer.loc[heavy, "twin"], per_customer.loc[heavy, "pareto_nbd"])[0, 1] > 0.98


def test_tracking_curve(check):
    t = check.tracking
    before = t["end"] <= pd.Timestamp("1997-10-01")
    assert (t.loc[before, "twin"] == t.loc[before, "actual"]).all()
    assert t["actual"].is_monotonic_increasing and t["twin"].is_monotonic_increasing
    assert (t["twin_low"] <= t["twin"]).all() and (t["twin"] <= t["twin_high"]).all()
    last = t.iloc[-1]
    assert last["twin"] == pytest.approx(t.loc[before, "actual"].iloc[-1] + check.errors().loc["twin", "predicted"], rel=0.02)


def test_tracking_plot(check):
    import matplotlib

    matplotlib.use("Agg")
    ax = check.plot(labels={"title": "跟踪图"})
    assert ax.get_title() == "跟踪图"
    assert len(ax.lines) >= 3
    ax.figure.clf()


def test_same_seed_same_check_serial_or_pool():
    small = dict(replications=4, seed=7, customer_col="customer_id")
    a = holdout_check(CDNOW, "1997-10-01", "1997-12-31", **small)
    b = holdout_check(CDNOW, "1997-10-01", "1997-12-31", executor=2, **small)
    pd.testing.assert_frame_equal(a.customers, b.customers)
    pd.testing.assert_frame_equal(a.tracking, b.tracking)


def test_until_before_as_of_is_refused():
    with pytest.raises(ValueError, match="until: 1997-09-01 is before as_of"):
        holdout_check(CDNOW, "1997-10-01", "1997-09-01", replications=2, customer_col="customer_id")
