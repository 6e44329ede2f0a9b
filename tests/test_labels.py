"""kamsim.labels: readable KPI names and units (English, Chinese from the glossary) and the course edition."""

from __future__ import annotations

import pytest

from kamsim import labels
from kamsim.course.terms import translate
from kamsim.vocabulary import STAGES


def engine_kpis() -> list[str]:
    import kamsim

    portfolio = kamsim.generate_portfolio(20, seed=1)
    return list(kamsim.simulate(kamsim.Scenario(months=2), portfolio, seed=1).kpis().index)


def test_every_engine_kpi_has_a_readable_name_and_unit() -> None:
    for kpi in engine_kpis():
        text = labels.kpi_text(kpi)
        assert text.en != kpi and "_" not in text.en, kpi
        assert text.zh and not any("a" <= c.lower() <= "z" for c in text.zh.replace("CU", "")), kpi
        assert text.unit_en and text.unit_zh, kpi
    assert set(labels.STAGE_TEXT) == set(STAGES)


def test_chinese_names_use_the_glossary_terms() -> None:
    texts = list(labels.KPI_TEXT.values()) + [labels.kpi_text(f"share_{s}") for s in labels.STAGE_TEXT]
    for text in texts:
        for term in text.terms:
            zh = translate(term, default=None)
            assert zh, f"glossary has no term {term!r} (used by {text.en!r})"
            assert zh in text.zh, f"{text.en!r}: Chinese name {text.zh!r} does not use the glossary's {zh!r}"
    for english, zh, terms in labels.COLUMN_TEXT.values():
        assert all(translate(t) in zh for t in terms), english


def test_names_units_and_axis_labels() -> None:
    assert labels.kpi_name("net_margin", "en_US") == "Net margin"
    assert labels.kpi_name("net_margin", "zh_CN") == "净毛利"
    assert labels.kpi_axis_label("revenue", "en_US") == "Revenue (CU)"
    assert labels.kpi_axis_label("retention_rate", "zh_CN") == "保留率（占客户比例）"
    assert labels.kpi_axis_label("share_growing", "zh_CN") == "成长期客户占比（占客户比例）"
    assert labels.kpi_unit("mean_complaint_wait_days") == "days"
    assert labels.kpi_unit("mean_complaint_wait_days", "zh_CN") == "天"
    assert labels.kpi_axis_label("my_custom_kpi", "en_US") == "My custom kpi"  # unknown: readable, no unit
    assert labels.kpi_unit("share_unknown") == "share of accounts"


def test_explorer_label_keeps_english_without_a_glossary_term() -> None:
    assert labels.kpi_label("churn_rate", "zh_CN") == "流失率 (Churn rate)"
    assert labels.kpi_label("complaints", "zh_CN") == "Complaints"
    assert labels.kpi_label("share_new", "zh_CN") == "Share of accounts: new"
    assert labels.column_label("ci_low", "zh_CN") == "置信区间 下限 (CI low)"
    assert labels.column_label("unit", "zh_CN") == "Unit"
    from kamsim.explorer import labels as explorer_labels

    assert explorer_labels.kpi_label is labels.kpi_label  # one table, re-exported


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "en_US"), ("", "en_US"), ("en_US", "en_US"), ("zh_CN", "zh_CN"), ("zh-CN", "zh_CN"),
     ("zh_CN.UTF-8", "zh_CN"), (" ZH ", "zh_CN")],
)
def test_edition_reads_kamsim_lang(monkeypatch, value, expected) -> None:
    if value is None:
        monkeypatch.delenv(labels.LANG_ENV, raising=False)
    else:
        monkeypatch.setenv(labels.LANG_ENV, value)
    assert labels.edition() == expected
    assert labels.is_chinese() == (expected == "zh_CN")
    assert labels.pick("Revenue", "销售额") == ("销售额" if expected == "zh_CN" else "Revenue")


def test_unknown_edition_warns_and_uses_english(monkeypatch) -> None:
    monkeypatch.setenv(labels.LANG_ENV, "fr_FR")
    with pytest.warns(UserWarning, match="KAMSIM_LANG: 'fr_FR' is not a course edition"):
        assert labels.edition() == "en_US"
    assert labels.kpi_name("revenue", "zh_CN") == "销售额"  # an explicit locale needs no variable


def test_edition_folder_selects_chinese_when_the_variable_is_unset(monkeypatch, tmp_path) -> None:
    """A kernel working in notebooks/zh_CN speaks Chinese; KAMSIM_LANG still wins; other folders are English."""
    zh_folder = tmp_path / "notebooks" / "zh_CN"
    zh_folder.mkdir(parents=True)
    monkeypatch.delenv(labels.LANG_ENV, raising=False)
    monkeypatch.chdir(zh_folder)
    assert labels.edition() == "zh_CN"
    monkeypatch.setenv(labels.LANG_ENV, "en_US")
    assert labels.edition() == "en_US"
    monkeypatch.setenv(labels.LANG_ENV, "")
    assert labels.edition() == "zh_CN"
    monkeypatch.chdir(zh_folder.parent)
    assert labels.edition() == "en_US"
