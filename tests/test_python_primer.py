"""Every code block of the student primer (docs/python_primer.md) runs, in order, as a student would type it."""

import re
from pathlib import Path

import matplotlib

DOC = Path(__file__).resolve().parents[1] / "docs" / "python_primer.md"


def test_every_primer_snippet_runs():
    matplotlib.use("Agg")
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 4
    namespace: dict = {}
    for number, block in enumerate(blocks, start=1):
        exec(compile(block, f"{DOC.name}:block {number}", "exec"), namespace)
