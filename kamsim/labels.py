"""Readable KPI names with units, in English or Chinese, and the course edition (``KAMSIM_LANG``).

The engine's KPI names (``net_margin``, ``churn_rate``, ...) are identifiers; a
strategist reads "Net margin (CU)", a Chinese reader 净毛利（CU）.  This module is
the one table of those labels, at the bottom of the layers so that the
comparison plots (:mod:`kamsim.experiment.plots`) and the policy explorer
(:mod:`kamsim.explorer.labels`) say the same thing.

The Chinese names use the course glossary's terms (``kamsim/course/glossary.csv``):
:attr:`KpiText.terms` lists the glossary terms a Chinese name rests on, and
``tests/test_labels.py`` checks that each term's Chinese appears in the name.  A
label with no glossary term behind it (e.g. 投诉数) is shown in Chinese figures but
the explorer's bilingual :func:`kpi_label` keeps English for it, as before.

The Chinese edition of the course is selected by the environment variable
``KAMSIM_LANG=zh_CN`` or, when it is unset, by working in an edition folder: a
kernel started in ``notebooks/zh_CN/`` or ``exercises/zh_CN/`` (where JupyterLab,
nbval and ``python -m kamsim.course translate`` run the Chinese notebooks) speaks
Chinese, so both editions share the same code cells.  :func:`edition` is the one
place that decides.

Nothing here imports the rest of kamsim: it is the bottom layer.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass

#: Environment variable that selects the course edition (``en_US`` or ``zh_CN``).
LANG_ENV = "KAMSIM_LANG"

#: A Chinese (CJK unified ideograph) character: how kamsim tells Chinese text from English.
CJK_CHARACTER = re.compile(r"[\u4e00-\u9fff]")

#: Locales whose labels are Chinese.
CHINESE_LOCALES: frozenset[str] = frozenset({"zh_CN"})

#: Accepted spellings of the edition (lower case, without an encoding suffix such as ``.UTF-8``).
_EDITIONS: dict[str, str] = {"": "en_US", "en": "en_US", "en_us": "en_US", "en-us": "en_US",
                             "zh": "zh_CN", "zh_cn": "zh_CN", "zh-cn": "zh_CN", "zh-hans": "zh_CN"}


#: Folder names that hold an edition's notebooks (``notebooks/zh_CN``); a kernel working there uses that edition.
EDITION_FOLDERS: dict[str, str] = {"zh_CN": "zh_CN"}


def edition() -> str:
    """The course edition: ``"zh_CN"`` or ``"en_US"``.

    ``KAMSIM_LANG`` decides when it is set and not empty; ``zh``, ``zh-CN`` and an encoding
    suffix (``zh_CN.UTF-8``) are accepted.  Any other value gives English labels with a
    warning that names the variable: a figure is never lost to a mistyped setting
    (``kamsim compare`` draws its figures after all the simulations).  When the variable
    is unset, a working directory named after an edition (:data:`EDITION_FOLDERS`, e.g.
    ``notebooks/zh_CN``) selects it; anything else is English.
    """
    raw = os.environ.get(LANG_ENV, "")
    if not raw.strip():
        try:
            folder = os.path.basename(os.getcwd())
        except OSError:  # the working directory was deleted
            folder = ""
        return EDITION_FOLDERS.get(folder, "en_US")
    key = raw.strip().split(".", 1)[0].lower()
    if key not in _EDITIONS:
        warnings.warn(f"{LANG_ENV}: {raw[:40]!r} is not a course edition (en_US or zh_CN); using English labels",
                      stacklevel=2)
        return "en_US"
    return _EDITIONS[key]


def resolve(locale: str | None = None) -> str:
    """``locale`` itself, or the course edition (:func:`edition`) when it is ``None``."""
    return edition() if locale is None else locale


def is_chinese(locale: str | None = None) -> bool:
    """True if ``locale`` (default: the course edition) asks for Chinese labels."""
    return resolve(locale) in CHINESE_LOCALES


def pick(english: str, chinese: str, locale: str | None = None) -> str:
    """``chinese`` for a Chinese locale (default: the course edition), else ``english``."""
    return chinese if is_chinese(locale) else english


@dataclass(frozen=True)
class KpiText:
    """Readable name and unit of one KPI.

    Attributes
    ----------
    en, zh
        English and Chinese name.
    unit_en, unit_zh
        Unit in English and Chinese (``"CU"`` in both: currency units).
    terms
        English glossary terms whose Chinese the ``zh`` name is built on; empty if the
        glossary has no such term (the explorer then keeps English).
    """

    en: str
    zh: str
    unit_en: str
    unit_zh: str
    terms: tuple[str, ...] = ()


#: KPI name (index of ``SimulationResult.kpis()``) -> readable name and unit.
KPI_TEXT: dict[str, KpiText] = {
    "revenue": KpiText("Revenue", "销售额", "CU", "CU", ("sales revenue",)),
    "margin": KpiText("Gross margin", "毛利", "CU", "CU", ("gross margin",)),
    "net_margin": KpiText("Net margin", "净毛利", "CU", "CU", ("net margin",)),
    "retention_rate": KpiText("Retention rate", "保留率", "share of accounts", "占客户比例", ("retention rate",)),
    "churn_rate": KpiText("Churn rate", "流失率", "share of accounts", "占客户比例", ("churn rate",)),
    "mean_satisfaction": KpiText("Mean satisfaction", "平均客户满意度", "score 0-10", "0-10 分",
                                 ("customer satisfaction",)),
    "active_accounts_end": KpiText("Active accounts at the end", "期末活跃客户数", "accounts", "家"),
    "manager_utilisation": KpiText("Account-manager utilisation", "客户经理利用率", "share of capacity",
                                   "占可用工时比例", ("account manager", "utilisation")),
    "missed_contacts": KpiText("Missed contacts", "错过的联系", "count", "次", ("missed contact",)),
    "mean_contact_wait_days": KpiText("Mean wait for the account manager", "联系任务平均排队等待时间", "days", "天",
                                      ("queue waiting time",)),
    "complaints": KpiText("Complaints", "投诉数", "count", "件"),
    "mean_complaint_wait_days": KpiText("Mean complaint waiting time", "投诉平均排队等待时间", "days", "天",
                                        ("queue waiting time",)),
    "retention_cost": KpiText("Retention cost", "保留成本", "CU", "CU", ("retention cost",)),
    "winback_cost": KpiText("Win-back cost", "客户赢回成本", "CU", "CU", ("win-back",)),
}

#: Lifecycle stage -> (English words, Chinese name, glossary terms) for the ``share_<stage>`` KPIs.
STAGE_TEXT: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "prospect": ("prospects", "潜在客户", ("prospect",)),
    "new": ("new", "新客户", ()),
    "growing": ("growing", "成长期客户", ("growth stage",)),
    "mature": ("mature", "成熟期客户", ("maturity stage",)),
    "at_risk": ("at risk", "风险客户", ()),
    "lost": ("lost", "已流失客户", ()),
    "won_back": ("won back", "已赢回客户", ()),
}

#: Column of the explorer's readable paired table -> (English header, Chinese header, glossary terms).
COLUMN_TEXT: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "policy": ("Policy", "策略组合", ("strategy bundle",)),
    "kpi": ("KPI", "关键绩效指标", ("key performance indicator (KPI)",)),
    "unit": ("Unit", "单位", ()),
    "baseline_mean": ("Baseline mean", "基准均值", ()),
    "diff_mean": ("Difference", "配对差异", ("paired difference",)),
    "ci_low": ("CI low", "置信区间 下限", ("confidence interval",)),
    "ci_high": ("CI high", "置信区间 上限", ("confidence interval",)),
    "rel_diff_pct": ("Difference %", "配对差异 %", ("paired difference",)),
    "significant": ("CI excludes 0", "置信区间不含 0", ()),
}


def kpi_text(kpi: str) -> KpiText:
    """The :class:`KpiText` of a KPI; ``share_<stage>`` and unknown names get a generated one.

    An unknown KPI keeps its identifier, made readable ("my_kpi" -> "My kpi"), in both languages.
    """
    if kpi in KPI_TEXT:
        return KPI_TEXT[kpi]
    stage = kpi[len("share_"):] if kpi.startswith("share_") else None
    if stage in STAGE_TEXT:
        words, zh, terms = STAGE_TEXT[stage]
        return KpiText(f"Share of accounts: {words}", f"{zh}占比", "share of accounts", "占客户比例", terms)
    readable = kpi.replace("_", " ").strip().capitalize() or kpi
    unit = ("share of accounts", "占客户比例") if kpi.startswith("share_") else ("", "")
    return KpiText(readable, readable, *unit)


def kpi_name(kpi: str, locale: str | None = None) -> str:
    """Readable name of a KPI in one language (default: the course edition).

    >>> kpi_name("net_margin", "en_US"), kpi_name("net_margin", "zh_CN")
    ('Net margin', '净毛利')
    """
    text = kpi_text(kpi)
    return text.zh if is_chinese(locale) else text.en


def kpi_unit(kpi: str, locale: str = "en_US") -> str:
    """Unit of a KPI (``"CU"``, ``"share of accounts"``, ...; ``""`` if unknown); Chinese for a Chinese locale."""
    text = kpi_text(kpi)
    return text.unit_zh if locale in CHINESE_LOCALES else text.unit_en


def kpi_axis_label(kpi: str, locale: str | None = None) -> str:
    """Axis label of a KPI with its unit, e.g. ``"Net margin (CU)"`` or ``"保留率（占客户比例）"``.

    >>> kpi_axis_label("retention_rate", "en_US")
    'Retention rate (share of accounts)'
    """
    loc = resolve(locale)
    name, unit = kpi_name(kpi, loc), kpi_unit(kpi, loc)
    if not unit:
        return name
    return f"{name}（{unit}）" if is_chinese(loc) else f"{name} ({unit})"


def kpi_label(kpi: str, locale: str = "en_US") -> str:
    """The explorer's KPI label: English, or "Chinese (English)" for a Chinese locale.

    Chinese is used only where the name rests on glossary terms (:attr:`KpiText.terms`);
    otherwise the English label stays, rather than a term the course never introduced.

    >>> kpi_label("churn_rate"), kpi_label("churn_rate", "zh_CN")
    ('Churn rate', '流失率 (Churn rate)')
    """
    text = kpi_text(kpi)
    if locale in CHINESE_LOCALES and text.terms:
        return f"{text.zh} ({text.en})"
    return text.en


def column_label(column: str, locale: str = "en_US") -> str:
    """Header of a column of the explorer's paired table ("Chinese (English)" for a Chinese locale)."""
    english, zh, terms = COLUMN_TEXT.get(column, (column, "", ()))
    if locale in CHINESE_LOCALES and terms:
        return f"{zh} ({english})"
    return english
