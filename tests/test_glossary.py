"""Glossary of KAM terms: coverage of the chapters, required pairs, generated markdown in sync."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from kamsim.course.terms import CHAPTERS, glossary, to_markdown, translate

from kamsim.course import terms as gl
ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")

#: Pairs the course relies on (issue 7 and COURSE_OUTLINE.md).
REQUIRED = {
    "key account": "大客户",
    "customer segmentation": "客户细分",
    "core account": "核心客户",
    "important account": "重要客户",
    "general account": "一般客户",
    "ABC analysis": "ABC分类",
    "RFM analysis": "RFM分析",
    "customer lifetime value": "客户终身价值",
    "CLV": "客户终身价值",
    "customer churn": "客户流失",
    "win-back": "客户赢回",
    "customer persona": "客户画像",
    "share of wallet": "钱包份额",
    "complaint handling": "投诉处理",
    "satisfaction survey": "满意度调查",
    "NPS": "净推荐值",
    "customer lifecycle": "客户生命周期",
    "KPI": "关键绩效指标",
}


def test_columns_and_size():
    frame = glossary()
    assert list(frame.columns) == ["term_en", "term_zh", "chapter", "definition_en"]
    assert len(frame) >= 60
    assert frame["chapter"].dtype == "int64"


def test_every_chapter_has_terms():
    counts = glossary()["chapter"].value_counts()
    missing = [c for c in CHAPTERS if counts.get(c, 0) == 0]
    assert not missing, f"chapters without glossary terms: {missing}"
    assert all(counts.get(c, 0) >= 3 for c in range(1, 12))


def test_required_pairs():
    for en, zh in REQUIRED.items():
        assert translate(en) == zh, en


def test_terms_are_complete_and_unique():
    frame = glossary()
    assert frame["term_zh"].map(lambda s: bool(CJK.search(str(s)))).all()
    assert (frame["definition_en"].str.len() > 20).all()
    assert not frame["term_en"].str.lower().duplicated().any()
    assert not frame["term_zh"].duplicated().any()


def test_chapter_filter():
    one = glossary(chapter=1)
    assert set(one["chapter"]) == {1}
    assert "客户细分" in set(one["term_zh"])
    with pytest.raises(ValueError, match="chapter must be one of"):
        glossary(chapter=12)


def test_translate_is_case_insensitive_and_reports_unknown_terms():
    assert translate("  Churn   RATE ") == "流失率"
    assert translate("no such term", default=None) is None
    with pytest.raises(ValueError, match="'no such term' is not in the kamsim glossary"):
        translate("no such term")


def test_glossary_returns_a_copy():
    frame = glossary()
    frame.loc[0, "term_zh"] = "x"
    assert glossary().loc[0, "term_zh"] != "x"


def test_docs_glossary_is_generated_from_the_csv():
    doc = ROOT / "docs" / "glossary.md"
    assert doc.read_text(encoding="utf-8") == to_markdown(), "run: python -m kamsim.course glossary"


def test_markdown_lists_every_term_by_chapter():
    text = to_markdown()
    for row in glossary().itertuples():
        assert f"| {row.term_en} | {row.term_zh} |" in text
    assert "## 05 Satisfaction management (客户满意度管理)" in text


def test_cli_writes_markdown(tmp_path):
    target = tmp_path / "g.md"
    out = subprocess.run(
        [sys.executable, "-m", "kamsim.course", "glossary", "--output", str(target)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "wrote" in out.stdout
    assert target.read_text(encoding="utf-8") == to_markdown()


def test_bad_csv_is_reported_with_column_and_row(monkeypatch, tmp_path):
    bad = tmp_path / "glossary.csv"
    bad.write_text("term_en,term_zh,chapter,definition_en\nchurn,流失,12,Leaving us for good.\n", encoding="utf-8")

    class _Files:
        def joinpath(self, name):
            return bad

    monkeypatch.setattr(gl, "resources", SimpleNamespace(files=lambda package: _Files()))
    gl._load.cache_clear()
    try:
        with pytest.raises(ValueError, match="column 'chapter' row 0"):
            glossary()
    finally:
        gl._load.cache_clear()
        gl._lookup.cache_clear()
