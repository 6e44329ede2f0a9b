"""The check() API and comparers, on toy exercises (independent of the shipped datasets)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamsim.course.grading import get_exercise
from kamsim.exercises import (
    check,
    exact,
    exercise,
    frame,
    id_set,
    integer,
    is_blank,
    list_exercises,
    number,
    series,
    text,
)
from kamsim.exercises import core


@pytest.fixture
def toy():
    """Register exercise 99.1 (expected 42.5) for one test, then remove it."""

    @exercise(
        "99.1",
        title="Toy number",
        hint="add the two columns",
        compare=number(rtol=1e-3),
        mistakes=lambda expected: {"you subtracted instead of adding": expected - 10},
    )
    def toy_expected():
        return 42.5

    yield "99.1"
    core._REGISTRY.pop("99.1", None)
    core._EXPECTED.pop("99.1", None)


def test_correct_answer(toy):
    result = check(toy, 42.5 * (1 + 1e-4))
    assert result and result.passed and result.status == "correct"
    assert str(result) == repr(result) == "✅ 99.1 correct: Toy number"


def test_blank_answer(toy):
    for blank in (..., None):
        result = check(toy, blank)
        assert not result and result.status == "blank"
        assert "not attempted yet: replace ... with your answer" in result.message


def test_wrong_answer_gives_the_general_hint(toy):
    result = check(toy, 50)
    assert not result
    assert result.message == "❌ 99.1 not quite: 50 is too high. Hint: add the two columns"


def test_known_mistake_gives_its_targeted_hint(toy):
    result = check(toy, 32.5)
    assert "Hint: you subtracted instead of adding" in result.message


def test_expected_answer_is_not_revealed(toy):
    assert "42.5" not in check(toy, 1.0).message


def test_unknown_id_lists_the_known_ids(toy):
    with pytest.raises(ValueError, match=r"unknown exercise id '00\.99'.*00\.1.*99\.1"):
        check("00.99", 1)
    with pytest.raises(ValueError, match="unknown exercise id 'ch1'"):
        get_exercise("ch1")


def test_bad_id_and_duplicate_registration(toy):
    with pytest.raises(ValueError, match="must look like 'NN.K'"):
        exercise("1.1", title="t", hint="h", mistakes=lambda e: {})
    with pytest.raises(ValueError, match="registered twice"):

        @exercise("99.1", title="t", hint="h", mistakes=lambda e: {})
        def other():
            return 1


def test_list_exercises_sorted_naturally(toy):
    @exercise("99.10", title="ten", hint="h", mistakes=lambda e: {"x": 0})
    def ten():
        return 10

    @exercise("99.2", title="two", hint="h", mistakes=lambda e: {"x": 0})
    def two():
        return 2

    try:
        frame_ = list_exercises()
        assert list(frame_.columns) == ["exercise_id", "chapter", "title", "hint"]
        ids = frame_["exercise_id"].tolist()
        assert ids.index("99.1") < ids.index("99.2") < ids.index("99.10")
    finally:
        for key in ("99.10", "99.2"):
            core._REGISTRY.pop(key, None)


def test_is_blank():
    assert is_blank(...) and is_blank(None)
    assert not is_blank(0) and not is_blank("") and not is_blank([])


def test_number_comparer():
    cmp = number(rtol=1e-6)
    assert cmp(np.float64(100.0), 100) is None
    assert cmp(np.array(100.0), 100) is None
    assert cmp(101, 100) == "101 is too high"
    assert "too low" in cmp(99, 100)
    assert "NaN" in cmp(float("nan"), 100)
    assert "got True/False" in cmp(True, 1)
    assert ".sum()" in cmp(pd.Series([1.0]), 1.0)


def test_integer_comparer():
    cmp = integer()
    assert cmp(12, 12) is None and cmp(12.0, 12) is None and cmp(np.int64(12), 12) is None
    assert cmp(12.5, 12) == "expected a whole number, got 12.5"
    assert cmp(13, 12) == "13 is too high"
    assert "len(...)" in cmp(pd.DataFrame({"a": [1]}), 1)


def test_id_set_comparer():
    cmp = id_set("account id")
    assert cmp(["A2", "A1"], ["A1", "A2"]) is None
    assert cmp(pd.Series(["A1", "A2"]), {"A1", "A2"}) is None
    assert cmp(pd.Index(["A1"]), ["A1", "A2"]) == "1 account id is missing"
    assert cmp(["A1", "A2", "A3", "A4"], ["A1", "A2"]) == "2 account ids should not be there"
    assert cmp(["A1", "A1", "A2"], ["A1", "A2"]) == "some account ids appear more than once"
    assert "expected a list or set" in cmp("A1", ["A1"])


def test_series_comparer_ignores_order():
    expected = pd.Series([1.0, 2.0, 3.0], index=["a", "b", "c"])
    cmp = series()
    assert cmp(expected.iloc[::-1], expected) is None
    assert cmp(expected.to_frame(), expected) is None
    assert "index labels differ" in cmp(expected.drop("a"), expected)
    assert "1 value(s) differ, first at 'b'" == cmp(expected.replace(2.0, 2.5), expected)
    assert "order" in series(check_order=True)(expected.iloc[::-1], expected)
    labels = pd.Series(["A", "B"], index=["x", "y"], dtype="string")
    assert cmp(labels.astype(object), labels) is None
    assert "differ" in cmp(pd.Series(["A", "C"], index=["x", "y"]), labels)


def test_frame_comparer_ignores_row_order_and_index():
    expected = pd.DataFrame({"tier": ["core", "general"], "revenue": [10.0, 2.0]})
    cmp = frame()
    shuffled = expected.iloc[::-1].set_index(pd.Index([7, 9]))
    assert cmp(shuffled, expected) is None
    assert cmp(expected.assign(extra=1), expected) is None
    assert cmp(expected[["tier"]], expected) == "column(s) missing: ['revenue']"
    assert cmp(expected.head(1), expected) == "1 rows, expected 2"
    assert cmp(expected.assign(revenue=[10.0, 3.0]), expected).startswith("column 'revenue'")
    assert "expected a DataFrame" in cmp([1, 2], expected)


def test_text_and_exact_comparers():
    assert text()(" Core ", "core") is None
    assert text(case_sensitive=True)("Core", "core") is not None
    assert "expected a string" in text()(1, "core")
    assert exact()((1, 2), (1, 2)) is None
    assert exact()(pd.Series([1]), 1) is not None  # ambiguous truth value -> not equal


def test_comparer_errors_become_messages(toy):
    def broken(answer, expected):
        raise KeyError("tier")

    core._REGISTRY["99.1"] = core.Exercise("99.1", "Toy", "h", lambda: 1, broken, lambda e: {})
    result = check("99.1", 1)
    assert not result and "could not compare your answer (KeyError" in result.message


@pytest.fixture
def filtered():
    """Exercise 99.3 (expected 100, rtol 1e-3) whose candidate mistakes include look-alikes, then removed."""

    @exercise(
        "99.3",
        title="Toy filtering",
        hint="general hint",
        compare=number(rtol=1e-3),
        mistakes=lambda expected: {
            "rounded, so it is right": expected * (1 + 1e-4),
            "forgot the filter": 120.0,
            "same slip as 'forgot the filter'": 120.05,
            "halved": expected / 2,
        },
    )
    def toy_expected():
        return 100.0

    yield "99.3"
    core._REGISTRY.pop("99.3", None)
    core._EXPECTED.pop("99.3", None)


def test_wrong_answers_drop_what_the_comparer_cannot_tell_apart(filtered):
    ex = get_exercise(filtered)
    assert len(ex.mistakes(100.0)) == 4
    kept = ex.wrong_answers(100.0)
    assert list(kept) == ["forgot the filter", "halved"]
    assert kept["forgot the filter"] == 120.0  # the first of two equal-looking slips keeps its hint
    assert check(filtered, 100.0 * (1 + 1e-4)).passed  # a dropped candidate never marks a right answer wrong
    assert "Hint: forgot the filter" in check(filtered, 120.05).message
    for hint, wrong in kept.items():
        result = check(filtered, wrong)
        assert not result and f"Hint: {hint}" in result.message


def test_wrong_answers_follow_a_case_insensitive_comparer():
    ex = core.Exercise(
        "99.4",
        "Toy label",
        "h",
        lambda: "core",
        text(),
        lambda expected: {"upper case of the answer": "CORE ", "wrong tier": "general", "same tier": "General"},
    )
    assert ex.wrong_answers("core") == {"wrong tier": "general"}
    strict = core.Exercise("99.4", "Toy label", "h", lambda: "core", text(case_sensitive=True), ex.mistakes)
    assert list(strict.wrong_answers("core")) == ["upper case of the answer", "wrong tier", "same tier"]


def test_policy_table_and_best_policy():
    from kamsim.exercises.data import best_policy, policy_table

    summary = pd.DataFrame(
        {
            "policy": ["zeta", "zeta", "alpha", "alpha", "mid", "mid"],
            "kpi": ["margin", "churn_rate", "margin", "churn_rate", "margin", "churn_rate"],
            "mean": [5.0, 0.1, 7.0, 0.1, 6.0, 0.2],
        }
    )
    table = policy_table(summary, "mean")
    assert list(table.index) == ["zeta", "alpha", "mid"]  # the comparison's order, not alphabetical
    assert best_policy(table, "margin") == "alpha"
    assert best_policy(table, "churn_rate", largest=False) == "zeta"  # a tie goes to the policy listed first
    with pytest.raises(ValueError, match="no column.*diff_mean"):
        policy_table(summary, "diff_mean")
    with pytest.raises(ValueError, match="no KPI column 'net_margin'"):
        best_policy(table, "net_margin")


def test_shared_data_is_loaded_once():
    from kamsim.exercises.data import portfolio, snapshot

    assert portfolio("small") is portfolio("small")
    snap = snapshot("small")
    assert snap is snapshot("small")
    assert len(snap) == len(portfolio("small").accounts) and "revenue_12m" in snap.columns


def test_the_student_api_does_not_expose_expected_answers():
    import kamsim.exercises as student_api

    assert not hasattr(student_api, "expected_answer") and "expected_answer" not in student_api.__all__
    assert "get_exercise" not in student_api.__all__


def test_number_rule_is_four_significant_figures():
    compare = number()
    assert compare(0.7419, 0.741892) is None  # rounded to 4 significant figures
    assert compare(1_235_000, 1_234_567.0) is None
    assert "too high" in compare(0.7426, 0.741892)  # 1e-3 off: wrong


def test_number_says_give_more_decimals_when_right_but_too_coarse():
    reason = number()(0.74, 0.741892)
    assert reason == "0.74 is right to the 2 decimal(s) you gave but too coarse: give more decimals (four significant figures)"
    assert "too coarse" in number()(13, 12.6)
    assert "too coarse" not in number()(0.75, 0.741892)


def test_number_recognises_a_percentage_given_for_a_share():
    assert "looks like a percentage" in number()(74.19, 0.741892)
    assert "looks like a percentage" not in number()(74.19, 74.5)
