"""``python -m kamsim.course COMMAND``: maintain the course notebooks.

Commands
--------
refresh [NAMES...]       re-execute notebooks/NN_*.ipynb in place (outputs, timings)
check-timing [NAMES...]  execute without writing; exit 1 if a notebook exceeds the budget
strip [PATHS...]         clear outputs of exercise notebooks (default exercises/*.ipynb); --check only reports
glossary                 regenerate docs/glossary.md from kamsim/course/glossary.csv
release --out DIR        write the student pack (no solutions, no answers); --roster: one personal pack each
grade SUBMISSIONS        run and score submitted exercise notebooks; write gradebook.csv and feedback
site [--out DIR]         build the offline course website (English + 简体中文) from the stored outputs
translate [NAMES...]     build the 简体中文 notebooks from i18n/zh_CN (chapters executed); --check only verifies
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kamsim.course import refresh as _refresh
from kamsim.course.grading import CELL_TIMEOUT_S, NOTEBOOK_TIMEOUT_S
from kamsim.course.roster import DEFAULT_COURSE_SEED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kamsim.course", description="Maintain the kamsim course notebooks.")
    parser.add_argument("--root", type=Path, default=None, help="repository root (default: found from the cwd)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = sub.add_parser("refresh", help="re-execute notebooks in place and store their outputs")
    check = sub.add_parser("check-timing", help="execute notebooks without writing; fail above the time budget")
    for p in (run, check):
        p.add_argument("names", nargs="*", help="notebook names or prefixes, e.g. 00 01_customer_segmentation")
        p.add_argument("--timeout", type=int, default=_refresh.CELL_TIMEOUT_S, help="per-cell timeout in seconds")
        p.add_argument("--budget", type=float, default=_refresh.NOTEBOOK_BUDGET_S, help="seconds allowed per notebook")

    strip = sub.add_parser("strip", help="clear outputs of exercise notebooks")
    strip.add_argument("paths", nargs="*", type=Path, help="notebooks (default: exercises/*.ipynb)")
    strip.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook has outputs")

    glossary = sub.add_parser("glossary", help="write docs/glossary.md from the glossary CSV")
    glossary.add_argument("--output", type=Path, default=None, help="target file (default: <root>/docs/glossary.md)")

    release = sub.add_parser("release", help="write the student pack: chapters, blank exercises, data, glossary")
    release.add_argument("--out", type=Path, required=True, help="release folder (new or empty, or --overwrite)")
    release.add_argument("--roster", type=Path, default=None, help="CSV student_id,name,email: one personal pack each")
    release.add_argument("--course-seed", type=int, default=DEFAULT_COURSE_SEED,
                         help=f"seed of the personal datasets (default {DEFAULT_COURSE_SEED}; grading needs the same)")
    release.add_argument("--overwrite", action="store_true", help="replace an earlier release in --out")

    grade = sub.add_parser("grade", help="run and score submitted exercise notebooks; write a gradebook")
    grade.add_argument("submissions", type=Path, help="folder with one sub-folder per student_id")
    grade.add_argument("--roster", type=Path, required=True, help="the roster CSV of the release")
    grade.add_argument("--out", type=Path, required=True, help="gradebook folder (an earlier gradebook is replaced)")
    grade.add_argument("--course-seed", type=int, default=DEFAULT_COURSE_SEED, help="the seed the release used")
    grade.add_argument("--points", type=Path, default=None, help="CSV exercise_id,points (default 1 per exercise)")
    grade.add_argument("--timeout", type=int, default=CELL_TIMEOUT_S, help="seconds per cell (default %(default)s)")
    grade.add_argument("--notebook-timeout", type=int, default=NOTEBOOK_TIMEOUT_S,
                       help="seconds per notebook before it is stopped (default %(default)s)")
    grade.add_argument("--chapters", nargs="*", default=None, help="only these chapters, e.g. 00 01")
    _add_site_parser(sub)
    _add_translate_parser(sub)
    return parser


def _add_translate_parser(sub: argparse._SubParsersAction) -> None:
    """The ``translate`` command (kamsim.course.translation): the Chinese edition's notebooks."""
    tr = sub.add_parser("translate", help="build the 简体中文 edition's notebooks from the translation files")
    tr.add_argument("names", nargs="*", help="notebook names or prefixes (default: all)")
    tr.add_argument("--lang", default="zh_CN", help="edition (default: %(default)s)")
    tr.add_argument("--kind", choices=["notebooks", "exercises"], action="append", default=None,
                    help="only chapters or only exercise notebooks (default: both)")
    tr.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if a translation is missing or stale or a built notebook is out of date")
    tr.add_argument("--no-execute", action="store_true", help="store the chapter notebooks without running them")
    tr.add_argument("--timeout", type=int, default=_refresh.CELL_TIMEOUT_S, help="per-cell timeout in seconds")


def _add_site_parser(sub: argparse._SubParsersAction) -> None:
    """The ``site`` command (kamsim.course.site): the offline course website."""
    site = sub.add_parser("site", help="build the offline course website from the stored notebook outputs")
    site.add_argument("--out", type=Path, default=None, help="site folder (default: <root>/site)")
    site.add_argument("--lang", nargs="+", default=None, metavar="LANG",
                      help="editions to build (default: en zh_CN)")
    site.add_argument("--overwrite", action="store_true", help="replace a folder that is not an earlier site")


def _run_notebooks(args: argparse.Namespace, root: Path, write: bool) -> int:
    paths = _refresh.select_notebooks(root / "notebooks", args.names)
    if not paths:
        print(f"no notebooks in {root / 'notebooks'}")
        return 0
    reports = _refresh.refresh(paths, timeout=args.timeout, write=write)
    failed = [r for r in reports if not r.ok]
    slow = [r for r in reports if r.ok and r.seconds > args.budget]
    total = sum(r.seconds for r in reports)
    print(f"{len(reports)} notebook(s), {total:.1f} s in total" + (", outputs written" if write else ""))
    for r in slow:
        print(f"OVER BUDGET: {r.path.name} took {r.seconds:.1f} s (budget {args.budget:.0f} s)")
    for r in failed:
        print(f"FAILED: {r.error}", file=sys.stderr)
    if failed or (slow and not write):
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "glossary":
            from kamsim.course.terms import write_markdown

            root = args.root or (None if args.output else _refresh.find_root())
            target = write_markdown(args.output or Path(root) / "docs" / "glossary.md")
            print(f"wrote {target}")
            return 0
        root = Path(args.root) if args.root else _refresh.find_root()
        if args.command == "release":
            from kamsim.course.pack import release

            packs = release(args.out, args.roster, course_seed=args.course_seed, root=root, overwrite=args.overwrite)
            print(f"wrote {len(packs)} student pack(s) -> {args.out}")
            return 0
        if args.command == "grade":
            from kamsim.course.grading import grade

            book = grade(args.submissions, args.roster, args.out, course_seed=args.course_seed, points=args.points,
                         cell_timeout=args.timeout, notebook_timeout=args.notebook_timeout, root=root,
                         chapters=args.chapters, echo=True)
            print(f"graded {len(book)} student(s) -> {args.out / 'gradebook.csv'}")
            return 0
        if args.command == "site":
            from kamsim.course.site import build_site

            report = build_site(args.out or root / "site", root=root, languages=args.lang, overwrite=args.overwrite)
            print(report.summary())
            return 0
        if args.command == "translate":
            from kamsim.course.translation import KINDS, translate

            reports = translate(root, args.names, lang=args.lang, kinds=args.kind or KINDS, check=args.check,
                                execute=not args.no_execute, timeout=args.timeout)
            bad = [r for r in reports if not r.ok]
            verb = "checked" if args.check else "built"
            print(f"{len(reports)} notebook(s) {verb}, {len(bad)} with problems")
            return 1 if bad else 0
        if args.command == "refresh":
            return _run_notebooks(args, root, write=True)
        if args.command == "check-timing":
            return _run_notebooks(args, root, write=False)
        if args.command == "strip":
            paths = args.paths or _refresh.list_notebooks(root / "exercises")
            changed = _refresh.strip_outputs(paths, write=not args.check)
            verb = "has outputs" if args.check else "stripped"
            for path in changed:
                print(f"{verb}: {path}")
            print(f"{len(paths)} notebook(s) checked, {len(changed)} {verb}")
            return 1 if (args.check and changed) else 0
    except ValueError as exc:
        print(f"python -m kamsim.course: error: {exc}", file=sys.stderr)
        return 2
    return 2  # pragma: no cover - argparse enforces a command


if __name__ == "__main__":
    sys.exit(main())
