"""Issue 15, property-based: hostile scenario files and hostile option values give a clean error or a valid result.

hypothesis generates

* scenario files: random YAML/TOML text, and random nested mappings of real and made-up fields with hostile
  values (inf, nan, huge, negative, bools, strings, lists, ``None``), written as YAML (sometimes with a key given
  twice) or TOML;
* option values for ``kamsim generate`` / ``simulate`` / ``compare``: one hostile value per run (negative, zero,
  huge, not a number, out-of-calendar dates, ...), the other options tiny and valid.

The property: either a clean error -- a ``ValueError`` naming the file, or exit code 2 with a short
``error:`` message naming the option -- with nothing written (``--out`` absent), or a valid result (a
scenario that simulates a tiny portfolio without numeric warnings; a written ``--out``).  ``compare`` stops
at the end of its checks (``StopAfterChecks``), which covers its inputs without simulating.

Each target runs ``MAX_EXAMPLES`` examples (300, the issue's minimum) with valid runs kept tiny (5 accounts,
1-2 months; valid but costly option values are skipped) and no example database; files go to temporary folders
(hypothesis keeps only its own caches in the git-ignored ``.hypothesis/``).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import tempfile
import warnings
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import kamsim
from kamsim.cli import main
from kamsim.scenario import Scenario

MAX_EXAMPLES = 300
SETTINGS = settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FIELDS = list(Scenario.describe()["field"])
SECTIONS = sorted({f.split(".")[0] for f in FIELDS if "." in f})
MAX_ERROR_CHARS = 2000
USAGE_CHARS = 1200  # argparse prints the usage line before its own error

_TINY: dict[str, Any] = {}


def tiny_portfolio() -> kamsim.Portfolio:
    """A 5-account portfolio, generated once (hypothesis does not allow function-scoped fixtures)."""
    if "portfolio" not in _TINY:
        _TINY["portfolio"] = kamsim.generate_portfolio(5, seed=2)
    return _TINY["portfolio"]


def tiny_portfolio_dir() -> Path:
    """The tiny portfolio as a folder, written once."""
    if "dir" not in _TINY:
        _TINY["tmp"] = tempfile.TemporaryDirectory(prefix="kamsim-hostile-")
        _TINY["dir"] = tiny_portfolio().to_dir(Path(_TINY["tmp"].name) / "tiny")
    return _TINY["dir"]


# ----------------------------------------------------------------------------- hostile values

HOSTILE_NUMBERS = st.one_of(
    st.sampled_from([math.inf, -math.inf, math.nan, 1e308, -1e308, 5e-324, -1.0, 0, -0.0, 10**30, -(10**30),
                     2**63, 10**400, True, False]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(min_value=0, max_value=3),  # plausible values too: some scenarios must be valid
)
HOSTILE_LEAVES = st.one_of(
    HOSTILE_NUMBERS,
    st.sampled_from(["inf", "-inf", "nan", "NaN", "1e999", "", " ", "true", "1,5", "0x10", "12", "stages",
                     "exponential", "x" * 5000, None]),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
)
HOSTILE_KEYS = st.one_of(st.sampled_from(FIELDS), st.sampled_from(SECTIONS),
                         st.text(min_size=1, max_size=20), st.sampled_from(["mnths", "orders.rate", "", "__class__"]))


def plausible(default: Any) -> st.SearchStrategy[Any]:
    """Values of a field's type between 0 (or 1) and its default: usually valid, so valid runs happen too."""
    if isinstance(default, bool):
        return st.booleans()
    if isinstance(default, int):
        return st.integers(min_value=1, max_value=max(default, 1))
    if isinstance(default, float):
        return st.floats(min_value=0.0, max_value=default)
    if default is None:
        return st.one_of(st.none(), st.integers(min_value=1, max_value=5))
    if isinstance(default, dict):
        return st.just({})
    return st.sampled_from([default, "stages", "exponential", "a name"])


PLAUSIBLE = dict(zip(FIELDS, (plausible(d) for d in Scenario.describe()["default"])))


@st.composite
def scenario_mappings(draw: st.DrawFn) -> dict[str, Any]:
    """A nested mapping: a few dotted field paths (mostly real) set to hostile or plausible values, plus junk."""
    data: dict[str, Any] = {}
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        real = draw(st.integers(0, 9)) < 8
        key = draw(st.sampled_from(FIELDS) if real else HOSTILE_KEYS)
        if real and draw(st.integers(0, 9)) < 6:
            value = draw(PLAUSIBLE[key])
        else:
            value = draw(st.one_of(HOSTILE_LEAVES, st.dictionaries(st.text(max_size=8), HOSTILE_LEAVES, max_size=3)))
        node = data
        parts = key.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = value
    return data


def yaml_text(data: dict[str, Any], duplicate: str | None) -> str:
    """``data`` as YAML; with ``duplicate`` that top-level key is given a second time."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if duplicate is not None:
        text += yaml.safe_dump({duplicate: 1}, allow_unicode=True)
    return text


def toml_text(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> str:
    """``data`` as TOML: scalars first, then one ``["a"."b"]`` table per nested mapping."""
    scalars, tables = [], []
    for key, value in data.items():
        name = json.dumps(str(key), ensure_ascii=False)
        if isinstance(value, dict):
            path = (*prefix, name)
            tables.append(f"[{'.'.join(path)}]\n" + toml_text(value, path))
        else:
            scalars.append(f"{name} = {_toml_value(value)}\n")
    return "".join(scalars) + "".join(tables)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, (int, str)):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return '""'
    return json.dumps(value)


RANDOM_CONTENT = st.one_of(
    st.text(max_size=200).map(lambda t: t.encode("utf-8")),
    st.binary(max_size=200),  # mostly not UTF-8
    st.lists(st.sampled_from(["months: 3\n", "months: .inf\n", "months: true\n", "- 1\n", "orders:\n", "  rate: 9\n",
                              "  rate:\n    mature: 50\n", "[orders]\n", "months = 3\n", "a = [[[[1]]]]\n", "&a [*a]\n",
                              "{", "}", "[", "]", "\ufeff", "\x00", "# c\n", "name: x\n", "name: x\n", "? [a]\n: 1\n",
                              "!!python/object:os.system\n", "<<: *a\n", "\t", "months: 1e999\n"]),
             max_size=12).map(lambda parts: "".join(parts).encode("utf-8")),
)


def check_scenario_file(path: Path) -> None:
    """The property for one file: a ValueError naming the file, or a Scenario that simulates cleanly."""
    try:
        scenario = Scenario.from_file(path)
    except ValueError as exc:
        message = str(exc)
        assert str(path) in message or path.name in message, message
        assert len(message) <= MAX_ERROR_CHARS
        event("clean error")
        return
    check_valid_scenario(scenario)


def check_valid_scenario(scenario: Scenario) -> None:
    """A valid scenario: finite numbers, and a tiny run without exceptions or numeric warnings."""
    for value in _leaves(scenario.to_dict()):
        if isinstance(value, float):
            assert math.isfinite(value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the order-cap warning is a valid outcome
        warnings.simplefilter("error", RuntimeWarning)  # overflow, invalid value: numbers out of control
        result = kamsim.simulate(scenario, tiny_portfolio(), seed=1, months=2)
    kpis = result.kpis()
    assert np.isfinite(kpis[["revenue", "margin", "net_margin", "active_accounts_end"]]).all()
    event("valid scenario, simulated")


def _leaves(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [leaf for value in node.values() for leaf in _leaves(value)]
    return [node]


# ----------------------------------------------------------------------------- scenario targets


@SETTINGS
@given(content=RANDOM_CONTENT, suffix=st.sampled_from([".yaml", ".yml", ".toml"]))
def test_random_scenario_text_gives_clean_error_or_valid_scenario(content: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"random{suffix}"
        path.write_bytes(content)
        check_scenario_file(path)


@SETTINGS
@given(data=scenario_mappings(), form=st.sampled_from(["yaml", "yaml-duplicate", "toml", "dict"]))
def test_hostile_scenario_mappings_give_clean_error_or_valid_scenario(data: dict[str, Any], form: str) -> None:
    if form == "dict":
        try:
            scenario = Scenario.from_dict(data, source="hostile")
        except ValueError as exc:
            assert str(exc).startswith("hostile: ") and len(str(exc)) <= MAX_ERROR_CHARS
            event("clean error")
            return
        check_valid_scenario(scenario)
        return
    with tempfile.TemporaryDirectory() as tmp:
        if form == "toml":
            path = Path(tmp) / "hostile.toml"
            path.write_text(toml_text(data), encoding="utf-8")
        else:
            path = Path(tmp) / "hostile.yaml"
            duplicate = next(iter(data)) if form == "yaml-duplicate" else None
            path.write_text(yaml_text(data, duplicate), encoding="utf-8")
            if duplicate is not None:
                with pytest.raises(ValueError, match=r"given twice"):
                    Scenario.from_file(path)
                return
        check_scenario_file(path)


# ----------------------------------------------------------------------------- CLI targets


def _ints(limit: int, low: int = 1) -> st.SearchStrategy[str]:
    """Option text around and far beyond the valid range ``low .. limit`` (a few random texts are valid ints)."""
    return st.one_of(
        st.integers(min_value=-(10**40), max_value=low - 1).map(str),
        st.integers(min_value=limit + 1, max_value=10**40).map(str),
        st.sampled_from([str(limit + 1), str(low - 1), "1e3", "abc", "", " ", "1.5", "nan", "inf", "-inf", "0x10",
                         "9" * 5000, "1_000_000_000_000", "\u0661\u0662", "--", "-x", "\x00"]),
        st.text(max_size=12),
    )


#: Valid values above these would make a run slow (a valid value is run for real): such examples are skipped.
CHEAP_LIMIT = {"--accounts": 30, "--months": 3, "--history-months": 3}


def cheap(option: str, value: str) -> bool:
    """False for a valid but costly value (``int()`` also reads other scripts' digits: 4 Arabic-Indic nines = 9999)."""
    if option not in CHEAP_LIMIT:
        return True
    try:
        return int(value) <= CHEAP_LIMIT[option]
    except ValueError:
        return True


DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["2262-01-01", "2300-01-01", "1677-09-21", "1899-12-31", "2200-12-31", "1900-01-01",
                     "2024-01-01T10:00", "2024-01-01+08:00", "now", "today", "NaT", "", "20240101", "2024-13-01",
                     "2024-02-30", "0001-01-01", "9999-12-31", "-2024-01-01", "2024/01/01"]),
    st.text(max_size=20),
)

GENERATE_OPTIONS = {
    "--accounts": _ints(1_000_000),
    "--managers": _ints(3),
    "--products": _ints(1000),
    "--history-months": _ints(1200, low=0),
    "--seed": _ints(2**63 - 1, low=0),
    "--as-of": DATES,
    "--locale": st.one_of(st.text(max_size=20), st.sampled_from(["en_US", "zh_CN", "EN_us", ""])),
}
RUN_OPTIONS = {
    "--accounts": _ints(1_000_000),
    "--months": _ints(1200),
    "--seed": _ints(2**63 - 1, low=0),
}
SIMULATE_OPTIONS = {
    **RUN_OPTIONS,
    "--policy": st.one_of(st.text(max_size=30), st.sampled_from(["", "status_quo ", "STATUS_QUO", "risk_targeted"])),
}
COMPARE_OPTIONS = {
    **RUN_OPTIONS,
    "--replications": _ints(10_000, low=2),
    "--workers": _ints(256),
    "--confidence": st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                              st.sampled_from(["0", "1", "-0.5", "nan", "inf", "1e-300", "0.9999999999", "x", ""])),
    "--policies": st.one_of(st.text(max_size=30), st.sampled_from([",", ",,", "status_quo,status_quo", "nope"])),
    "--baseline": st.text(max_size=20),
    "--kpis": st.one_of(st.text(max_size=30), st.sampled_from([",", "revenue,revenue", "profit"])),
}


class StopAfterChecks(Exception):
    """Raised in place of ``compare``'s first simulation: every input has passed its checks."""


def _cli(argv: list[str]) -> tuple[int | str, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            code: int | str = main(argv)
        except SystemExit as exc:
            code = int(exc.code or 0)
        except StopAfterChecks:
            code = "checked"
    return code, err.getvalue()


def check_cli(command: str, option: str, value: str, base: list[str], valid: str) -> None:
    """Run ``kamsim command base... option=value --out OUT``; assert the property."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        argv = [command, *base, f"{option}={value}", f"--out={out}"]
        code, err = _cli(argv)
        if code == 2:
            assert "error:" in err and option in err, (argv, err)
            assert len(err) <= MAX_ERROR_CHARS + USAGE_CHARS
            assert not out.exists(), argv
            event("exit 2")
            return
        assert code == valid, (argv, code, err)
        event("valid run" if valid == 0 else "valid, stopped after the checks")
        assert out.exists() == (valid == 0), argv


def _base(defaults: dict[str, str | None], option: str) -> list[str]:
    """The valid tiny options, without the hostile one."""
    return [k if v is None else f"{k}={v}" for k, v in defaults.items() if k != option]


@SETTINGS
@given(data=st.data(), option=st.sampled_from(sorted(GENERATE_OPTIONS)))
def test_hostile_generate_options(data: st.DataObject, option: str) -> None:
    value = data.draw(GENERATE_OPTIONS[option], label=option)
    assume(cheap(option, value))
    check_cli("generate", option, value, _base({"--accounts": "3", "--seed": "0"}, option), valid=0)


@SETTINGS
@given(data=st.data(), option=st.sampled_from(sorted(SIMULATE_OPTIONS)))
def test_hostile_simulate_options(data: st.DataObject, option: str) -> None:
    value = data.draw(SIMULATE_OPTIONS[option], label=option)
    assume(cheap(option, value))
    # a portfolio folder is faster than generating one per example (--accounts and --portfolio exclude each other)
    source = {} if option == "--accounts" else {"--portfolio": str(tiny_portfolio_dir())}
    check_cli("simulate", option, value, _base({"--months": "1", "--seed": "0", **source}, option), valid=0)


@SETTINGS
@given(data=st.data(), option=st.sampled_from(sorted(COMPARE_OPTIONS)))
def test_hostile_compare_options(data: st.DataObject, option: str) -> None:
    value = data.draw(COMPARE_OPTIONS[option], label=option)
    assume(cheap(option, value))
    defaults = {"--scenario": str(Path(__file__).resolve().parents[1] / "scenarios" / "am_allocation.yaml"),
                "--policies": "status_quo,blanket", "--replications": "2", "--months": "1", "--accounts": "3",
                "--seed": "0", "--no-progress": None}
    with mock.patch("kamsim.experiment.api._run", side_effect=StopAfterChecks):
        check_cli("compare", option, value, _base(defaults, option), valid="checked")
