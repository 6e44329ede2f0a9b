"""Readable KPI names and table headers for the policy explorer, in English or Chinese.

The engine's KPI names (``net_margin``, ``churn_rate``, ...) are identifiers; a
strategist reads "Net margin (CU)".  Chinese labels come from the course
glossary (:func:`kamsim.course.terms.translate`) so that the app uses the same
term as the chapters (``churn rate`` -> 流失率).  A KPI without a glossary term
keeps its English label in Chinese mode rather than an invented translation.
"""

from __future__ import annotations

from kamsim.course.terms import translate

#: KPI -> (English label, glossary term(s) joined for the Chinese label (empty: none), unit).
KPI_LABELS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "revenue": ("Revenue", ("sales revenue",), "CU"),
    "margin": ("Gross margin", ("gross margin",), "CU"),
    "net_margin": ("Net margin", ("net margin",), "CU"),
    "retention_rate": ("Retention rate", ("retention rate",), "share of accounts"),
    "churn_rate": ("Churn rate", ("churn rate",), "share of accounts"),
    "mean_satisfaction": ("Mean satisfaction", ("customer satisfaction",), "score 0-10"),
    "active_accounts_end": ("Active accounts at the end", (), "accounts"),
    "manager_utilisation": ("Account-manager utilisation", ("account manager", "utilisation"), "share of capacity"),
    "missed_contacts": ("Missed contacts", ("missed contact",), "count"),
    "mean_contact_wait_days": ("Mean wait for the account manager", ("queue waiting time",), "days"),
    "complaints": ("Complaints", (), "count"),
    "mean_complaint_wait_days": ("Mean complaint waiting time", ("queue waiting time",), "days"),
    "retention_cost": ("Retention cost", ("retention cost",), "CU"),
    "winback_cost": ("Win-back cost", (), "CU"),
}

#: Lifecycle stage -> (English words, glossary term or "") for the ``share_<stage>`` KPIs.
STAGE_LABELS: dict[str, tuple[str, str]] = {
    "prospect": ("prospects", "prospect"),
    "new": ("new", ""),
    "growing": ("growing", "growth stage"),
    "mature": ("mature", "maturity stage"),
    "at_risk": ("at risk", ""),
    "lost": ("lost", "customer churn"),
    "won_back": ("won back", "win-back"),
}

#: Column of the readable paired table -> (English header, glossary term for the Chinese header or "").
COLUMNS: dict[str, tuple[str, str]] = {
    "policy": ("Policy", "strategy bundle"),
    "kpi": ("KPI", "key performance indicator (KPI)"),
    "unit": ("Unit", ""),
    "baseline_mean": ("Baseline mean", ""),
    "diff_mean": ("Difference", "paired difference"),
    "ci_low": ("CI low", "confidence interval"),
    "ci_high": ("CI high", "confidence interval"),
    "rel_diff_pct": ("Difference %", "paired difference"),
    "significant": ("CI excludes 0", ""),
}

#: Locales whose labels are Chinese.
CHINESE_LOCALES: frozenset[str] = frozenset({"zh_CN"})


def _zh(terms: tuple[str, ...] | str) -> str | None:
    """Chinese glossary term(s) joined, or ``None`` if any is missing."""
    terms = (terms,) if isinstance(terms, str) else terms
    if not terms or not all(terms):
        return None
    parts = [translate(t, default=None) for t in terms]
    return "".join(parts) if all(parts) else None  # type: ignore[arg-type]


def kpi_unit(kpi: str) -> str:
    """Unit of a KPI (``"CU"``, ``"share of accounts"``, ...; ``""`` if unknown)."""
    if kpi.startswith("share_"):
        return "share of accounts"
    return KPI_LABELS.get(kpi, ("", (), ""))[2]


def kpi_label(kpi: str, locale: str = "en_US") -> str:
    """Readable name of an engine KPI; Chinese (with the English in brackets) for a Chinese locale.

    >>> kpi_label("churn_rate")
    'Churn rate'
    >>> kpi_label("churn_rate", "zh_CN")
    '流失率 (Churn rate)'
    """
    if kpi.startswith("share_") and kpi[len("share_"):] in STAGE_LABELS:
        words, term = STAGE_LABELS[kpi[len("share_"):]]
        english = f"Share of accounts: {words}"
        stage_zh = _zh(term) if term else None
        zh = f"{_zh('lifecycle stage')}: {stage_zh}" if stage_zh and _zh("lifecycle stage") else None
    else:
        english, terms, _ = KPI_LABELS.get(kpi, (kpi.replace("_", " ").capitalize(), (), ""))
        zh = _zh(terms)
    if locale in CHINESE_LOCALES and zh:
        return f"{zh} ({english})"
    return english


def column_label(column: str, locale: str = "en_US") -> str:
    """Header of a column of the readable paired table (Chinese term first for a Chinese locale)."""
    english, term = COLUMNS.get(column, (column, ""))
    zh = _zh(term) if term else None
    if locale in CHINESE_LOCALES and zh:
        suffix = {"ci_low": " 下限", "ci_high": " 上限", "rel_diff_pct": " %"}.get(column, "")
        return f"{zh}{suffix} ({english})"
    return english
