"""BG/NBD and Gamma-Gamma: published CDNOW estimates, closed-form identities, simulation checks."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _analytics_data import CSV_COLUMNS, events_log, write_plain_csv
from scipy.optimize import OptimizeResult

from kamsim._random import streams
from kamsim.analytics import BetaGeoFitter, ConvergenceError, GammaGammaFitter, clv, read_transactions, rfm_table

CDNOW = Path(__file__).parent / "data" / "cdnow_summary.csv"


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return pd.read_csv(CDNOW)


@pytest.fixture(scope="module")
def bgf(cdnow) -> BetaGeoFitter:
    return BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


@pytest.fixture(scope="module")
def ggf(cdnow) -> GammaGammaFitter:
    buyers = cdnow[cdnow["frequency"] > 0]
    return GammaGammaFitter().fit(buyers["frequency"], buyers["monetary_value"])


def test_cdnow_has_the_paper_sample(cdnow):
    assert len(cdnow) == 2357
    assert (cdnow["frequency"] > 0).sum() == 946


def test_bgnbd_recovers_published_cdnow_estimates(bgf):
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    for name, value in published.items():
        assert bgf.params_[name] == pytest.approx(value, rel=0.01), name
    assert bgf.log_likelihood_ == pytest.approx(-9582.4, abs=0.1)
    summary = bgf.summary
    assert list(summary.columns) == ["coef", "se", "lower_95", "upper_95"]
    assert list(summary.index) == ["r", "alpha", "a", "b"]
    assert (summary["lower_95"] < summary["coef"]).all() and (summary["coef"] < summary["upper_95"]).all()
    assert summary.loc["r", "se"] == pytest.approx(0.0126, abs=0.001)


def test_bgnbd_predictions_match_reference_spreadsheet(bgf):
    # Reference values of Fader & Hardie's BG/NBD spreadsheet for the CDNOW estimates.
    assert bgf.predict(39, 2, 30.43, 38.86)[0] == pytest.approx(1.226, abs=1e-3)
    expected = bgf.expected_purchases(np.array([0.1429, 1.0, 3.00, 31.8571, 32.00, 78.00]))
    assert expected == pytest.approx([0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576], abs=1e-3)


def test_bgnbd_identities(bgf):
    # A customer with no history (x = 0, T -> 0) is a new customer: conditional = unconditional.
    assert bgf.predict(10, 0, 0, 1e-9)[0] == pytest.approx(float(bgf.expected_purchases(10.0)), rel=1e-6)
    assert bgf.probability_alive([0, 0], [0, 0], [5, 50]).tolist() == [1.0, 1.0]
    r, alpha, a, b = bgf.params_
    x, tx, big_t = 3, 10.0, 30.0
    p_alive = 1 / (1 + a / (b + x - 1) * ((alpha + big_t) / (alpha + tx)) ** (r + x))
    assert bgf.probability_alive(x, tx, big_t)[0] == pytest.approx(p_alive)
    # A recent buyer is more likely alive than one who stopped long ago.
    assert bgf.probability_alive(3, 29, 30)[0] > bgf.probability_alive(3, 5, 30)[0]


def _simulate_bgnbd(n, r, alpha, a, b, t_obs, seed):
    """Draw (x, t_x) from the BG/NBD generative process observed on (0, T]."""
    rng = streams(seed, ["bgnbd"])["bgnbd"]
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    dies_after = rng.geometric(p)  # repeat purchase after which the customer drops out
    n_poisson = rng.poisson(lam * t_obs)
    x = np.minimum(n_poisson, dies_after)
    # Given N(T) = n events, the x-th event time is T * Beta(x, n - x + 1).
    tx = np.where(x > 0, t_obs * rng.beta(np.maximum(x, 1), np.maximum(n_poisson - x + 1, 1)), 0.0)
    return x.astype(float), tx


def test_unconditional_expectation_matches_simulation():
    model = BetaGeoFitter()
    model.params_ = pd.Series([0.8, 5.0, 0.7, 2.0], index=["r", "alpha", "a", "b"])
    n = 200_000
    x, _ = _simulate_bgnbd(n, 0.8, 5.0, 0.7, 2.0, 20.0, seed=3)
    se = x.std() / math.sqrt(n)
    assert abs(x.mean() - float(model.expected_purchases(20.0))) < 4 * se


def test_bgnbd_recovers_simulated_parameters():
    true = {"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 2.5}
    n = 4000
    rng = streams(5, ["T"])["T"]
    big_t = rng.uniform(20.0, 40.0, n).round(2)
    x, tx = np.zeros(n), np.zeros(n)
    for i, t_obs in enumerate(np.unique(big_t)):  # few distinct T values
        m = big_t == t_obs
        x[m], tx[m] = _simulate_bgnbd(int(m.sum()), *true.values(), t_obs, seed=100 + i)
    fit = BetaGeoFitter().fit(x, np.round(tx, 4), big_t)
    summary = fit.summary
    for name, value in true.items():
        # Maximum-likelihood estimates are within 4 standard errors (SEs shrink as 1/sqrt(n)).
        assert abs(summary.loc[name, "coef"] - value) < 4 * summary.loc[name, "se"], name


def test_gamma_gamma_recovers_published_cdnow_estimates(ggf, cdnow):
    for name, value in {"p": 6.25, "q": 3.74, "v": 15.44}.items():
        assert ggf.params_[name] == pytest.approx(value, rel=0.01), name
    p, q, v = ggf.params_
    spend = ggf.expected_spend([2, 0], [22.35, 0.0])
    assert spend[0] == pytest.approx(p * (v + 2 * 22.35) / (2 * p + q - 1))
    assert spend[1] == pytest.approx(p * v / (q - 1))  # population mean for customers without repeats


def test_clv_formula(bgf, ggf):
    args = ([2, 0], [30.43, 0.0], [38.86, 38.86], [22.35, 0.0])
    spend = ggf.expected_spend(args[0], args[3])
    one = clv(bgf, ggf, *args, months=1, discount_rate=0.01, periods_per_month=4.348)
    assert one == pytest.approx(bgf.predict(4.348, *args[:3]) * spend / 1.01)
    flat = clv(bgf, ggf, *args, months=12, discount_rate=0.0, periods_per_month=4.348)
    assert flat == pytest.approx(bgf.predict(12 * 4.348, *args[:3]) * spend)
    discounted = clv(bgf, ggf, *args, months=12, discount_rate=0.02, periods_per_month=4.348)
    assert (discounted < flat).all() and (discounted > 0).all()
    with pytest.raises(ValueError, match="months"):
        clv(bgf, ggf, *args, months=0)


def test_predict_before_fit_is_a_clear_error():
    with pytest.raises(ValueError, match="not fitted yet"):
        BetaGeoFitter().predict(10, [1], [5], [10])
    with pytest.raises(ValueError, match="not fitted yet"):
        GammaGammaFitter().expected_spend([1], [5.0])
    with pytest.raises(ValueError, match="not fitted yet"):
        BetaGeoFitter().summary


def test_bad_data_names_row():
    with pytest.raises(ValueError, match="recency: row 1 must not exceed T"):
        BetaGeoFitter().fit([1, 2], [3, 12], [10, 10])
    with pytest.raises(ValueError, match="frequency: row 0"):
        BetaGeoFitter().fit([1.5], [3], [10])
    with pytest.raises(ValueError, match="recency: row 0 must be 0"):
        BetaGeoFitter().fit([0], [3], [10])
    with pytest.raises(ValueError, match="monetary_value: row 1"):
        GammaGammaFitter().fit([1, 2], [10.0, 0.0])


def test_optimisation_failure_is_reported(monkeypatch, cdnow):
    def failing(fun, x0, **kwargs):
        return OptimizeResult(x=np.asarray(x0), fun=float("nan"), success=False, message="simulated failure")

    from kamsim.analytics import lifetime_value as module

    monkeypatch.setattr(module.optimize, "minimize", failing)
    with pytest.raises(ConvergenceError, match="simulated failure"):
        BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


def test_clv_pipeline_on_both_logs(tmp_path, bgf, ggf):
    csv = read_transactions(write_plain_csv(tmp_path), **CSV_COLUMNS)
    results = []
    for log in (events_log(), csv):
        t = rfm_table(log, freq="W")
        value = clv(bgf, ggf, t["frequency"], t["recency"], t["T"], t["monetary_value"], periods_per_month=4.348)
        alive = bgf.probability_alive(t["frequency"], t["recency"], t["T"])
        assert value.shape == (3,) and np.all(value > 0) and np.all((alive > 0) & (alive <= 1))
        results.append(value)
    assert results[0] == pytest.approx(results[1])


def test_rfm_units_travel_to_clv(bgf, ggf):
    # Regression (issue 14): a daily rfm_table with clv's old default periods_per_month=1 gave a 12-day CLV.
    daily = rfm_table(events_log())
    assert daily.attrs == {"freq": "D", "periods_per_month": 30.4375}
    args = (daily["frequency"], daily["recency"], daily["T"], daily["monetary_value"])
    explicit = clv(bgf, ggf, *args, periods_per_month=30.4375)
    assert clv(bgf, ggf, *args) == pytest.approx(explicit)  # unit taken from the table
    with pytest.raises(ValueError, match="periods_per_month=1.0 but the RFM data is in periods with 30.44 per month"):
        clv(bgf, ggf, *args, periods_per_month=1.0)
    with pytest.raises(ValueError, match="model period is unknown"):
        clv(bgf, ggf, *(a.to_numpy() for a in args))
    weekly = rfm_table(events_log(), freq="W")
    assert clv(bgf, ggf, *(weekly[c] for c in ("frequency", "recency", "T", "monetary_value")), periods_per_month=4.348).shape == (3,)


def test_fitter_keeps_the_unit_of_its_data(cdnow):
    table = cdnow[["frequency", "recency", "T"]].copy()
    table.attrs.update(freq="D/7", periods_per_month=30.4375 / 7)
    fitted = BetaGeoFitter().fit(table["frequency"], table["recency"], table["T"])
    assert fitted.periods_per_month_ == pytest.approx(4.348, abs=1e-3)
    buyers = cdnow[cdnow["frequency"] > 0]
    ggf = GammaGammaFitter().fit(buyers["frequency"], buyers["monetary_value"])
    plain = ([2, 0], [30.43, 0.0], [38.86, 38.86], [22.35, 0.0])
    assert clv(fitted, ggf, *plain) == pytest.approx(clv(fitted, ggf, *plain, periods_per_month=30.4375 / 7))
    with pytest.raises(ValueError, match="periods_per_month=30.4375"):
        clv(fitted, ggf, *plain, periods_per_month=30.4375)


def test_fader_hardie_weeks_are_days_over_seven():
    log = events_log()
    fh = rfm_table(log, freq="D/7")
    daily = rfm_table(log, freq="D")
    calendar = rfm_table(log, freq="W")
    assert fh.attrs["freq"] == "D/7" and fh.attrs["periods_per_month"] == pytest.approx(30.4375 / 7)
    assert fh["frequency"].tolist() == daily["frequency"].tolist()  # purchases counted by day
    assert fh["T"].to_numpy() == pytest.approx(daily["T"].to_numpy() / 7)
    assert fh["recency"].to_numpy() == pytest.approx(daily["recency"].to_numpy() / 7)
    assert not np.allclose(fh["T"], calendar["T"])  # calendar weeks are whole weeks from Monday
    with pytest.raises(ValueError, match="'D/7'"):
        rfm_table(log, freq="7D")
