"""Rebuild the shipped datasets under datasets/ and their README (data dictionary).

Usage::

    python tools/make_datasets.py            # every dataset in kamsim.datasets.DATASETS
    python tools/make_datasets.py small      # only the named ones (README still rewritten)

The output is deterministic: running it twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kamsim import datasets
from kamsim.datasets.dictionary import readme_text
from kamsim.portfolio import Portfolio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"datasets to rebuild (default all: {', '.join(datasets.available())})")
    parser.add_argument("--out", type=Path, default=None, help="root folder (default: the repository's datasets/)")
    args = parser.parse_args(argv)
    names = args.names or datasets.available()
    root = args.out or datasets.datasets_dir()
    for name in names:
        folder = datasets.build(name, root)
        p = Portfolio.from_dir(folder)
        print(f"{name}: {len(p.accounts)} accounts, top-20% share {p.top_share():.1%} -> {folder}")
    shipped = {n: Portfolio.from_dir(root / n) for n in datasets.available() if (root / n).is_dir()}
    (root / "README.md").write_text(readme_text(shipped), encoding="utf-8")
    print(f"wrote {root / 'README.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
