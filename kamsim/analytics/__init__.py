"""Analytics for key-account data, by topic: concentration, RFM, cohorts, survival, CLV, lifecycle, KPIs...

KAM example: the year-end account review opens with "do 20% of our accounts
bring 80% of revenue?" (:func:`top_share`) and goes on to who buys recently
and often (:func:`rfm_table`), who is likely to leave (:func:`kaplan_meier`),
what each account is worth (:func:`clv`) and how the team performed
(:func:`kpi_scorecard`).  Each question is one function of this package.

Two kinds of input: most topics work on **any transaction log** (customer id,
date, amount; optional margin / product) -- a student's CSV as well as the
order rows of kamsim's ``events``; the others need **kamsim's CRM events**
(visits, surveys, complaints, stage changes).  :data:`INPUTS` says which, per
topic.  See docs/analytics.md for formulas and units.

Contents
--------
{toc}

Names are imported lazily: ``from kamsim.analytics import abc_classes``
loads only :mod:`kamsim.analytics.concentration`.  :data:`TOPICS` is the one
list of the public names; it drives this docstring, ``__all__`` and the
contents of docs/analytics.md (``python -m kamsim.analytics.toc``).  Plot
helpers live in :mod:`kamsim.analytics.plots` (imported on use, so matplotlib
is not loaded with the package).
"""

from __future__ import annotations

import importlib as _importlib
from typing import Any as _Any

#: Public names by topic: topic -> {name: module of kamsim.analytics}.
TOPICS: dict[str, dict[str, str]] = {
    "Transaction logs": {
        "read_transactions": "io",
        "check_transactions": "io",
        "as_transactions": "io",
        "customer_totals": "io",
        "account_snapshot": "snapshot",
    },
    "Concentration & tiers": {
        "lorenz_curve": "concentration",
        "gini": "concentration",
        "top_share": "concentration",
        "abc_classes": "concentration",
        "abc_summary": "concentration",
        "value_potential_tiers": "tiers",
        "kam_matrix": "tiers",
        "screening_scorecard": "tiers",
    },
    "Margin & credit": {
        "contribution_table": "contribution",
        "cross_ratio": "contribution",
        "credit_flags": "credit",
    },
    "RFM & CLV": {
        "rfm_table": "rfm",
        "rfm_scores": "rfm",
        "BetaGeoFitter": "lifetime_value",
        "ParetoNBDFitter": "pareto_nbd",
        "GammaGammaFitter": "lifetime_value",
        "clv": "lifetime_value",
        "ConvergenceError": "lifetime_value",
    },
    "Cohorts & survival": {
        "cohort_retention": "cohorts",
        "cohort_revenue": "cohorts",
        "churn_durations": "survival",
        "kaplan_meier": "survival",
        "median_survival": "survival",
        "ShiftedBetaGeometricFitter": "contractual",
        "contract_spans": "contractual",
        "contract_survivors": "contractual",
    },
    "Needs & forecasts": {
        "product_mix": "needs",
        "mix_gaps": "needs",
        "needs_signals": "needs",
        "cross_selling": "cross_sell",
        "revenue_trend": "forecast",
        "forecast_revenue": "forecast",
        "holdout_forecast": "forecast",
        "forecast_accuracy": "forecast",
    },
    "Relationships & retention": {
        "contact_frequency": "relationships",
        "relationship_depth": "relationships",
        "later_churn": "retention",
        "retention_by": "retention",
        "retention_by_contact": "retention",
    },
    "Satisfaction & complaints": {
        "nps": "satisfaction",
        "nps_table": "satisfaction",
        "satisfaction_trend": "satisfaction",
        "churn_by_satisfaction": "satisfaction_churn",
        "complaint_table": "complaints",
        "complaint_stats": "complaints",
    },
    "Lifecycle": {
        "stage_history": "lifecycle",
        "transition_matrix": "lifecycle",
        "stage_occupancy": "lifecycle",
        "effort_by_stage": "lifecycle_costs",
        "acquisition_retention_costs": "lifecycle_costs",
    },
    "Pricing & share of wallet": {
        "realised_discount": "pricing",
        "discount_table": "pricing",
        "breakeven_volume_increase": "pricing",
        "share_of_wallet": "wallet",
    },
    "Team": {
        "manager_workload": "team",
        "coverage_matrix": "team",
    },
    "KPIs & targets": {
        "kpi_scorecard": "kpi",
        "kpi_targets": "targets",
        "target_attainment": "targets",
        "attainment_score": "targets",
    },
    "Data quality": {
        "degrade": "data_quality",
        "top_set": "data_quality",
        "jaccard": "data_quality",
        "selection_overlap": "data_quality",
    },
}

#: What each topic's functions take: any transaction log, or kamsim's CRM events.
INPUTS: dict[str, str] = {
    "Transaction logs": "any transaction log (customer id, date, amount); the order rows of a kamsim events log",
    "Concentration & tiers": "values per account, e.g. customer_totals or account_snapshot columns",
    "Margin & credit": "any transaction log with margins (cross_ratio: plus average stock per group); the accounts table (credit ratings)",
    "RFM & CLV": "any transaction log",
    "Cohorts & survival": "any transaction log; churn from stage changes needs kamsim's CRM events or a panel; contract renewals need kamsim's contract events or a contract table (customer, start, end)",
    "Needs & forecasts": "any transaction log with products; needs_signals needs kamsim's CRM events",
    "Relationships & retention": "kamsim's CRM events (visits, calls, QBRs, surveys, stage changes)",
    "Satisfaction & complaints": "kamsim's CRM events (surveys, complaints, stage changes)",
    "Lifecycle": "kamsim's CRM events (stage changes, hours) or an engine panel",
    "Pricing & share of wallet": "any transaction log with product and quantity; the product catalogue and accounts",
    "Team": "kamsim's CRM events (interaction hours), the accounts and team tables",
    "KPIs & targets": "kamsim's CRM events (a plain transaction log gives the order KPIs only)",
    "Data quality": "any table with numeric columns",
}

_MODULE_OF: dict[str, str] = {name: module for names in TOPICS.values() for name, module in names.items()}

#: Submodules reachable as attributes (``kamsim.analytics.rfm``), imported on first use.
_SUBMODULES: frozenset[str] = frozenset(_MODULE_OF.values()) | {"plots", "toc"}

__all__ = sorted(_MODULE_OF)


def _compile_toc() -> str:
    """The Contents section of this docstring: per topic its input, then its names."""
    import textwrap

    blocks = []
    for topic, names in TOPICS.items():
        listing = textwrap.fill(", ".join(f":obj:`{n}`" for n in names), 100, initial_indent="    ",
                                subsequent_indent="    ")
        blocks.append(f"{topic} -- {INPUTS[topic]}\n{listing}")
    return "\n\n".join(blocks)


if __doc__:  # None under python -OO
    __doc__ = __doc__.replace("{toc}", _compile_toc())


def __getattr__(name: str) -> _Any:
    if name in _MODULE_OF:
        value = getattr(_importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*__all__, *_SUBMODULES, "INPUTS", "TOPICS"})
