"""Same seed, same outputs: kamsim's results match the recorded fingerprints (tests/golden.py)."""

import json

import pytest

from golden import GOLDEN, fingerprints


@pytest.fixture(scope="module")
def current() -> dict[str, dict[str, str]]:
    return fingerprints()


def test_every_recorded_case_still_runs(current):
    recorded = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(current) == sorted(recorded)


def test_outputs_are_byte_identical_to_the_recorded_fingerprints(current):
    recorded = json.loads(GOLDEN.read_text(encoding="utf-8"))
    moved = {
        f"{case}:{table}"
        for case, tables in recorded.items()
        for table, digest in tables.items()
        if current.get(case, {}).get(table) != digest
    }
    assert not moved, f"outputs changed for {sorted(moved)}; if on purpose, run `python tests/golden.py --write`"
