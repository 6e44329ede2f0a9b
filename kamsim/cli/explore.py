"""``kamsim explore``: the policy explorer, a local web app to compare policy bundles without code.

Example::

    kamsim explore --dataset small_zh --port 5006
    kamsim explore --portfolio out/portfolio --scenario scenarios/retention_showdown.yaml

serves the app on ``http://127.0.0.1:<port>/`` (this computer only; ``--port 0``
picks a free port).  In the page: choose a portfolio, set the scenario's main
knobs, pick two or more policy bundles, run with a progress bar and a cancel
button, read the paired differences with confidence intervals and download the
results folder as a zip with the equivalent ``kamsim compare`` command.  Panel
(the optional extra ``pip install "kamsim[explore]"``) is imported only when this
command runs, so ``kamsim --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

from kamsim.cli import CLIError
from kamsim.cli._common import load_scenario


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``explore`` sub-command."""
    p = subparsers.add_parser(
        "explore",
        help="start the policy explorer, a local web app (127.0.0.1) to compare policies without code",
        description="Serve the kamsim policy explorer on http://127.0.0.1:PORT/: pick a portfolio, set the scenario "
        "knobs, choose policy bundles, run a comparison and download the results. Needs the 'explore' extra "
        '(pip install "kamsim[explore]").',
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument("--portfolio", metavar="DIR", default=None, help="preselect a portfolio folder")
    src.add_argument("--dataset", metavar="NAME", default=None, help="preselect a shipped dataset (default small)")
    p.add_argument("--scenario", metavar="FILE", default=None, help="start from this scenario file (.yaml/.toml)")
    p.add_argument("--port", type=int, default=5006, metavar="P", help="port on 127.0.0.1 (default 5006; 0 = any free port)")
    p.add_argument("--open", action="store_true", help="also open the page in the default web browser")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Check the options, then serve the explorer until Ctrl+C; return the exit code."""
    from kamsim.datasets import available

    if not 0 <= args.port <= 65535:
        raise CLIError(f"--port must be between 0 and 65535, got {args.port}")
    if args.dataset is not None and args.dataset not in available():
        raise CLIError(f"--dataset {args.dataset!r}: unknown dataset; available: {', '.join(available())}")
    if args.portfolio is not None and not Path(args.portfolio).is_dir():
        raise CLIError(f"--portfolio {args.portfolio}: no such portfolio folder")
    if args.scenario is not None and not Path(args.scenario).is_file():
        raise CLIError(f"--scenario {args.scenario}: cannot read file (no such file)")
    load_scenario(args)  # a clear error now rather than in the page
    if importlib.util.find_spec("panel") is None:
        raise CLIError('the explorer needs Panel: pip install "kamsim[explore]"')
    from kamsim.explorer.app import serve

    serve(port=args.port, dataset=args.dataset, portfolio_dir=args.portfolio, scenario=args.scenario, show=args.open)
    return 0
