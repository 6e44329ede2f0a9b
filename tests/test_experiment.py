"""kamsim.experiment: CI maths, paired differences, ordering, seeds, validation, Comparison output."""

from __future__ import annotations

import concurrent.futures as cf
import io
import sys
import threading
import time
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from kamsim._random import seed_sequence
from kamsim.experiment import Comparison, compare, replication_seed, run_tasks, t_interval, variance_ratio
from kamsim.experiment import stats
from kamsim.experiment.executors import check_executor, progress_enabled

# t_{0.975, df} independent of scipy: df=2 has the closed form (2p-1)/sqrt(2p(1-p)); others from printed tables
T975 = {2: 0.95 / np.sqrt(2 * 0.975 * 0.025), 4: 2.776445105, 9: 2.262157163}


# ----------------------------------------------------------------------------- statistics on known numbers


def test_t_interval_known_numbers():
    iv = t_interval([1.0, 2.0, 3.0])
    assert iv.mean == 2.0 and iv.std == 1.0 and iv.n == 3
    half = T975[2] * 1.0 / np.sqrt(3)
    assert iv.ci_low == pytest.approx(2.0 - half, rel=1e-12)
    assert iv.ci_high == pytest.approx(2.0 + half, rel=1e-12)
    assert iv.half_width == pytest.approx(half)


def test_t_interval_other_level_and_edge_cases():
    x = np.arange(10, dtype=float)  # mean 4.5, sd sqrt(55/6)
    iv = t_interval(x, confidence=0.95)
    assert iv.ci_high - iv.mean == pytest.approx(T975[9] * np.sqrt(55 / 6) / np.sqrt(10), rel=1e-9)
    # 90% interval is narrower than 95%
    assert t_interval(x, 0.90).half_width < iv.half_width
    one = t_interval([5.0])
    assert one.mean == 5.0 and np.isnan(one.ci_low) and one.n == 1
    assert t_interval([np.nan, 1.0, 3.0]).n == 2
    with pytest.raises(ValueError, match="confidence"):
        t_interval(x, confidence=95)


def _frame(values: dict[str, list[float]], kpi: str = "revenue") -> pd.DataFrame:
    rows = [(p, r, kpi, v) for p, vals in values.items() for r, v in enumerate(vals)]
    return pd.DataFrame(rows, columns=["policy", "replication", "kpi", "value"])


def test_summarise_matches_t_interval_per_group():
    frame = pd.concat(
        [
            _frame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 5, 7, 9]}),
            _frame({"a": [0.1, 0.2, 0.3, 0.2, 0.1], "b": [0.3, 0.1, 0.2, 0.2, 0.4]}, "churn_rate"),
        ],
        ignore_index=True,
    )
    out = stats.summarise(frame)
    assert list(out.columns) == ["policy", "kpi", "mean", "std", "ci_low", "ci_high", "n"]
    assert list(zip(out["policy"], out["kpi"])) == [("a", "revenue"), ("b", "revenue"), ("a", "churn_rate"), ("b", "churn_rate")]
    for row in out.itertuples():
        vals = frame.loc[(frame["policy"] == row.policy) & (frame["kpi"] == row.kpi), "value"]
        iv = t_interval(vals)
        assert (row.mean, row.std, row.ci_low, row.ci_high, row.n) == pytest.approx(
            (iv.mean, iv.std, iv.ci_low, iv.ci_high, iv.n)
        )
    # a = 1..5: mean 3, sd sqrt(2.5), t_{0.975,4}
    a = out.iloc[0]
    assert a["ci_high"] - 3 == pytest.approx(T975[4] * np.sqrt(2.5) / np.sqrt(5), rel=1e-9)


def test_paired_ci_is_ci_of_per_replication_differences():
    base = [10.0, 12.0, 9.0, 14.0, 11.0]
    pol = [11.0, 14.5, 9.5, 15.0, 13.0]
    frame = _frame({"base": base, "new": pol})
    out = stats.paired_summary(frame, "base")
    assert list(out["policy"]) == ["new"]
    diff = np.subtract(pol, base)  # 1, 2.5, .5, 1, 2
    iv = t_interval(diff)
    row = out.iloc[0]
    assert row["diff_mean"] == pytest.approx(1.4)
    assert (row["ci_low"], row["ci_high"], row["diff_std"], row["n"]) == pytest.approx((iv.ci_low, iv.ci_high, iv.std, 5))
    assert row["baseline_mean"] == pytest.approx(11.2)
    assert row["rel_diff_pct"] == pytest.approx(100 * 1.4 / 11.2)
    assert row["rel_ci_low_pct"] == pytest.approx(100 * iv.ci_low / 11.2)
    # the paired CI is much narrower than the CI of the difference of independent means would be
    assert iv.half_width < t_interval(pol).half_width


def test_paired_differences_pairs_by_replication_not_row_order():
    frame = _frame({"base": [1.0, 2.0, 3.0], "new": [2.0, 4.0, 6.0]}).sample(frac=1.0, random_state=3)
    diffs = stats.paired_differences(frame, "base").sort_values("replication")
    assert list(diffs["diff"]) == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="baseline 'nope'"):
        stats.paired_differences(frame, "nope")
    incomplete = frame[~((frame["policy"] == "base") & (frame["replication"] == 1))]
    with pytest.raises(ValueError, match="replication 1"):
        stats.paired_differences(incomplete, "base")


def test_relative_difference_is_nan_for_zero_baseline():
    out = stats.paired_summary(_frame({"base": [0.0, 0.0, 0.0], "new": [1.0, 2.0, 3.0]}), "base")
    assert out.loc[0, "diff_mean"] == 2.0 and np.isnan(out.loc[0, "rel_diff_pct"])


def test_variance_ratio_known_numbers():
    a = [1.0, 2.0, 3.0, 4.0, 5.0]  # var 2.5
    b = [2.0, 4.0, 6.0, 8.0, 10.0]  # var 10
    vr = variance_ratio(a, b)
    assert vr.ratio == pytest.approx(0.25)
    assert vr.ci_low < 0.25 < vr.ci_high
    # F(4, 4) 97.5% quantile is 9.6045 (tables): CI = ratio / F_hi .. ratio * F_hi (symmetry of F(4,4))
    assert vr.ci_low == pytest.approx(0.25 / 9.6045299, rel=1e-5)
    assert vr.ci_high == pytest.approx(0.25 * 9.6045299, rel=1e-5)
    with pytest.raises(ValueError, match="at least 2"):
        variance_ratio([1.0], b)


# ----------------------------------------------------------------------------- seeds


def test_replication_seed_is_derived_from_seed_sequence():
    expected = int(seed_sequence(7, "replication", 3).generate_state(1)[0])
    assert replication_seed(7, 3) == expected
    assert replication_seed(7, 3, policy="blanket") == int(
        seed_sequence(7, "policy", "blanket", "replication", 3).generate_state(1)[0]
    )
    seeds = {replication_seed(7, r) for r in range(50)}
    assert len(seeds) == 50
    assert replication_seed(7, 3, "a") != replication_seed(7, 3, "b") != replication_seed(7, 3)
    with pytest.raises(ValueError, match="seed"):
        replication_seed(-1, 0)


# ----------------------------------------------------------------------------- executors


def _slow_square(x: int) -> int:
    time.sleep(0.02 * (5 - x))  # early tasks finish last
    return x * x


def test_run_tasks_returns_task_order_whatever_the_completion_order():
    finished: list[int] = []
    lock = threading.Lock()

    def work(x: int) -> int:
        out = _slow_square(x)
        with lock:
            finished.append(x)
        return out

    with cf.ThreadPoolExecutor(5) as pool:
        out = run_tasks(work, range(5), executor=pool, progress=False)
    assert finished != sorted(finished)  # they really completed out of order
    assert out == [0, 1, 4, 9, 16]
    assert run_tasks(_slow_square, range(5), executor=None, progress=False) == out
    assert run_tasks(_slow_square, range(5), executor="serial", progress=True) == out


def _boom(x: int) -> int:
    if x == 2:
        raise KeyError("bad task")
    return x


def test_run_tasks_reraises_the_task_error_with_its_index():
    with pytest.raises(KeyError, match="bad task") as info:
        run_tasks(_boom, range(4), progress=False)
    assert any("task 2" in n for n in getattr(info.value, "__notes__", ["task 2"]))
    with cf.ThreadPoolExecutor(2) as pool, pytest.raises(KeyError):
        run_tasks(_boom, range(4), executor=pool, progress=False)


def test_check_executor_and_progress_flags():
    for good in (None, "serial", 1, 3, cf.ThreadPoolExecutor(1)):
        check_executor(good)
    for bad, msg in ((0, ">= 1"), ("dask", "executor must be"), (2.5, "executor must be"), (True, "executor must be")):
        with pytest.raises(ValueError, match=msg):
            check_executor(bad)
    assert progress_enabled(False) is False
    assert progress_enabled(True) is False  # pytest captures stderr: not a TTY


class _FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(monkeypatch):
    tty = _FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    run_tasks(_slow_square, range(3), progress=True, desc="replications")
    assert "replications" in tty.getvalue() and "3/3" in tty.getvalue()
    quiet = _FakeTTY()
    monkeypatch.setattr(sys, "stderr", quiet)
    run_tasks(_slow_square, range(3), progress=False)
    assert quiet.getvalue() == ""
    not_tty = io.StringIO()
    monkeypatch.setattr(sys, "stderr", not_tty)
    run_tasks(_slow_square, range(3), progress=True)
    assert not_tty.getvalue() == ""


# ----------------------------------------------------------------------------- compare with a fake simulator


class _FakeResult:
    def __init__(self, values: dict[str, float]):
        self._values = values

    def kpis(self) -> pd.Series:
        return pd.Series(self._values, dtype="float64")


_EFFECT = {"status_quo": 0.0, "blanket": 5.0, "risk_targeted": 8.0, "win_back": -2.0}
CALLS: list[tuple[str, int]] = []


def fake_simulate(scenario, portfolio, policy, seed=0, **kwargs):
    """KPIs = common noise (from the seed) + policy effect + a little policy-specific noise."""
    name = policy.name
    CALLS.append((name, seed))
    rng = np.random.default_rng(seed)
    common = rng.normal(100.0, 10.0)
    own = np.random.default_rng([seed, len(name)]).normal(0.0, 1.0)
    return _FakeResult(
        {"revenue": common + _EFFECT[name] + own, "churn_rate": 0.1 + 0.001 * own, "complaints": 0.0}
    )


FAKE_PORTFOLIO = SimpleNamespace(accounts=pd.DataFrame({"account_id": ["A00001"]}), meta={"n_accounts": 1})


@pytest.fixture()
def scenario():
    from kamsim.scenario import Scenario

    return Scenario()


def test_compare_orders_results_by_policy_then_replication(scenario):
    comp = compare(
        scenario, ["risk_targeted", "status_quo", "blanket"], portfolio=FAKE_PORTFOLIO, replications=4,
        seed=11, progress=False, simulator=fake_simulate,
    )
    reps = comp.replications
    assert list(reps.columns) == ["policy", "replication", "kpi", "value"]
    assert comp.policies == ["risk_targeted", "status_quo", "blanket"]  # given order, not alphabetical
    assert comp.baseline == "risk_targeted"
    assert list(reps["policy"][::12]) == ["risk_targeted", "status_quo", "blanket"]
    assert list(reps["replication"][:12]) == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert list(reps["kpi"][:3]) == ["revenue", "churn_rate", "complaints"]
    assert reps["replication"].dtype == np.int64 and reps["value"].dtype == np.float64
    wide = comp.to_frame(wide=True)
    assert list(wide.columns) == ["policy", "replication", "revenue", "churn_rate", "complaints"]
    assert list(wide["policy"]) == ["risk_targeted"] * 4 + ["status_quo"] * 4 + ["blanket"] * 4
    assert comp.to_frame().equals(reps) and comp.to_frame() is not reps


def test_compare_uses_common_random_numbers(scenario):
    CALLS.clear()
    comp = compare(
        scenario, {"now": "status_quo", "care": "blanket"}, portfolio=FAKE_PORTFOLIO, replications=5, seed=3,
        baseline="now", progress=False, simulator=fake_simulate,
    )
    seeds = dict()
    for name, seed in CALLS:
        seeds.setdefault(name, []).append(seed)
    assert seeds["status_quo"] == seeds["blanket"] == [replication_seed(3, r) for r in range(5)]
    paired = comp.paired().set_index("kpi")
    # the common noise cancels: the difference is the effect 5 plus own noise (sd sqrt 2)
    assert paired.loc["revenue", "ci_low"] < 5.0 < paired.loc["revenue", "ci_high"]
    assert paired.loc["revenue", "diff_std"] < 3.0
    summary = comp.summary()
    assert set(summary["policy"]) == {"now", "care"} and (summary["n"] == 5).all()

    CALLS.clear()
    compare(scenario, {"now": "status_quo", "care": "blanket"}, portfolio=FAKE_PORTFOLIO, replications=3, seed=3,
            progress=False, simulator=fake_simulate, crn=False)
    indep = {}
    for name, seed in CALLS:
        indep.setdefault(name, []).append(seed)
    assert indep["status_quo"] == [replication_seed(3, r, "now") for r in range(3)]
    assert indep["status_quo"] != indep["blanket"]


def test_compare_kpi_selection(scenario):
    comp = compare(scenario, ["status_quo", "blanket"], portfolio=FAKE_PORTFOLIO, replications=2, progress=False,
                   simulator=fake_simulate, kpis=["churn_rate", "revenue"])
    assert comp.kpis == ["churn_rate", "revenue"]


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"policies": ["status_quo", "no_such_policy"]}, r"unknown policy 'no_such_policy'; available: status_quo, "),
        ({"policies": ["status_quo", "status_quo"]}, "duplicate"),
        ({"policies": []}, "at least one policy"),
        ({"policies": "status_quo,blanket"}, "policies must be"),
        ({"policies": {"x": 3}}, "must be a PolicyBundle"),
        ({"replications": 1}, "replications must be >= 2"),
        ({"replications": 2.5}, "replications must be an integer"),
        ({"baseline": "blanket"}, r"baseline 'blanket' is not one of the policies \['status_quo', 'risk_targeted'\]"),
        ({"seed": -3}, "seed must be a non-negative integer"),
        ({"executor": "cluster"}, "executor must be"),
        ({"kpis": []}, "kpis must be"),
        ({"kpis": ["profit"]}, r"kpis: unknown KPI name\(s\) \['profit'\]; available: revenue, "),
        ({"confidence": 1.5}, "confidence must be"),
        ({"crn": "yes"}, "crn must be"),
        ({"portfolio": 0}, "portfolio"),
        ({"portfolio": "/no/such/folder"}, "portfolio"),
        ({"scenario": "/no/such/scenario.yaml"}, r"scenario: cannot read file '/no/such/scenario.yaml'"),
        ({"scenario": 42}, "scenario must be"),
    ],
)
def test_compare_rejects_bad_inputs_before_running(scenario, kwargs, message):
    CALLS.clear()
    args = dict(scenario=scenario, policies=["status_quo", "risk_targeted"], portfolio=FAKE_PORTFOLIO,
                replications=3, progress=False, simulator=fake_simulate)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        compare(**args)
    assert CALLS == []  # no simulation ran


def test_compare_rejects_invalid_scenario_file(tmp_path):
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("months: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"scenario: .*bad\.yaml"):
        compare(bad_yaml, ["status_quo", "blanket"], portfolio=FAKE_PORTFOLIO, replications=2, progress=False,
                simulator=fake_simulate)
    wrong_field = tmp_path / "wrong.yaml"
    wrong_field.write_text("no_such_field_xyz: 3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"scenario: .*wrong\.yaml"):
        compare(wrong_field, ["status_quo", "blanket"], portfolio=FAKE_PORTFOLIO, replications=2, progress=False,
                simulator=fake_simulate)


# ----------------------------------------------------------------------------- Comparison object and files


def _comparison() -> Comparison:
    rng = np.random.default_rng(5)
    common = rng.normal(100, 10, 8)
    frames = []
    for name, effect in (("status_quo", 0.0), ("blanket", 3.0), ("risk_targeted", 6.0)):
        for kpi, scale in (("net_margin", 1.0), ("revenue", 2.0), ("churn_rate", 0.001)):
            vals = (common + effect + rng.normal(0, 1, 8)) * scale
            frames.append(pd.DataFrame({"policy": name, "replication": range(8), "kpi": kpi, "value": vals}))
    return Comparison(pd.concat(frames, ignore_index=True), baseline="status_quo")


def test_comparison_checks_its_inputs():
    comp = _comparison()
    with pytest.raises(ValueError, match="baseline 'nope'"):
        Comparison(comp.replications, baseline="nope")
    with pytest.raises(ValueError, match="missing column"):
        Comparison(comp.replications.drop(columns="kpi"), baseline="status_quo")
    assert "replications=8" in repr(comp)


def test_plot_has_titles_and_labels(monkeypatch):
    monkeypatch.delenv("KAMSIM_LANG", raising=False)
    comp = _comparison()
    fig = comp.plot()
    axes = fig.axes
    assert len(axes) == 4  # 2 rows x the headline KPIs present: net_margin, revenue
    for ax in axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert axes[0].get_ylabel() == "Net margin (CU)" and axes[0].get_title() == "Net margin"
    plt.close(fig)
    fig = comp.plot(kpis=["churn_rate"])
    assert len(fig.axes) == 2 and fig.axes[0].get_title() == "Churn rate"
    # long axis labels break before the unit, so they never outgrow the panel
    assert fig.axes[0].get_ylabel() == "Churn rate (share of accounts)"
    assert fig.axes[1].get_xlabel() == "policy − status_quo\n(share of accounts)"
    plt.close(fig)
    with pytest.raises(ValueError, match="unknown KPI"):
        comp.plot(kpis=["profit"])
    fig = comp.plot_relative()
    assert fig.axes[0].get_xlabel().endswith("(% of baseline mean)")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Net margin", "Revenue", "Churn rate"]
    plt.close(fig)


def test_plot_labels_follow_the_edition_in_chinese(monkeypatch):
    from kamsim.course import setup

    setup()  # the course style: a CJK font, so Chinese labels are drawn (not boxes)
    comp = _comparison()
    monkeypatch.setenv("KAMSIM_LANG", "zh_CN")
    fig = comp.plot(kpis=["net_margin", "churn_rate"])
    top, bottom = fig.axes[0], fig.axes[2]
    assert top.get_title() == "净毛利" and top.get_ylabel() == "净毛利（CU）" and top.get_xlabel() == "策略组合"
    assert bottom.get_title() == "净毛利\n与 status_quo 的配对差异"
    assert fig.axes[1].get_ylabel() == "流失率（占客户比例）"  # short enough for one line
    assert "置信区间" in fig.get_suptitle()
    plt.close(fig)
    fig = comp.plot_relative()
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["净毛利", "销售额", "流失率"]
    plt.close(fig)
    fig = comp.plot(kpis=["net_margin"], locale="en_US")  # an explicit locale wins over the edition
    assert fig.axes[0].get_title() == "Net margin"
    plt.close(fig)


def test_chinese_labels_fall_back_to_english_without_a_cjk_font(monkeypatch):
    from kamsim.experiment import plots

    monkeypatch.setattr(plots, "_font_has_chinese", lambda: False)
    fig = _comparison().plot(kpis=["net_margin"], locale="zh_CN")
    assert fig.axes[0].get_title() == "Net margin"
    plt.close(fig)


def test_policy_tick_labels_do_not_overlap():
    frames = [pd.DataFrame({"policy": name, "replication": range(3), "kpi": "revenue", "value": [1.0, 2.0, 3.0]})
              for name in ("ABC tiers", "equal hours", "value x potential", "screening")]
    comp = Comparison(pd.concat(frames, ignore_index=True), baseline="ABC tiers")
    fig = comp.plot(kpis=["revenue"], locale="en_US")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    ticks = ax.transData.transform([(x, 0.0) for x in ax.get_xticks()])[:, 0]
    boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels()]
    assert len(boxes) == 4
    # rotated labels end at their own tick: a long name runs down-left, never across its neighbour's text
    for tick, box in zip(ticks, boxes):
        assert box.x1 <= tick + 8
    plt.close(fig)


def test_to_dir_writes_csv_and_png(tmp_path):
    comp = _comparison()
    out = comp.to_dir(tmp_path / "deep" / "result")
    names = sorted(p.name for p in out.iterdir())
    assert names == ["comparison.json", "comparison.png", "paired.csv", "paired_relative.png", "replications.csv",
                     "summary.csv"]
    back = pd.read_csv(out / "replications.csv")
    assert np.allclose(back["value"], comp.replications["value"])
    assert len(pd.read_csv(out / "paired.csv")) == 2 * 3
    # an earlier result is replaced only with overwrite=True; other folders are never touched
    with pytest.raises(FileExistsError, match="overwrite=True"):
        comp.to_dir(out)
    (out / "replications.csv").write_text("stale", encoding="utf-8")
    comp.to_dir(out, overwrite=True)
    assert pd.read_csv(out / "replications.csv").shape == comp.replications.shape
    assert [p.name for p in tmp_path.joinpath("deep").iterdir()] == ["result"]  # no temporary folders left
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not a kamsim result"):
        comp.to_dir(other, overwrite=True)
    assert [p.name for p in other.iterdir()] == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert (comp.to_dir(empty) / "summary.csv").is_file()


def test_to_dir_leaves_nothing_on_error(tmp_path, monkeypatch):
    comp = _comparison()

    def broken(*args, **kwargs):
        raise RuntimeError("plotting failed")

    monkeypatch.setattr(Comparison, "plot_relative", broken)
    with pytest.raises(RuntimeError, match="plotting failed"):
        comp.to_dir(tmp_path / "new" / "out")
    assert list(tmp_path.iterdir()) == []


def test_compare_scenarios_pairs_replications_across_scenarios():
    from kamsim import Scenario
    from kamsim.experiment import compare_scenarios

    base = Scenario(months=6)
    comp = compare_scenarios(
        {"2 handlers": base.updated({"complaints.handlers": 2}), "1 handler": base.updated({"complaints.handlers": 1})},
        portfolio=60,
        replications=3,
        seed=4,
        progress=False,
        kpis=["mean_complaint_wait_days", "revenue"],
    )
    assert comp.baseline == "2 handlers"
    assert list(comp.policies) == ["2 handlers", "1 handler"]
    paired = comp.paired()
    wait = paired[paired["kpi"] == "mean_complaint_wait_days"]["diff_mean"].iloc[0]
    assert wait > 0  # fewer handlers, longer waits
    # Common random numbers: a scenario equal to the baseline gives zero differences.
    same = compare_scenarios({"a": base, "b": base}, portfolio=60, replications=2, seed=4, progress=False)
    assert (same.paired()["diff_mean"].abs() < 1e-9).all()


def test_compare_scenarios_rejects_bad_input_before_running():
    from kamsim.experiment import compare_scenarios

    with pytest.raises(ValueError, match="non-empty dict"):
        compare_scenarios({})
    with pytest.raises(ValueError, match=r"scenarios\['bad'\]"):
        compare_scenarios({"bad": "no/such/file.yaml"})
    with pytest.raises(ValueError, match="baseline 'x' is not one of the scenarios"):
        compare_scenarios({"a": {}}, baseline="x")
    with pytest.raises(ValueError, match="unknown policy"):
        compare_scenarios({"a": {}}, policy="nope")
