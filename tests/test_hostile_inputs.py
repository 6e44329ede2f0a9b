"""Issue 15, the reproductions of cases 1, 3, 4, 8 and 9: a clean error or a correct result, never a traceback.

Each test starts from the issue's reproduction and checks the fix: an error is a ``ValueError`` (exit code 2
on the command line) whose short message names the field, option or file and the limit, raised before any
work, with nothing written; a valid input gives a correct result.
"""

from __future__ import annotations

import dataclasses
import os
import re
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kamsim
from _cli import run_cli
from kamsim.engine.orders import poisson_excess, poisson_inverse
from kamsim.experiment.executors import check_executor, pool_size, resolve_executor
from kamsim.generators import generate_portfolio as generate_without_history
from kamsim.scenario import MAX_FILE_BYTES, Scenario

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "am_allocation.yaml"
STAGES = ("new", "growing", "mature", "at_risk", "won_back")


@pytest.fixture(scope="module")
def tiny() -> kamsim.Portfolio:
    return kamsim.generate_portfolio(5, seed=3)


# ----------------------------------------------------------------------------- 1. warm start without conversions


def test_case_1_history_when_no_prospect_converts(tmp_path):
    # the reproduction: `kamsim generate --accounts 20 --history-months 3 --seed 0 --out x` raised a TypeError
    code, out, err = run_cli("generate", "--accounts", "20", "--history-months", "3", "--seed", "0",
                          "--out", str(tmp_path / "x"))
    assert code == 0, err
    assert "20 accounts" in out
    # 6 of 10 seeds failed at 20 accounts: every seed works, and the acquisition dates stay datetimes
    for seed in range(10):
        plain = generate_without_history(20, seed)
        warmed = kamsim.generate_portfolio(20, seed, history_months=3)
        dates = warmed.accounts["acquisition_date"]
        assert pd.api.types.is_datetime64_any_dtype(dates)
        ev = warmed.events
        converted = set(ev.loc[(ev["event_type"] == "stage_change") & (ev["stage_from"] == "prospect"), "account_id"])
        was_prospect = plain.accounts["acquisition_date"].isna().to_numpy()
        ids = plain.accounts["account_id"].to_numpy()
        # prospects that converted got the date of their first conversion; nobody else changed
        for i, account in enumerate(ids):
            if was_prospect[i] and account in converted:
                first = ev.loc[(ev["account_id"] == account) & (ev["stage_from"] == "prospect"), "date"].min()
                assert dates.iloc[i] == first
            else:
                assert dates.iloc[i] is pd.NaT or dates.iloc[i] == plain.accounts["acquisition_date"].iloc[i]
        if seed == 0:  # the failing case: no prospect converted in the 3 months
            assert not converted


# ----------------------------------------------------------------------------- 3. scenario files and values


@pytest.mark.parametrize(
    ("yaml_text", "field"),
    [
        ("orders:\n  rate:\n    mature: .inf\n", "orders.rate.mature"),
        ("orders:\n  amount_sigma: .inf\n", "orders.amount_sigma"),
        ("satisfaction:\n  noise_sd: .inf\n", "satisfaction.noise_sd"),
        ("complaints:\n  handlers_per_1000_accounts: .inf\n", "complaints.handlers_per_1000_accounts"),
        ("complaints:\n  base_rate: .nan\n", "complaints.base_rate"),
        ("lifecycle:\n  transition_probs:\n    mature: {lost: .nan}\n", "lifecycle.transition_probs"),
    ],
)
def test_case_3_infinite_values_are_refused(tmp_path, yaml_text, field):
    path = tmp_path / "s.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ValueError, match=rf"s\.yaml: {field}\b"):
        Scenario.from_file(path)


@pytest.mark.parametrize(
    ("changes", "field", "limit"),
    [
        ({"orders": {"amount_sigma": 1e300}}, "orders.amount_sigma", "less than or equal to 3"),
        ({"satisfaction": {"noise_sd": 11}}, "satisfaction.noise_sd", "less than or equal to 10"),
        ({"complaints": {"handlers_per_1000_accounts": 1e300}}, "complaints.handlers_per_1000_accounts", "1000"),
        ({"orders": {"rate": {"mature": 101}}}, "orders.rate.mature", "less than or equal to 100"),
        ({"complaints": {"handlers": 10**12}}, "complaints.handlers", "less than or equal to 1000000"),
        ({"months": 5000}, "months", "less than or equal to 1200"),
        ({"lifecycle": {"satisfaction_effect": 50}}, "lifecycle.satisfaction_effect", "less than or equal to 5"),
        ({"name": "x" * 10_000}, "name", "at most 200 characters"),
    ],
)
def test_case_3_absurd_values_hit_documented_bounds(changes, field, limit):
    with pytest.raises(ValueError, match=rf"{field}: .*{limit}"):
        Scenario.from_dict(changes)
    table = Scenario.describe().set_index("field")["range"]
    assert table.notna().all() and (table.str.len() > 0).all()  # every field documents its range


def _bound(range_text: str, which: int) -> float | None:
    match = re.fullmatch(r"(?:> )?([\d.,]+) to ([\d.,]+)( or null)?", range_text)
    return None if match is None else float(match.group(which).replace(",", ""))


@pytest.mark.parametrize("which", [1, 2], ids=["all-lower-bounds", "all-upper-bounds"])
@pytest.mark.parametrize("constant", [False, True], ids=["behavioural", "constant-hazards"])
def test_case_3_every_field_at_its_bound_runs_without_overflow(tiny, which, constant):
    table = Scenario.describe()
    changes: dict[str, object] = {"lifecycle.constant_hazards": constant}
    for field, range_text, default in zip(table["field"], table["range"], table["default"]):
        bound = _bound(range_text, which)
        if bound is None or field == "months":
            continue
        if range_text.startswith(">") and which == 1:
            bound = 1e-9  # "> 0": just above
        is_int = default is None or (isinstance(default, int) and not isinstance(default, bool))
        changes[field] = int(bound) if is_int else bound
    changes["complaints.stage_days.follow_up"] = 1.0  # the six durations may not all be 0
    if which == 2:  # the largest rates the largest cap allows
        changes.update({**_all_rates(80), "orders.max_per_month": 100})
    else:
        changes.update({**_all_rates(0.0), "orders.max_per_month": 1})
    scenario = Scenario().updated(changes)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        result = kamsim.simulate(scenario, tiny, seed=1, months=24)
    assert not np.isinf(result.kpis()).any()  # NaN only where a KPI has nothing to average (documented)
    assert np.isfinite(result.panel[["satisfaction", "revenue", "margin", "churn_hazard"]].to_numpy()).all()


def test_case_3_handlers_per_1000_inf_no_longer_overflows():
    # the reproduction ended in OverflowError inside n_handlers(); now the value cannot get there
    with pytest.raises(ValueError, match="handlers_per_1000_accounts"):
        Scenario(complaints={"handlers_per_1000_accounts": float("inf")})
    assert Scenario(complaints={"handlers_per_1000_accounts": 1000}).complaints.n_handlers(10**6) == 10**6


@pytest.mark.parametrize("text", ["months: true\n", "months: false\n", "orders:\n  max_per_month: true\n",
                                  "complaints:\n  handlers: yes\n",
                                  "lifecycle:\n  transition_probs: {mature: {lost: true}}\n"])
def test_case_3_bools_are_not_numbers(tmp_path, text):
    path = tmp_path / "b.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"b\.yaml: .*(expected a number|expected a probability), got (true|false)"):
        Scenario.from_file(path)
    assert Scenario.from_dict({"lifecycle": {"constant_hazards": True}}).lifecycle.constant_hazards  # real flags stay


def test_case_3_a_yaml_key_given_twice_is_an_error(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text("months: 12\nname: a\nmonths: 24\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"twice\.yaml: line 3: key 'months' given twice \(first on line 1\)"):
        Scenario.from_file(path)
    nested = tmp_path / "nested.yaml"
    nested.write_text("orders:\n  rate:\n    mature: 2\n    mature: 3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"key 'mature' given twice"):
        Scenario.from_file(nested)
    toml = tmp_path / "twice.toml"
    toml.write_text("months = 12\nmonths = 24\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"twice\.toml: invalid TOML"):
        Scenario.from_file(toml)
    anchors = tmp_path / "anchors.yaml"  # anchors and aliases are not duplicates
    anchors.write_text("satisfaction: &s {noise_sd: 0.1}\nmonths: 6\n", encoding="utf-8")
    assert Scenario.from_file(anchors).satisfaction.noise_sd == 0.1


@pytest.mark.parametrize("name, text", [("empty.yaml", ""), ("comments.yaml", "# nothing here\n\n"),
                                        ("doc.yml", "---\n"), ("empty.toml", ""), ("comments.toml", "# none\n")])
def test_case_3_empty_or_comment_only_file_is_an_error(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=rf"{name}: empty scenario file"):
        Scenario.from_file(path)
    code, _, err = run_cli("simulate", "--scenario", str(path), "--accounts", "3", "--months", "1",
                        "--out", str(tmp_path / "out"))
    assert code == 2 and "empty scenario file" in err and not (tmp_path / "out").exists()


def test_case_3_toml_with_bom_reads_like_yaml_with_bom(tmp_path):
    toml, yml = tmp_path / "bom.toml", tmp_path / "bom.yaml"
    toml.write_bytes("\ufeffmonths = 12\n[complaints]\nhandlers = 3\n".encode())
    yml.write_bytes("\ufeffmonths: 12\ncomplaints:\n  handlers: 3\n".encode())
    assert Scenario.from_file(toml) == Scenario.from_file(yml) == Scenario(months=12, complaints={"handlers": 3})
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(ValueError, match=r"latin\.yaml: not UTF-8 text \(byte 0xe9 on line 1\)"):
        Scenario.from_file(latin)


def test_case_3_huge_file_is_refused_quickly_with_a_short_message(tmp_path):
    big = tmp_path / "huge.yaml"
    with big.open("wb") as handle:  # 56 MB (sparse): only the size matters
        handle.truncate(56_000_000)
    start = time.perf_counter()
    with pytest.raises(ValueError) as info:
        Scenario.from_file(big)
    assert time.perf_counter() - start < 1.0
    message = str(info.value)
    assert "huge.yaml" in message and "too large" in message and f"{MAX_FILE_BYTES:,} bytes" in message
    assert len(message) < 300
    code, _, err = run_cli("compare", "--scenario", str(big), "--policies", "status_quo", "--out", str(tmp_path / "o"))
    assert code == 2 and "too large" in err and len(err) < 400 and not (tmp_path / "o").exists()
    # just under the limit: read and validated, still fast, the message still short
    near = tmp_path / "near.yaml"
    near.write_text("".join(f"k{i}: 1\n" for i in range(100_000))[: MAX_FILE_BYTES - 10], encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"k0: unknown field.*and \d+ more errors") as info:
        Scenario.from_file(near)
    assert time.perf_counter() - start < 10.0 and len(str(info.value)) <= 2000


def test_case_3_deeply_nested_file_is_a_clean_error(tmp_path):
    for name, text in (("deep.yaml", "a: " + "[" * 200_000 + "]" * 200_000 + "\n"),
                       ("dash.yaml", "- " * 200_000 + "1\n"),
                       ("deep.toml", "a = " + "[" * 200_000 + "]" * 200_000 + "\n")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ValueError, match=rf"{name}: .*nested"):
            Scenario.from_file(path)


def test_case_3_error_messages_are_capped():
    with pytest.raises(ValueError) as info:
        Scenario.from_dict({f"unknown_{i}": i for i in range(10_000)})
    assert len(str(info.value)) <= 2000 and "more errors" in str(info.value)
    with pytest.raises(ValueError) as info:
        Scenario.from_dict({"x" * 100_000: 1})
    assert len(str(info.value)) < 200


# ----------------------------------------------------------------------------- 4. the order cap


def _all_rates(rate: float, cap: int | None = None) -> dict[str, object]:
    changes: dict[str, object] = {f"orders.rate.{s}": rate for s in STAGES}
    if cap is not None:
        changes["orders.max_per_month"] = cap
    return changes


@pytest.mark.parametrize(("rate", "cap"), [(8, 16), (12, 21), (16, 26), (50, 66)])
def test_case_4_rates_the_cap_would_cut_are_refused_with_the_cap_to_set(rate, cap):
    # the reproduction: rates 8, 12, 16, 50 under the default cap 8 gave 0.93 .. 0.40 times the revenue of rate 1
    with pytest.raises(ValueError, match=rf"orders\.max_per_month = 8 cuts about .*orders\.rate\.new = {rate} .*"
                                         rf"raise orders\.max_per_month to at least {cap}"):
        Scenario(months=12).updated(_all_rates(rate))
    Scenario(months=12).updated(_all_rates(rate, cap))  # with the advised cap the scenario is valid


def test_case_4_expected_spend_no_longer_falls_when_the_rate_rises():
    portfolio = kamsim.generate_portfolio(200, seed=1)
    revenue = {}
    for rate, cap in ((1, 8), (8, 16), (12, 21)):
        scenario = Scenario(months=12).updated(_all_rates(rate, cap))
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no cap warning either
            result = kamsim.simulate(scenario, portfolio, seed=1)
        revenue[rate] = result.kpis()["revenue"]
        assert result.meta["orders_max_per_month"] == cap
    assert revenue[8] >= 0.97 * revenue[1] and revenue[12] >= 0.97 * revenue[1], revenue


def test_case_4_default_scenario_stays_silent_and_counts_cut_orders(tiny):
    assert max(Scenario().orders.cut_shares().values()) < 0.001
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = kamsim.simulate(Scenario(months=3), tiny, seed=2)
    assert isinstance(result.meta["orders_cut"], int) and result.meta["orders_cut"] >= 0


def test_case_4_a_binding_cap_warns_and_records_the_cut_orders():
    portfolio = kamsim.generate_portfolio(200, seed=1)
    scenario = Scenario(months=12).updated(_all_rates(3))  # cuts about 0.18% of the orders
    with pytest.warns(UserWarning, match=r"orders\.max_per_month = 8 cuts about 0\.18% .*raise orders\.max_per_month "
                                         r"to at least 9"):
        result = kamsim.simulate(scenario, portfolio, seed=1)
    assert result.meta["orders_cut"] > 0
    # a nested assignment bypasses the Scenario's validation; simulate checks again
    bypass = Scenario(months=12)
    bypass.orders.rate.mature = 20
    with pytest.raises(ValueError, match=r"orders\.rate\.mature = 20"):
        kamsim.simulate(bypass, portfolio, seed=1)


def test_case_4_cut_count_uses_the_same_draws_as_the_capped_count():
    rng = np.random.default_rng(5)
    u = rng.random(20_000)
    lam = rng.uniform(0, 30, 20_000)
    capped = poisson_inverse(u, lam, 8)
    full = poisson_inverse(u, lam, 400)
    np.testing.assert_array_equal(np.minimum(full, 8), capped)
    np.testing.assert_array_equal(poisson_excess(u, lam, 8), full - capped)
    assert poisson_excess(u, lam, 8, capped).sum() == (full - capped).sum() > 0


# ----------------------------------------------------------------------------- 8. bounds of numeric options


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["generate", "--accounts", str(10**12)], "--accounts must be <= 1,000,000"),
        (["simulate", "--accounts", str(10**12)], "--accounts must be <= 1,000,000"),
        (["simulate", "--months", str(10**12)], "--months must be <= 1,200"),
        (["compare", "--months", str(10**12)], "--months must be <= 1,200"),
        (["generate", "--accounts", "5", "--history-months", str(10**12)], "--history-months must be <= 1,200"),
        (["generate", "--accounts", "5", "--managers", str(10**12)], "--managers must be <= 5"),
        (["generate", "--accounts", "5", "--products", str(10**12)], "--products must be <= 1,000"),
        (["compare", "--replications", str(10**12)], "--replications must be <= 10,000"),
        (["compare", "--workers", str(10**12)], "--workers must be <= 256"),
        (["generate", "--accounts", "5", "--seed", str(10**30)], "--seed must be <= 9,223,372,036,854,775,807"),
        (["simulate", "--accounts", "1000000", "--months", "1200"], "--accounts/--months: 1,000,000 accounts x 1,200"),
        (["simulate", "--accounts", "200000"], "--accounts (with the scenario's months): 200,000 accounts x 36"),
        (["generate", "--accounts", "100000", "--history-months", "60"], "--history-months: 100,000 accounts x 60"),
        (["generate", "--accounts", "9" * 5000], "--accounts: invalid int value"),
    ],
)
def test_case_8_every_numeric_option_has_a_limit(tmp_path, argv, message):
    out = tmp_path / "out"
    if argv[0] == "compare":
        argv = [*argv, "--scenario", str(SCENARIO), "--policies", "status_quo"]
    start = time.perf_counter()
    code, _, err = run_cli(*argv, "--out", str(out))
    assert time.perf_counter() - start < 5.0  # checked before any work (no MemoryError, no hang)
    assert code == 2
    assert message in err and len(err) < 2600
    assert not out.exists()


def test_case_8_api_arguments_have_the_same_limits(tiny):
    for kwargs, message in (
        (dict(n_accounts=10**12, seed=0), "n_accounts must be <= 1,000,000"),
        (dict(n_accounts=5, seed=0, n_managers=10**12), "n_managers must be <= 5"),
        (dict(n_accounts=5, seed=0, n_products=10**12), "n_products must be <= 1,000"),
        (dict(n_accounts=5, seed=0, history_months=10**12), "history_months must be <= 1,200"),
        (dict(n_accounts=5, seed=0, history_months=True), "history_months must be an integer"),
    ):
        with pytest.raises(ValueError, match=message):
            kamsim.generate_portfolio(**kwargs)
    with pytest.raises(ValueError, match="months must be <= 1200"):
        kamsim.simulate(None, tiny, months=10**12)
    with pytest.raises(ValueError, match="replications must be <= 10,000"):
        kamsim.compare(Scenario(months=1), ["status_quo"], portfolio=tiny, replications=10**12, progress=False)
    with pytest.raises(ValueError, match=r"executor \(number of worker processes\) must be <= 256"):
        kamsim.compare(Scenario(months=1), ["status_quo"], portfolio=tiny, replications=2, executor=10**6)
    with pytest.raises(ValueError, match="portfolio: number of accounts must be <= 1,000,000"):
        kamsim.compare(Scenario(months=1), ["status_quo"], portfolio=10**12, replications=2)
    with pytest.raises(ValueError, match="account-months"):
        kamsim.compare(Scenario(months=1200), ["status_quo"], portfolio=10**6, replications=2)


def test_case_8_worker_processes_are_capped_by_tasks_and_cpus():
    cpus = os.cpu_count() or 1
    assert pool_size(32, 4) == min(4, cpus)
    assert pool_size(32, 1) == 1 and pool_size(1, 100) == 1 and pool_size(3) == min(3, cpus)
    with resolve_executor(32, 4) as pool:  # the reproduction: --workers 32 with 4 tasks started 32 processes
        if min(4, cpus) == 1:
            assert pool is None  # one usable process: serial
        else:
            assert pool._max_workers == min(4, cpus)  # noqa: SLF001 - the size of the pool created
    with resolve_executor(32, 1) as pool:
        assert pool is None  # one task runs in this process
    for bad in (0, 257, 10**12):
        with pytest.raises(ValueError, match="executor"):
            check_executor(bad)


# ----------------------------------------------------------------------------- 9. dates and the month cap


def test_case_9_as_of_outside_the_calendar_is_refused(tmp_path):
    for as_of in ("2262-01-01", "2300-01-01", "1899-12-31", "9999-12-31"):
        code, _, err = run_cli("generate", "--accounts", "5", "--as-of", as_of, "--out", str(tmp_path / "o"))
        assert code == 2 and "--as-of: as_of must be between 1900-01-01 and 2200-12-31" in err, err
        assert "nanosecond" not in err and "Out of bounds" not in err
        assert not (tmp_path / "o").exists()
    code, _, err = run_cli("generate", "--accounts", "5", "--as-of", "1901-01-01", "--history-months", "24",
                        "--out", str(tmp_path / "o"))
    assert code == 2 and "--history-months: a 24-month history" in err and "before 1900-01-01" in err


def test_case_9_a_run_may_not_leave_the_calendar(tiny):
    # the reproduction: as_of 2262-01-01 and a 36-month run wrapped event dates back to 1677
    wrapped = dataclasses.replace(tiny, meta={**tiny.meta, "as_of": "2262-01-01"})
    with pytest.raises(ValueError, match=r"36-month simulation from as_of 2262-01-01 ends on 2264-12-31, "
                                         r"after 2200-12-31"):
        kamsim.simulate(Scenario(), wrapped)
    late = dataclasses.replace(tiny, meta={**tiny.meta, "as_of": "2199-01-01"})
    with pytest.raises(ValueError, match="after 2200-12-31"):
        kamsim.simulate(Scenario(months=36), late)
    result = kamsim.simulate(Scenario(months=24), late)  # ends exactly on 2200-12-31
    dates = result.events["date"]
    assert dates.min() >= pd.Timestamp("2199-01-01") and dates.max() <= pd.Timestamp("2200-12-31")
    with pytest.raises(ValueError, match="not a date"):
        kamsim.simulate(Scenario(months=1), dataclasses.replace(tiny, meta={**tiny.meta, "as_of": None}))


def test_case_9_simulate_applies_the_scenario_month_cap(tiny):
    # the reproduction: simulate(months=5000) bypassed the Scenario's 1200-month cap
    with pytest.raises(ValueError, match=r"months must be <= 1200 \(100 years\), got 5,000"):
        kamsim.simulate(Scenario(), tiny, months=5000)
    with pytest.raises(ValueError, match="months"):
        Scenario(months=5000)
    with pytest.raises(ValueError, match="months must be <= 1200"):
        kamsim.compare(Scenario(months=1), ["status_quo"], portfolio=tiny, replications=2, months=5000)


def test_case_9_calendar_edges_work(tmp_path):
    first = kamsim.generate_portfolio(5, seed=1, as_of="1900-01-01")
    assert kamsim.simulate(Scenario(months=2), first).events["date"].min() >= pd.Timestamp("1900-01-01")
    history = kamsim.generate_portfolio(5, seed=1, as_of="1901-01-01", history_months=12)
    assert history.events["date"].min() >= pd.Timestamp("1900-01-01")
    last = kamsim.generate_portfolio(5, seed=1, as_of="2200-12-01")
    assert kamsim.simulate(Scenario(months=1), last).events["date"].max() <= pd.Timestamp("2200-12-31")
    folder = last.to_dir(tmp_path / "late")
    code, _, err = run_cli("simulate", "--portfolio", str(folder), "--months", "2", "--out", str(tmp_path / "run"))
    assert code == 2 and "--portfolio/--months: a 2-month simulation from as_of 2200-12-01" in err
    assert not (tmp_path / "run").exists()
