"""``kamsim policies``: list the built-in policy bundles and single policies.

Example::

    kamsim policies                  # everything
    kamsim policies --kind bundle    # the names ``kamsim compare --policies`` accepts
"""

from __future__ import annotations

import argparse
import textwrap

from kamsim.vocabulary import POLICY_KINDS

#: What ``--kind`` may name: the bundles and each policy kind.
KINDS: tuple[str, ...] = ("bundle", *POLICY_KINDS)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``policies`` sub-command."""
    p = subparsers.add_parser(
        "policies",
        help="list the built-in policies",
        description="List the built-in policy bundles (usable with simulate --policy and compare --policies) "
        "and the single segmentation, retention and allocation policies they are made of.",
    )
    p.add_argument("--kind", choices=KINDS, default=None, help="only list this kind")
    p.set_defaults(run=run)
    return p


def format_table(rows: list[tuple[str, str, str]], width: int = 100) -> str:
    """Plain-text table ``name | kind | description`` with wrapped descriptions."""
    headers = ("name", "kind", "description")
    w_name = max([len(headers[0]), *(len(r[0]) for r in rows)])
    w_kind = max([len(headers[1]), *(len(r[1]) for r in rows)])
    w_desc = max(20, width - w_name - w_kind - 4)
    lines = [f"{headers[0]:<{w_name}}  {headers[1]:<{w_kind}}  {headers[2]}", f"{'-' * w_name}  {'-' * w_kind}  {'-' * 11}"]
    for name, kind, desc in rows:
        wrapped = textwrap.wrap(desc, w_desc) or [""]
        lines.append(f"{name:<{w_name}}  {kind:<{w_kind}}  {wrapped[0]}")
        lines += [f"{'':<{w_name}}  {'':<{w_kind}}  {more}" for more in wrapped[1:]]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Print the registry table; return the exit code."""
    from kamsim.policies import available

    table = available(args.kind)
    rows = [(str(n), str(k), str(d)) for n, k, d in zip(table["name"], table["kind"], table["description"])]
    print(format_table(rows))
    if args.kind in (None, "bundle"):
        print("\nBundles can be simulated and compared: kamsim compare --policies status_quo,risk_targeted ...")
    return 0
