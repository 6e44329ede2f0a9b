"""Run the ``kamsim`` command line in the test process: exit code, stdout and stderr."""

from __future__ import annotations

import contextlib
import io

from kamsim.cli import main


def run_cli(*argv: str) -> tuple[int, str, str]:
    """``kamsim argv`` in this process; argparse and user errors exit, and their code is returned."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()
