"""check() speaks Chinese in the Chinese edition: verdicts, comparer reasons, titles and hints."""

from __future__ import annotations

import string

import pandas as pd
import pytest

from kamsim.course.grading import expected_answer, get_exercise
from kamsim.exercises import check, list_exercises
from kamsim.exercises import compare as cmp
from kamsim.exercises import messages
from kamsim.labels import CJK_CHARACTER

IDS = list_exercises()["exercise_id"].tolist()


@pytest.fixture
def zh(monkeypatch):
    monkeypatch.setenv("KAMSIM_LANG", "zh_CN")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(messages.MESSAGES))
def test_every_message_has_chinese_with_the_same_fields(key) -> None:
    english, chinese = messages.MESSAGES[key]
    assert _fields(english) == _fields(chinese)
    assert CJK_CHARACTER.search(chinese) or key in ("separator", "kind_frame", "kind_series"), chinese


def test_verdicts_in_chinese(zh) -> None:
    assert check("00.1", ...).message == "⏳ 00.1 尚未作答：把 ... 替换为你的答案，然后重新运行这个单元格。"
    right = check("00.1", expected_answer("00.1"))
    assert right and right.message.startswith("✅ 00.1 正确：")
    assert CJK_CHARACTER.search(right.message.split("：", 1)[1]), "the title is Chinese"
    wrong = check("00.1", expected_answer("00.1") + 1000)
    assert not wrong and wrong.message.startswith("❌ 00.1 还不对：") and "偏高。提示：" in wrong.message


def test_english_is_unchanged_outside_the_edition(monkeypatch) -> None:
    monkeypatch.setenv("KAMSIM_LANG", "en_US")
    assert check("00.1", ...).message.startswith("⏳ 00.1 not attempted yet")
    assert check("00.1", expected_answer("00.1")).message.startswith("✅ 00.1 correct: ")


@pytest.mark.parametrize(
    ("comparer", "answer", "expected", "text"),
    [
        (cmp.number(), 74.19, 0.7419, "74.19 看起来是百分数"),
        (cmp.number(), pd.Series([1.0]), 1.0, "应为单个数字，得到的是Series（可用"),
        (cmp.integer(), 3, 5, "3 偏低"),
        (cmp.id_set("account id"), ["A1"], ["A1", "A2", "A3"], "缺少 2 个 account id"),
        (cmp.frame(), pd.DataFrame({"x": [1]}), pd.DataFrame({"x": [1], "y": [2]}), "缺少列：['y']"),
        (cmp.text(), 5, "A", "应为字符串，得到的是数字"),
    ],
)
def test_comparer_reasons_in_chinese(zh, comparer, answer, expected, text) -> None:
    assert text in comparer(answer, expected)


def test_the_catalog_translates_every_exercise_title_hint_and_targeted_hint() -> None:
    """zh_CN.yaml lists every registered exercise, in Chinese, and exactly its current targeted hints."""
    catalog = messages._zh_catalog()
    assert set(catalog) == set(IDS), (set(IDS) - set(catalog), set(catalog) - set(IDS))
    for eid in IDS:
        entry, ex = catalog[eid], get_exercise(eid)
        assert CJK_CHARACTER.search(str(entry.get("title"))) and CJK_CHARACTER.search(str(entry.get("hint"))), eid
        english_hints = set(ex.mistakes(expected_answer(eid)))
        translated = entry.get("mistakes") or {}
        assert set(translated) == english_hints, (eid, english_hints ^ set(translated))
        assert all(CJK_CHARACTER.search(str(v)) for v in translated.values()), eid


def test_a_targeted_hint_is_shown_in_chinese(zh) -> None:
    ex = get_exercise("00.1")
    hint, wrong = next(iter(ex.wrong_answers(expected_answer("00.1")).items()))
    result = check("00.1", wrong)
    assert messages.mistake_hint("00.1", hint) in result.message and hint not in result.message
