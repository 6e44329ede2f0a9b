"""The exercise registry and :func:`check`.

An exercise is registered with :func:`exercise` on a function that computes
the *expected* answer from a shipped, seeded kamsim dataset; the comparer
decides whether a student's answer matches, and ``mistakes`` lists plausible
wrong answers with a targeted hint each.  Checks live in
``kamsim/exercises/chNN.py`` and are imported lazily when ``check("NN.K", ...)``
is first called for chapter ``NN``.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from kamsim.exercises.compare import Comparer, exact, is_blank
from kamsim.exercises.messages import exercise_text, mistake_hint, say

_ID = re.compile(r"^(\d{2})\.(\d+)$")

#: Status of a :class:`CheckResult`.
CORRECT, BLANK, WRONG = "correct", "blank", "wrong"


@dataclass(frozen=True)
class CheckResult:
    """Outcome of :func:`check`; truthy when correct, prints one friendly line in a notebook."""

    exercise_id: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == CORRECT

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:  # what a notebook shows for a bare ``check(...)``
        return self.message


@dataclass(frozen=True)
class Exercise:
    """One registered exercise.

    Attributes
    ----------
    id
        ``"NN.K"``: chapter NN (two digits), exercise K.
    title, hint
        Shown in :func:`list_exercises` and in the "not quite" message.
    expected
        Zero-argument function computing the expected answer from kamsim data.
    compare
        Comparer ``(answer, expected) -> reason | None`` (see :mod:`kamsim.exercises.compare`).
    mistakes
        ``expected -> {hint: wrong_answer}``: plausible wrong answers, each with a targeted hint
        (candidates: :meth:`wrong_answers` drops those the comparer cannot tell apart).
    """

    id: str
    title: str
    hint: str
    expected: Callable[[], Any]
    compare: Comparer
    mistakes: Callable[[Any], Mapping[str, Any]]

    @property
    def chapter(self) -> str:
        return self.id.split(".")[0]

    def wrong_answers(self, expected: Any) -> dict[str, Any]:
        """The listed mistakes that really are mistakes, each with its targeted hint.

        A candidate from :attr:`mistakes` is dropped when :attr:`compare` accepts
        it as ``expected`` (with these data the slip gives the right answer, so it
        must never be reported as wrong) or as a wrong answer kept before it
        (:func:`check` would show that earlier hint; the first hint wins).

        Parameters
        ----------
        expected
            The expected answer (:func:`expected_answer`).

        Returns
        -------
        dict
            ``{targeted hint: wrong answer}`` in the order listed by :attr:`mistakes`.
        """
        kept: dict[str, Any] = {}
        for hint, wrong in self.mistakes(expected).items():
            if _compare(self.compare, wrong, expected) is None:
                continue
            if any(_compare(self.compare, wrong, earlier) is None for earlier in kept.values()):
                continue
            kept[hint] = wrong
        return kept


_REGISTRY: dict[str, Exercise] = {}
_EXPECTED: dict[str, Any] = {}


def _sort_key(exercise_id: str) -> tuple[int, int]:
    chapter, number = exercise_id.split(".")
    return int(chapter), int(number)


def exercise(
    exercise_id: str,
    *,
    title: str,
    hint: str,
    mistakes: Callable[[Any], Mapping[str, Any]],
    compare: Comparer | None = None,
) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register the decorated function as the expected-answer function of ``exercise_id``.

    Parameters
    ----------
    exercise_id
        ``"NN.K"``, e.g. ``"01.2"``; the module must be ``kamsim/exercises/chNN.py``.
    title
        Short task name.
    hint
        General hint shown after a wrong answer.
    mistakes
        Function of the expected answer returning ``{targeted hint: plausible wrong answer}``.
        List the candidates plainly: the registry drops those the comparer accepts as the
        expected answer or as an earlier candidate (:meth:`Exercise.wrong_answers`); at least
        one must remain, and the tests prove each remaining one fails with its hint.
    compare
        Comparer; default :func:`kamsim.exercises.compare.exact`.

    Returns the function unchanged, so it can be called directly.
    """
    match = _ID.match(exercise_id)
    if not match:
        raise ValueError(f"exercise id must look like 'NN.K' (e.g. '01.2'), got {exercise_id!r}")

    def register(func: Callable[[], Any]) -> Callable[[], Any]:
        previous = _REGISTRY.get(exercise_id)
        if previous is not None and (previous.expected.__module__, previous.expected.__qualname__) != (
            func.__module__,
            func.__qualname__,
        ):
            raise ValueError(f"exercise {exercise_id} is registered twice ({previous.expected.__module__} and {func.__module__})")
        _REGISTRY[exercise_id] = Exercise(exercise_id, title, hint, func, compare or exact(), mistakes)
        _EXPECTED.pop(exercise_id, None)
        return func

    return register


def _chapter_modules() -> list[str]:
    package = importlib.import_module("kamsim.exercises")
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__) if re.fullmatch(r"ch\d{2}", m.name))


def _load_chapter(chapter: str) -> None:
    name = f"ch{chapter}"
    if name in _chapter_modules():
        importlib.import_module(f"kamsim.exercises.{name}")


def _load_all() -> None:
    for name in _chapter_modules():
        importlib.import_module(f"kamsim.exercises.{name}")


def get_exercise(exercise_id: str) -> Exercise:
    """The registered :class:`Exercise`; ``ValueError`` listing the known ids if there is none."""
    match = _ID.match(str(exercise_id))
    if match:
        _load_chapter(match.group(1))
        if exercise_id in _REGISTRY:
            return _REGISTRY[exercise_id]
    _load_all()
    known = ", ".join(sorted(_REGISTRY, key=_sort_key)) or "none"
    raise ValueError(f"unknown exercise id {exercise_id!r}; known exercises: {known}")


def expected_answer(exercise_id: str) -> Any:
    """The expected answer on this process's datasets (computed once, then cached).

    Trainer-side: not exported by :mod:`kamsim.exercises`; use :func:`kamsim.course.grading.expected_answer`.
    """
    if exercise_id not in _EXPECTED:
        _EXPECTED[exercise_id] = get_exercise(exercise_id).expected()
    return _EXPECTED[exercise_id]


def check(exercise_id: str, answer: Any) -> CheckResult:
    """Check a student's ``answer`` to exercise ``exercise_id``.

    Returns a :class:`CheckResult` that is truthy when correct and displays as
    one line: ``✅ 00.1 correct``, ``⏳ 00.1 not attempted yet ...`` or
    ``❌ 00.1 not quite: <reason>. Hint: <hint>``.
    In the Chinese edition (``KAMSIM_LANG=zh_CN`` or a notebook in
    ``exercises/zh_CN``) the same verdicts speak Chinese (:mod:`kamsim.exercises.messages`).

    Raises
    ------
    ValueError
        If ``exercise_id`` is not registered (the message lists the known ids).
    """
    ex = get_exercise(exercise_id)
    if is_blank(answer):
        return CheckResult(ex.id, BLANK, say("blank", id=ex.id))
    expected = expected_answer(ex.id)
    reason = _compare(ex.compare, answer, expected)
    if reason is None:
        return CheckResult(ex.id, CORRECT, say("correct", id=ex.id, title=exercise_text(ex.id, "title", ex.title)))
    hint = exercise_text(ex.id, "hint", ex.hint)
    for targeted, wrong in ex.wrong_answers(expected).items():
        if _compare(ex.compare, answer, wrong) is None:
            hint = mistake_hint(ex.id, targeted)
            break
    return CheckResult(ex.id, WRONG, say("wrong", id=ex.id, reason=reason, hint=hint))


def _compare(comparer: Comparer, answer: Any, expected: Any) -> str | None:
    try:
        return comparer(answer, expected)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        return say("uncomparable", error=f"{type(exc).__name__}: {exc}")


def list_exercises() -> pd.DataFrame:
    """All registered exercises: columns ``exercise_id, chapter, title, hint``, sorted by id."""
    _load_all()
    rows = [
        {"exercise_id": ex.id, "chapter": ex.chapter, "title": ex.title, "hint": ex.hint}
        for ex in sorted(_REGISTRY.values(), key=lambda e: _sort_key(e.id))
    ]
    return pd.DataFrame(rows, columns=["exercise_id", "chapter", "title", "hint"])
