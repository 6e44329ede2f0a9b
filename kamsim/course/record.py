"""What a graded notebook hands back: each answer, as safe JSON, written from inside the student's kernel.

KAM example: the grader runs Li Wei's exercise notebook.  After each answer cell
it runs ``record("01.2", answer)``, which appends the value of ``answer`` to a
file as plain JSON (numbers, text, lists, Series and DataFrames).  The grader
reads that file back with :func:`decode` and checks the answers in its own
process against Li Wei's own data -- it never trusts what the student's kernel
says about correctness, and it never unpickles anything a student made.
"""

from __future__ import annotations

import json
import math
import numbers
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: Environment variable naming the file :func:`record` appends to (set by the grader).
RECORD_ENV = "KAMSIM_GRADING_RECORD"

#: Largest number of values kept from one answer (a cap on what a submission can make the grader read).
MAX_VALUES = 200_000


class Unsupported:
    """An answer of a type the grader does not read back (every comparison with it fails)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __repr__(self) -> str:
        return f"<a {self.kind}>"


def _scalar(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else repr(value)  # JSON has no NaN/inf: keep them as text
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return str(pd.Timestamp(value))
    return str(value)


def _values(values: Iterable[Any]) -> list[Any]:
    out = []
    for i, v in enumerate(values):
        if i >= MAX_VALUES:
            break
        out.append(_scalar(v))
    return out


def encode(answer: Any) -> dict[str, Any]:
    """``answer`` as a JSON-able dict that :func:`decode` turns back into an equivalent value."""
    if answer is Ellipsis or answer is None:
        return {"kind": "blank"}
    if isinstance(answer, pd.DataFrame):
        return {"kind": "frame", "columns": [str(c) for c in answer.columns], "index": _values(answer.index),
                "data": {str(c): _values(answer[c]) for c in answer.columns}}
    if isinstance(answer, pd.Series):
        return {"kind": "series", "name": _scalar(answer.name), "index": _values(answer.index),
                "values": _values(answer)}
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer.item()
    if isinstance(answer, (str, numbers.Number, np.bool_)):
        return {"kind": "scalar", "value": _scalar(answer)}
    if isinstance(answer, (list, tuple, set, frozenset, np.ndarray, pd.Index)):
        values = sorted(answer, key=str) if isinstance(answer, (set, frozenset)) else answer
        return {"kind": type(answer).__name__ if isinstance(answer, (list, tuple, set)) else "list",
                "values": _values(np.asarray(values, dtype=object).ravel() if isinstance(values, np.ndarray) else values)}
    if isinstance(answer, dict):
        return {"kind": "dict", "keys": _values(answer.keys()), "values": _values(answer.values())}
    return {"kind": "unsupported", "type": type(answer).__name__}


def _number(value: Any) -> Any:
    if isinstance(value, str) and value in ("nan", "inf", "-inf"):
        return float(value)
    return value


def decode(data: dict[str, Any]) -> Any:
    """The value :func:`encode` described (a Series, DataFrame, list, set, number, text or ``...``)."""
    kind = data.get("kind")
    if kind == "blank":
        return ...
    if kind == "scalar":
        return _number(data["value"])
    if kind in ("list", "tuple", "set"):
        values = [_number(v) for v in data["values"]]
        return {"list": list, "tuple": tuple, "set": set}[kind](values)
    if kind == "dict":
        return dict(zip(data["keys"], (_number(v) for v in data["values"])))
    if kind == "series":
        return pd.Series([_number(v) for v in data["values"]], index=data["index"], name=data["name"])
    if kind == "frame":
        return pd.DataFrame({c: [_number(v) for v in data["data"][c]] for c in data["columns"]}, index=data["index"])
    return Unsupported(str(data.get("type", "value")))


def record(exercise_id: str, answer: Any) -> None:
    """Append ``answer`` to the grader's record file (no-op outside grading)."""
    target = os.environ.get(RECORD_ENV)
    if not target:
        return
    line = json.dumps({"id": str(exercise_id), "answer": encode(answer)}, ensure_ascii=False)
    with Path(target).open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def read_records(path: str | os.PathLike[str]) -> dict[str, Any]:
    """``{exercise_id: answer}`` from a record file (the last record of an id wins; bad lines are skipped)."""
    answers: dict[str, Any] = {}
    file = Path(path)
    if not file.is_file():
        return answers
    for line in file.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            item = json.loads(line)
            answers[str(item["id"])] = decode(item["answer"])
        except (ValueError, KeyError, TypeError):
            continue
    return answers
