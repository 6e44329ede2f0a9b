"""sBG contractual retention: Fader & Hardie (2007) "regular" segment, closed forms, bad inputs, input builders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamsim.analytics import ShiftedBetaGeometricFitter, contract_spans, contract_survivors

# Fader & Hardie (2007), "How to project customer retention", Table 1: regular segment, alive at the start of years 0-12.
REGULAR = np.array([1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173], dtype=float)


@pytest.fixture(scope="module")
def sbg() -> ShiftedBetaGeometricFitter:
    return ShiftedBetaGeometricFitter().fit(survivors=REGULAR[:8])  # years 1-7 observed


def test_sbg_recovers_published_regular_segment_estimates(sbg):
    assert sbg.params_["alpha"] == pytest.approx(0.704, abs=1e-3)
    assert sbg.params_["beta"] == pytest.approx(1.182, abs=1e-3)
    assert sbg.log_likelihood_ == pytest.approx(-1680.3, abs=0.05)
    summary = sbg.summary
    assert list(summary.index) == ["alpha", "beta"]
    assert (summary["se"] > 0).all() and (summary["lower_95"] < summary["coef"]).all()


def test_sbg_projects_years_8_to_12_within_a_few_customers(sbg):
    projected = sbg.predict(range(8, 13))
    assert list(projected.index) == [8, 9, 10, 11, 12]
    errors = projected.to_numpy() - REGULAR[8:]
    assert np.abs(errors).max() < 4.0  # the paper's projection is about 3 customers low
    assert sbg.predict(range(8)).to_numpy() == pytest.approx(REGULAR[:8], abs=8.0)


def test_churn_counts_give_the_same_fit(sbg):
    other = ShiftedBetaGeometricFitter().fit(churned=-np.diff(REGULAR[:8]), n=1000)
    assert other.params_.to_numpy() == pytest.approx(sbg.params_.to_numpy(), rel=1e-6)


def test_cohort_table_fits_cohorts_jointly(sbg):
    table = pd.DataFrame([REGULAR[:8].tolist() + [np.nan], REGULAR[:9].tolist()])
    joint = ShiftedBetaGeometricFitter().fit(table)
    assert joint.cohort_size_ == 2000 and joint.n_periods_ == 8
    assert joint.params_["alpha"] == pytest.approx(sbg.params_["alpha"], rel=0.05)


def test_closed_forms(sbg):
    a, b = sbg.params_
    s = sbg.survival(np.arange(0, 6))
    assert s.iloc[0] == 1.0
    r = sbg.retention_rate(np.arange(1, 6))
    assert r.to_numpy() == pytest.approx((s.to_numpy()[1:] / s.to_numpy()[:-1]))
    assert r.is_monotonic_increasing  # survivor selection: retention rises with tenure
    assert sbg.expected_lifetime() == float("inf")  # alpha < 1
    homogeneous = ShiftedBetaGeometricFitter().fit(survivors=[1000, 500, 250, 125])
    assert homogeneous.retention_rate([1, 2, 3]).to_numpy() == pytest.approx(0.5, abs=0.01)


def test_derl_matches_direct_sum(sbg):
    d = 0.1
    derl = sbg.discounted_expected_residual_lifetime(d, [1, 2, 5])
    s = sbg.survival(np.arange(0, 4000)).to_numpy()
    for n in (1, 2, 5):
        direct = sum(s[t] / s[n - 1] / (1 + d) ** (t - n) for t in range(n, 3999))
        assert derl[n] == pytest.approx(direct, rel=1e-6)
    assert derl.is_monotonic_increasing


def test_increasing_survivors_name_the_period():
    with pytest.raises(ValueError, match="period 3 has 400 alive but period 2 had 380"):
        ShiftedBetaGeometricFitter().fit(survivors=[1000, 600, 380, 400])
    with pytest.raises(ValueError, match="period 2 is -1"):
        ShiftedBetaGeometricFitter().fit(survivors=[1000, 600, -1])
    with pytest.raises(ValueError, match="exceed the cohort size"):
        ShiftedBetaGeometricFitter().fit(churned=[600, 500], n=1000)
    with pytest.raises(ValueError, match="either survivors"):
        ShiftedBetaGeometricFitter().fit()
    with pytest.raises(ValueError, match="needs the cohort size"):
        ShiftedBetaGeometricFitter().fit(churned=[1, 2])


def test_predict_before_fit_is_a_clear_error():
    for call in ("survival", "retention_rate", "predict"):
        with pytest.raises(ValueError, match=rf"not fitted yet: call fit\(\.\.\.\) before {call}\(\)"):
            getattr(ShiftedBetaGeometricFitter(), call)([1, 2])
    with pytest.raises(ValueError, match="not fitted"):
        ShiftedBetaGeometricFitter().discounted_expected_residual_lifetime(0.1)
    with pytest.raises(ValueError, match="not fitted"):
        ShiftedBetaGeometricFitter().summary


def test_contract_table_to_survivors():
    contracts = pd.DataFrame(
        {
            "customer": ["a", "b", "c", "d"],
            "start": ["2020-01-15", "2020-03-01", "2020-06-01", "2021-02-01"],
            "end": ["2020-12-01", None, "2022-07-01", None],
        }
    )
    table = contract_survivors(contracts, "Y", cutoff="2022-12-31")
    assert list(table.index) == [pd.Timestamp("2020-01-01"), pd.Timestamp("2021-01-01")]
    assert table.loc[pd.Timestamp("2020-01-01")].tolist() == [3, 2, 2]
    assert table.loc[pd.Timestamp("2021-01-01")].tolist()[:2] == [1, 1]
    assert np.isnan(table.iloc[1, 2])
    ShiftedBetaGeometricFitter().fit(table)
    with pytest.raises(ValueError, match="row 0 ends"):
        contract_survivors(pd.DataFrame({"start": ["2020-01-01"], "end": ["2019-01-01"]}))


def test_contract_spans_from_kamsim_events():
    events = pd.DataFrame(
        {
            "account_id": ["A1", "A1", "A1", "A1", "A2", "A3"],
            "date": pd.to_datetime(["2020-01-31", "2021-02-01", "2022-02-01", "2023-01-01", "2020-05-31", "2020-01-01"]),
            "event_type": ["contract_signed", "contract_renewed", "contract_ended", "contract_signed",
                           "contract_signed", "contract_renewed"],
        }
    )
    spans = contract_spans(events)
    assert spans["account_id"].tolist() == ["A1", "A2"]  # A3: signed before the log
    assert spans.loc[0, "end"] == pd.Timestamp("2022-02-01") and pd.isna(spans.loc[1, "end"])


def test_optimisation_failure_is_reported(monkeypatch):
    from scipy import optimize
    from scipy.optimize import OptimizeResult

    from kamsim.analytics import ConvergenceError

    def failing(fun, x0, **kwargs):
        return OptimizeResult(x=np.asarray(x0), fun=float("nan"), success=False, message="simulated failure")

    monkeypatch.setattr(optimize, "minimize", failing)
    with pytest.raises(ConvergenceError, match="ShiftedBetaGeometricFitter.fit did not converge: simulated failure"):
        ShiftedBetaGeometricFitter().fit(survivors=REGULAR[:8])
