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
from kamsim.analytics.contribution import contribution_table
from kamsim.analytics.credit import credit_flags
from kamsim.analytics.data_quality import degrade, jaccard, selection_overlap, top_set
from kamsim.analytics.forecast import forecast_accuracy, forecast_revenue, holdout_forecast, revenue_trend
from kamsim.analytics.io import as_transactions, check_transactions, customer_totals, read_transactions
from kamsim.analytics.kpi import kpi_scorecard
from kamsim.analytics.relationships import contact_frequency, later_churn, relationship_depth, retention_by, retention_by_contact
from kamsim.analytics.needs import mix_gaps, needs_signals, product_mix
from kamsim.analytics.rfm import rfm_scores, rfm_table
from kamsim.analytics.snapshot import account_snapshot
from kamsim.analytics.survival import churn_durations, kaplan_meier, median_survival
from kamsim.analytics.tiers import kam_matrix, screening_scorecard, value_potential_tiers

__all__ = [
    "BetaGeoFitter",
    "ConvergenceError",
    "GammaGammaFitter",
    "abc_classes",
    "abc_summary",
    "account_snapshot",
    "as_transactions",
    "check_transactions",
    "churn_durations",
    "clv",
    "contact_frequency",
    "cohort_retention",
    "cohort_revenue",
    "contribution_table",
    "credit_flags",
    "customer_totals",
    "degrade",
    "forecast_accuracy",
    "forecast_revenue",
    "gini",
    "holdout_forecast",
    "jaccard",
    "kam_matrix",
    "kaplan_meier",
    "kpi_scorecard",
    "later_churn",
    "lorenz_curve",
    "median_survival",
    "mix_gaps",
    "needs_signals",
    "product_mix",
    "read_transactions",
    "relationship_depth",
    "retention_by",
    "retention_by_contact",
    "revenue_trend",
    "rfm_scores",
    "rfm_table",
    "screening_scorecard",
    "selection_overlap",
    "top_set",
    "top_share",
    "value_potential_tiers",
]
from kamsim.analytics.lifecycle import (  # noqa: E402  (chapter 06: lifecycle analytics)
    acquisition_retention_costs,
    effort_by_stage,
    stage_history,
    stage_occupancy,
    transition_matrix,
)

__all__ += ["acquisition_retention_costs", "effort_by_stage", "stage_history", "stage_occupancy", "transition_matrix"]
from kamsim.analytics.complaints import complaint_stats, complaint_table  # noqa: E402  (chapter 05)
from kamsim.analytics.satisfaction import (  # noqa: E402  (chapter 05: surveys, NPS)
    churn_by_satisfaction,
    nps,
    nps_table,
    satisfaction_trend,
)

__all__ += ["churn_by_satisfaction", "complaint_stats", "complaint_table", "nps", "nps_table", "satisfaction_trend"]
from kamsim.analytics.targets import attainment_score, kpi_targets, target_attainment  # noqa: E402  (chapter 09)

__all__ += ["attainment_score", "kpi_targets", "target_attainment"]
from kamsim.analytics.team import coverage_matrix, manager_workload  # noqa: E402  (chapter 08: team workload, coverage)

__all__ += ["coverage_matrix", "manager_workload"]
from kamsim.analytics.pricing import breakeven_volume_increase, discount_table, realised_discount, share_of_wallet  # noqa: E402,I001  (chapter 07)

__all__ += ["breakeven_volume_increase", "discount_table", "realised_discount", "share_of_wallet"]
