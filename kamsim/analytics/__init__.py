"""Analytics for key-account data: concentration, RFM, tiers, cohorts, survival, CLV, KPIs.

Every function works on a kamsim ``events`` log and on an external
transaction log (customer id, date, amount; optional margin / product).
See docs/analytics.md for formulas and units.  Plot helpers live in
:mod:`kamsim.analytics.plots` (imported on use, so matplotlib is not loaded
with the package).
"""

from kamsim.analytics.lifetime_value import BetaGeoFitter, ConvergenceError, GammaGammaFitter, clv
from kamsim.analytics.cohorts import cohort_retention, cohort_revenue
from kamsim.analytics.concentration import abc_classes, abc_summary, gini, lorenz_curve, top_share
from kamsim.analytics.io import as_transactions, check_transactions, customer_totals, read_transactions
from kamsim.analytics.kpi import kpi_scorecard
from kamsim.analytics.rfm import rfm_scores, rfm_table
from kamsim.analytics.survival import churn_durations, kaplan_meier, median_survival
from kamsim.analytics.tiers import kam_matrix, screening_scorecard, value_potential_tiers

__all__ = [
    "BetaGeoFitter",
    "ConvergenceError",
    "GammaGammaFitter",
    "abc_classes",
    "abc_summary",
    "as_transactions",
    "check_transactions",
    "churn_durations",
    "clv",
    "cohort_retention",
    "cohort_revenue",
    "customer_totals",
    "gini",
    "kam_matrix",
    "kaplan_meier",
    "kpi_scorecard",
    "lorenz_curve",
    "median_survival",
    "read_transactions",
    "rfm_scores",
    "rfm_table",
    "screening_scorecard",
    "top_share",
    "value_potential_tiers",
]
