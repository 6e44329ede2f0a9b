"""Auto-checked exercises: ``check("01.2", answer)`` gives one line of feedback.

In a student notebook (``exercises/NN_slug.ipynb``)::

    from kamsim.exercises import check
    answer = ...            # the blank: replace ... with your answer
    check("00.1", answer)   # ✅ 00.1 correct / ⏳ not attempted yet / ❌ not quite: <reason>. Hint: ...

Writing a check (``kamsim/exercises/chNN.py``): decorate a function that
computes the expected answer from a shipped dataset, choose a comparer, and
list plausible mistakes with a targeted hint each::

    from kamsim.exercises import exercise, integer

    @exercise("00.1", title="Mature accounts", hint="Filter on stage, then count.",
              compare=integer(),
              mistakes=lambda expected: {"That is every account: filter on stage first.": 200})
    def mature_accounts() -> int:
        ...

The reference solution is ``def ex_00_1()`` in ``exercises/solutions/00_slug.py``;
``tests/test_exercises.py`` proves for every registered id that the solution
passes, the blank fails and every listed mistake fails (the registry first drops the
candidates its comparer would accept as the expected answer or as an earlier mistake:
:meth:`Exercise.wrong_answers`).  Shared, cached data access lives in
:mod:`kamsim.exercises.data`.  The trainer-side API -- the expected answer of an exercise,
grading -- is :mod:`kamsim.course.grading`; students never need it.  See
``docs/course_authoring.md``.
"""

from kamsim.exercises.compare import Comparer, exact, frame, id_set, integer, is_blank, number, series, text
from kamsim.exercises.core import CheckResult, Exercise, check, exercise, list_exercises

__all__ = [
    "CheckResult",
    "Comparer",
    "Exercise",
    "check",
    "exact",
    "exercise",
    "frame",
    "id_set",
    "integer",
    "is_blank",
    "list_exercises",
    "number",
    "series",
    "text",
]
