"""Readable KPI names and table headers for the policy explorer, in English or Chinese.

The table itself lives at the bottom of the layers, in :mod:`kamsim.labels`, so that
the comparison plots of :mod:`kamsim.experiment` use the same words; this module
re-exports what the explorer uses.  Chinese labels use the course glossary's terms
(``churn rate`` -> 流失率); a KPI whose Chinese name rests on no glossary term keeps its
English label in the explorer rather than an invented translation.
"""

from __future__ import annotations

from kamsim.labels import CHINESE_LOCALES, COLUMN_TEXT, KPI_TEXT, STAGE_TEXT, column_label, kpi_label, kpi_unit

__all__ = ["CHINESE_LOCALES", "COLUMN_TEXT", "KPI_TEXT", "STAGE_TEXT", "column_label", "kpi_label", "kpi_unit"]
