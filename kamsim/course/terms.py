"""Glossary of KAM terms, English <-> Chinese (术语表).

A course notebook introduces "customer churn (客户流失)" once and then keeps
using the English term; a student who reads the Chinese slides looks the pair
up here.  The terms live in ``kamsim/course/glossary.csv`` (package data),
one row per term with the chapter that introduces it and a one-sentence
definition in our own words::

    >>> from kamsim.course import glossary, translate
    >>> translate("customer churn")
    '客户流失'
    >>> glossary(chapter=1).columns.tolist()
    ['term_en', 'term_zh', 'chapter', 'definition_en']

``docs/glossary.md`` is generated from the CSV with
``python -m kamsim.course glossary``; a test keeps the two in sync.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path

import pandas as pd

#: Columns of :func:`glossary`, in order.
COLUMNS: tuple[str, ...] = ("term_en", "term_zh", "chapter", "definition_en")

#: Chapter number -> (English title, Chinese title), as in COURSE_OUTLINE.md.
CHAPTERS: dict[int, tuple[str, str]] = {
    0: ("Getting started", "入门"),
    1: ("Customer segmentation", "客户细分"),
    2: ("Customer data analysis", "客户数据分析"),
    3: ("Needs identification", "客户需求识别"),
    4: ("Building relationships", "客户关系建立"),
    5: ("Satisfaction management", "客户满意度管理"),
    6: ("Lifecycle management", "客户生命周期管理"),
    7: ("Sales strategy", "销售策略"),
    8: ("Team collaboration", "团队协作"),
    9: ("Performance evaluation", "绩效评估"),
    10: ("Case studies", "案例分析"),
    11: ("Your own data", "用自己的数据"),
}


@functools.lru_cache(maxsize=1)
def _load() -> pd.DataFrame:
    source = resources.files("kamsim.course").joinpath("glossary.csv")
    with source.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, dtype={"term_en": "string", "term_zh": "string", "definition_en": "string"})
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"glossary.csv: missing column(s) {missing}")
    for column in COLUMNS:
        empty = frame[column].isna()
        if empty.any():
            row = int(empty.to_numpy().nonzero()[0][0])
            raise ValueError(f"glossary.csv: column '{column}' row {row}: missing value")
    frame["chapter"] = frame["chapter"].astype("int64")
    bad = ~frame["chapter"].isin(list(CHAPTERS))
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise ValueError(f"glossary.csv: column 'chapter' row {row}: {frame['chapter'].iloc[row]} is not a chapter 0-11")
    key = frame["term_en"].str.lower()
    dup = key.duplicated()
    if dup.any():
        row = int(dup.to_numpy().nonzero()[0][0])
        raise ValueError(f"glossary.csv: column 'term_en' row {row}: duplicate term {frame['term_en'].iloc[row]!r}")
    return frame[list(COLUMNS)]


def glossary(chapter: int | None = None) -> pd.DataFrame:
    """The glossary as a DataFrame with columns ``term_en, term_zh, chapter, definition_en``.

    Parameters
    ----------
    chapter
        Only the terms introduced in this chapter (0-11); all terms if ``None``.
    """
    frame = _load().copy()
    if chapter is not None:
        if chapter not in CHAPTERS:
            raise ValueError(f"chapter must be one of {sorted(CHAPTERS)}, got {chapter!r}")
        frame = frame[frame["chapter"] == chapter].reset_index(drop=True)
    return frame


def _normalise(term: str) -> str:
    return re.sub(r"\s+", " ", term.strip().lower())


def _aliases(term_en: str) -> list[str]:
    """Keys a term can be looked up by: the full term, and the parts outside/inside brackets.

    ``"Net Promoter Score (NPS)"`` is found as that, as ``"net promoter score"`` and as ``"nps"``.
    """
    keys = [_normalise(term_en)]
    match = re.fullmatch(r"(.*?)\s*\((.*)\)", term_en.strip())
    if match:
        keys += [_normalise(match.group(1)), _normalise(match.group(2))]
    return keys


@functools.lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    frame = _load()
    for en, zh in zip(frame["term_en"], frame["term_zh"]):
        for key in _aliases(str(en)):
            table.setdefault(key, str(zh))
    return table


_MISSING = object()


def translate(term_en: str, default: object = _MISSING) -> str | None:
    """Chinese term for an English KAM term (case-insensitive, abbreviations accepted).

    Raises
    ------
    ValueError
        If the term is unknown and no ``default`` is given.
    """
    lookup = _lookup()
    key = _normalise(term_en)
    if key in lookup:
        return lookup[key]
    if default is not _MISSING:
        return default  # type: ignore[return-value]
    raise ValueError(f"term {term_en!r} is not in the kamsim glossary (see kamsim.course.glossary())")


def to_markdown() -> str:
    """The glossary as a markdown page, one table per chapter."""
    frame = _load()
    lines = [
        "# Glossary of Key Account Management terms (大客户管理术语表)",
        "",
        "English is the course language; each term is introduced with its Chinese term in brackets the first time",
        "a chapter uses it. This page is generated from `kamsim/course/glossary.csv` by",
        "`python -m kamsim.course glossary` — edit the CSV, not this file. In Python:",
        "`kamsim.course.glossary()` returns the table and `kamsim.course.translate(\"churn rate\")` one term.",
        "",
    ]
    for chapter, (title_en, title_zh) in CHAPTERS.items():
        rows = frame[frame["chapter"] == chapter]
        if rows.empty:
            continue
        lines += [f"## {chapter:02d} {title_en} ({title_zh})", "", "| English | 中文 | Meaning |", "|---|---|---|"]
        for row in rows.itertuples(index=False):
            definition = str(row.definition_en).replace("|", "\\|")
            lines.append(f"| {row.term_en} | {row.term_zh} | {definition} |")
        lines.append("")
    return "\n".join(lines)


def write_markdown(path: str | Path) -> Path:
    """Write :func:`to_markdown` to ``path`` (UTF-8) and return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_text(to_markdown(), encoding="utf-8")
    tmp.replace(target)
    return target
