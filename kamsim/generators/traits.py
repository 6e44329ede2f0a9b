"""Latent traits, credit risk and lifecycle stage of accounts.

What a KAM team only learns over time -- how fast an account can grow, what it
mainly needs, how price-sensitive and cooperative it is, how likely it is to
default (信用风险) -- the generator draws up front as *latent traits*.  The
engine uses them to drive orders, satisfaction and churn; the course asks
students to infer them from data.

The traits are correlated with firmographics in the directions a practitioner
expects:

* credit risk falls with firm size and age and varies by industry
  (construction and retail riskier, financial services and healthcare safer);
  the rating (AAA ... CCC) is a banding of the 12-month default probability;
* growth potential is higher in growing industries and in young firms;
* the needs profile follows the industry, small firms lean towards price;
* price sensitivity is high for price-driven accounts, lower for quality- and
  innovation-driven ones and for large firms;
* cooperativeness rises with strategic fit; baseline satisfaction falls a
  little with price sensitivity.

:func:`draw_lifecycle` places each account in its lifecycle (客户生命周期): a
prospect, or a customer acquired some months before the portfolio date whose
stage (new / growing / mature) follows how long it has been a customer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamsim.generators import tables
from kamsim.vocabulary import DAYS_PER_MONTH

#: Credit ratings, best first, with the upper bound of the 12-month default probability of each.
RATING_BOUNDS: tuple[tuple[str, float], ...] = (
    ("AAA", 0.001),
    ("AA", 0.003),
    ("A", 0.007),
    ("BBB", 0.02),
    ("BB", 0.06),
    ("B", 0.15),
    ("CCC", 1.0),
)

def _beta(mean: np.ndarray, concentration: float, rng: np.random.Generator) -> np.ndarray:
    """Beta draws with the given means (clipped to [0.05, 0.95]) and ``a + b = concentration``."""
    m = np.clip(mean, 0.05, 0.95)
    return rng.beta(m * concentration, (1.0 - m) * concentration)


def credit_rating(credit_risk: np.ndarray) -> np.ndarray:
    """Rating per account from its 12-month default probability (see :data:`RATING_BOUNDS`)."""
    bounds = np.array([b for _, b in RATING_BOUNDS[:-1]])
    labels = np.array([r for r, _ in RATING_BOUNDS], dtype=object)
    return labels[np.searchsorted(bounds, np.asarray(credit_risk, dtype="float64"), side="left")]


def draw_traits(firms: pd.DataFrame, as_of_year: int, rng: np.random.Generator) -> pd.DataFrame:
    """Latent traits and credit risk for the accounts in ``firms``.

    Parameters
    ----------
    firms
        Output of :func:`kamsim.generators.firmographics.draw_firmographics`
        (uses ``industry, size_band, founded_year``).
    as_of_year
        Calendar year of the portfolio date.
    rng
        The generator's ``traits`` stream.

    Returns
    -------
    pandas.DataFrame
        Columns ``credit_rating, credit_risk, growth_potential, needs_profile,
        baseline_satisfaction, price_sensitivity, cooperativeness,
        strategic_fit`` (probabilities and traits 0-1, satisfaction 0-10).
    """
    n = len(firms)
    codes = tables.industry_codes()
    ind = pd.Categorical(firms["industry"], categories=codes).codes.astype("int64")
    band = pd.Categorical(firms["size_band"], categories=tables.size_band_names()).codes.astype("int64")
    if (ind < 0).any() or (band < 0).any():
        raise ValueError("firms has an industry or size_band outside kamsim.generators.tables")
    band_step = band - 1.5  # -1.5 (small) ... +1.5 (enterprise)
    age = np.maximum(as_of_year - firms["founded_year"].to_numpy(dtype="float64"), 1.0)
    age_z = (np.log(age) - np.log(15.0)) / 0.8
    industry = tables.INDUSTRIES

    risk_factor = np.array([i.risk_factor for i in industry])[ind]
    logit = -4.2 + np.log(risk_factor) - 0.35 * band_step - 0.3 * age_z + 0.8 * rng.standard_normal(n)
    credit_risk = np.round(np.clip(1.0 / (1.0 + np.exp(-logit)), 0.0001, 0.5), 4)

    growth_mean = np.array([i.growth for i in industry])[ind] + 0.10 * (age < 10) - 0.04 * band_step
    growth = _beta(growth_mean, 8.0, rng)

    needs_w = np.array([i.needs for i in industry], dtype="float64")  # (industries, needs)
    price_tilt = np.ones((len(tables.SIZE_BANDS), len(tables.NEEDS_PROFILES)))
    price_tilt[0, tables.NEEDS_PROFILES.index("price")] = 1.4  # small firms watch price more
    prob = needs_w[:, None, :] * price_tilt[None, :, :]
    prob = (prob / prob.sum(axis=2, keepdims=True)).reshape(-1, len(tables.NEEDS_PROFILES))
    cum = np.cumsum(prob, axis=1)
    cum[:, -1] = 1.0
    need_idx = (rng.random(n)[:, None] >= cum[ind * len(tables.SIZE_BANDS) + band]).sum(axis=1)
    needs = np.array(tables.NEEDS_PROFILES, dtype=object)[need_idx]

    price_mean = 0.45 + 0.25 * (needs == "price") - 0.08 * np.isin(needs, ("quality", "innovation")) - 0.04 * band_step
    price_sensitivity = _beta(price_mean.astype("float64"), 10.0, rng)

    fit = _beta(np.array([i.fit for i in industry])[ind], 8.0, rng)
    cooperativeness = _beta(0.5 + 0.4 * (fit - 0.5), 10.0, rng)
    satisfaction = np.clip(7.0 + 1.2 * rng.standard_normal(n) - 1.5 * (price_sensitivity - 0.5), 0.0, 10.0)

    return pd.DataFrame(
        {
            "credit_rating": credit_rating(credit_risk),
            "credit_risk": credit_risk,
            "growth_potential": np.round(growth, 4),
            "needs_profile": needs,
            "baseline_satisfaction": np.round(satisfaction, 2),
            "price_sensitivity": np.round(price_sensitivity, 4),
            "cooperativeness": np.round(cooperativeness, 4),
            "strategic_fit": np.round(fit, 4),
        }
    )


def draw_lifecycle(firms: pd.DataFrame, as_of: pd.Timestamp, rng: np.random.Generator) -> pd.DataFrame:
    """Acquisition date and stage at ``as_of`` for each account.

    A share of each size band (``tables.SizeBand.prospect_share``) are
    prospects (no acquisition date).  Customers have a tenure of 1 + an
    exponential number of months (mean 36), capped by the firm's age; the
    stage is ``new`` below 12 months, ``growing`` from 12 to 36 months and
    ``mature`` after, with some accounts one stage behind or ahead.

    Parameters
    ----------
    firms
        Uses ``size_band`` and ``founded_year``.
    as_of
        Portfolio date (midnight).
    rng
        The generator's ``lifecycle`` stream.

    Returns
    -------
    pandas.DataFrame
        Columns ``acquisition_date`` (datetime64, NaT for prospects) and ``stage``.
    """
    n = len(firms)
    band = pd.Categorical(firms["size_band"], categories=tables.size_band_names()).codes.astype("int64")
    prospect = rng.random(n) < np.array([b.prospect_share for b in tables.SIZE_BANDS])[band]
    tenure_months = 1.0 + rng.exponential(36.0, n)
    founded = pd.to_datetime(firms["founded_year"].astype("int64").astype(str) + "-01-01", format="%Y-%m-%d")
    max_days = np.maximum((as_of - founded).dt.days.to_numpy() - 1, 1)
    days = np.clip(np.rint(tenure_months * DAYS_PER_MONTH).astype("int64"), 1, max_days)
    tenure = days / DAYS_PER_MONTH

    stage_idx = np.where(tenure < 12, 0, np.where(tenure < 36, 1, 2))  # new, growing, mature
    shift = rng.choice([-1, 0, 1], size=n, p=[0.1, 0.8, 0.1])
    stage_idx = np.clip(stage_idx + shift, 0, 2)
    stage = np.array(["new", "growing", "mature"], dtype=object)[stage_idx]
    stage[prospect] = "prospect"

    acquisition = as_of - pd.to_timedelta(days, unit="D")
    acquisition = pd.Series(acquisition, dtype="datetime64[ns]").mask(prospect)
    return pd.DataFrame({"acquisition_date": acquisition.to_numpy(), "stage": stage})
