"""The grader's child processes: run one submitted notebook, or score one student's recorded answers.

KAM example: grading 25 participants means running 25 x 11 notebooks written by
people who are still learning Python -- one will loop forever, one will crash
its kernel.  Each notebook therefore runs in a process of its own, with a time
limit per cell (the kernel is interrupted and the next cell runs) and a hard
limit per notebook (the process is killed).  Scoring runs in another fresh
process whose datasets are the student's own, so no cached answer of one
student can leak into another's score::

    python -m kamsim.course.sandbox execute NB.ipynb --record answers.jsonl --report report.json --timeout 120
    python -m kamsim.course.sandbox score --record answers.jsonl --exercises 01.1,01.2 --out scores.json

Both read the student's datasets from ``KAMSIM_DATASETS`` (set by the grader).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

#: Longest error text kept per cell in a report (characters).
MAX_ERROR_CHARS = 300


def execute(notebook: Path, record: Path, report: Path, timeout: int) -> None:
    """Execute ``notebook`` (errors allowed, cells interrupted after ``timeout`` s); write a JSON report."""
    import nbclient
    import nbformat

    os.environ["MPLBACKEND"] = "Agg"
    os.environ["KAMSIM_GRADING_RECORD"] = str(record)
    nb = nbformat.read(notebook, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        interrupt_on_timeout=True,
        resources={"metadata": {"path": str(notebook.parent)}},
    )
    failure = None
    try:
        client.execute()
    except Exception as exc:  # a dead kernel or a failure to start one
        failure = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
    errors = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") != "error":
                continue
            if output.get("ename") == "KeyboardInterrupt":  # nbclient interrupts a cell at the time limit
                text = f"timed out: stopped after {timeout} s (the time limit per cell)"
            else:
                text = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
            errors.append({"cell": index + 1, "error": text.replace(str(notebook.parent), "<notebook folder>")[:MAX_ERROR_CHARS]})
    report.write_text(json.dumps({"errors": errors, "failure": failure}, ensure_ascii=False), encoding="utf-8")


def score(records: list[Path], exercises: list[str], out: Path) -> None:
    """Check each recorded answer with :func:`kamsim.exercises.check` on this process's datasets."""
    from kamsim.course.record import read_records
    from kamsim.exercises import check

    answers: dict[str, object] = {}
    for path in records:
        answers.update(read_records(path))
    results = {}
    for exercise_id in exercises:
        if exercise_id not in answers:
            results[exercise_id] = {"status": "missing", "message": f"no answer reached the check of {exercise_id}"}
            continue
        result = check(exercise_id, answers[exercise_id])
        results[exercise_id] = {"status": result.status, "message": result.message}
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kamsim.course.sandbox")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("execute")
    ex.add_argument("notebook", type=Path)
    ex.add_argument("--record", type=Path, required=True)
    ex.add_argument("--report", type=Path, required=True)
    ex.add_argument("--timeout", type=int, required=True)
    sc = sub.add_parser("score")
    sc.add_argument("--record", type=Path, action="append", default=[])
    sc.add_argument("--exercises", required=True)
    sc.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "execute":
        execute(args.notebook, args.record, args.report, args.timeout)
    else:
        score(args.record, [e for e in args.exercises.split(",") if e], args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
