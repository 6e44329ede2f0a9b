"""Analytics for key-account data: concentration, RFM, tiers, cohorts, survival, CLV, KPIs.

Every function works on a kamsim ``events`` log and on an external
transaction log (customer id, date, amount; optional margin / product).
"""

from kamsim.analytics.concentration import abc_classes, gini, lorenz_curve, top_share

__all__ = ["abc_classes", "gini", "lorenz_curve", "top_share"]
