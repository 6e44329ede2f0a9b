"""Chinese figure text in the Chinese edition (kamsim.course.figure_text), English figures untouched."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from kamsim.course import figure_text, style
from kamsim.labels import CJK_CHARACTER


@pytest.fixture(autouse=True)
def _restore():
    yield
    figure_text.install(False)
    plt.close("all")


def test_the_table_is_well_formed_and_chinese() -> None:
    rows = figure_text.table()
    assert rows["Month"] == "月份"
    assert all(CJK_CHARACTER.search(zh) for zh in rows.values()), "every entry needs Chinese text"


def test_the_chinese_edition_draws_listed_text_in_chinese(monkeypatch) -> None:
    monkeypatch.setenv("KAMSIM_LANG", "zh_CN")
    style.setup()
    assert figure_text.installed()
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="Month")
    ax.set_xlabel("Month")
    ax.set_title("  Month ")
    ax.set_ylabel("A0001")  # not listed: drawn as given
    legend = ax.legend()
    assert ax.get_xlabel() == "月份" and ax.get_title() == "月份" and ax.get_ylabel() == "A0001"
    assert [t.get_text() for t in legend.get_texts()] == ["月份"]


def test_english_figures_are_untouched(monkeypatch) -> None:
    monkeypatch.setenv("KAMSIM_LANG", "zh_CN")
    style.setup()
    monkeypatch.setenv("KAMSIM_LANG", "en_US")
    style.setup()
    assert not figure_text.installed()
    _, ax = plt.subplots()
    ax.set_xlabel("Month")
    assert ax.get_xlabel() == "Month"


def test_english_text_left_in_chinese_figures_is_logged(monkeypatch, tmp_path) -> None:
    log = tmp_path / "missing.txt"
    monkeypatch.setenv(figure_text.MISSING_LOG_ENV, str(log))
    figure_text.install(True)
    _, ax = plt.subplots()
    ax.set_xlabel("Untranslated axis\nlabel")
    ax.set_ylabel("Month")  # translated: not logged
    ax.set_title("Q1")  # no word of three letters: not logged
    assert log.read_text(encoding="utf-8").splitlines() == ["Untranslated axis\\nlabel"]


def test_a_malformed_table_names_the_line(monkeypatch) -> None:
    class Fake:
        def joinpath(self, name):
            return self

        def read_text(self, encoding):
            return "en,zh\nMonth,月份\nMonth,月\n"

    monkeypatch.setattr(figure_text.resources, "files", lambda package: Fake())
    figure_text.table.cache_clear()
    try:
        with pytest.raises(ValueError, match="figure_text.csv line 3: 'Month' is listed twice"):
            figure_text.table()
    finally:
        monkeypatch.undo()
        figure_text.table.cache_clear()
