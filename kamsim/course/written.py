"""Written (open) questions: a recommendation argued from a chapter's evidence, graded by hand with a rubric.

KAM example: "Which retention policy would you fund, and why?" has no single
number for an answer; a trainer reads it against a rubric.  From chapter 06 on,
each exercise notebook ends with such a question and a Markdown answer cell;
grading collects the answers into ``written_answers.csv`` next to the rubric
(:mod:`kamsim.course.grading`).  The questions and rubrics live in
``kamsim/course/written.csv`` (also printed in docs/trainer_guide.md).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

#: The text that opens every answer cell, followed by the question id.
ANSWER_PREFIX = "**Your answer"
#: What an answer cell holds before the student writes in it.
PLACEHOLDER = "*(write your answer here)*"


@dataclass(frozen=True)
class WrittenQuestion:
    """One open question: id ``NN.W1``, chapter, question text, rubric (criteria separated by `` | ``), points."""

    id: str
    chapter: str
    question: str
    rubric: str
    points: float

    @property
    def answer_cell(self) -> str:
        """Cell id of the answer cell in the exercise notebook."""
        return f"answer-{self.id.replace('.', '-')}"

    @property
    def question_cell(self) -> str:
        """Cell id of the question cell in the exercise notebook."""
        return f"question-{self.id.replace('.', '-')}"

    @property
    def placeholder(self) -> str:
        return PLACEHOLDER


def answer_marker(question_id: str) -> str:
    """First line of an answer cell: ``**Your answer (06.W1):**``."""
    return f"{ANSWER_PREFIX} ({question_id}):**"


@lru_cache(maxsize=1)
def _load() -> tuple[WrittenQuestion, ...]:
    text = resources.files("kamsim.course").joinpath("written.csv").read_text(encoding="utf-8")
    return tuple(
        WrittenQuestion(row["id"], row["chapter"].zfill(2), row["question"], row["rubric"], float(row["points"]))
        for row in csv.DictReader(io.StringIO(text))
    )


def written_questions(chapter: str | None = None) -> list[WrittenQuestion]:
    """Every written question, or those of one chapter (``"06"``)."""
    return [q for q in _load() if chapter is None or q.chapter == chapter]
