"""The "Write your own policy" example of docs/policies.md works as documented."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kamsim.policies import PolicyBundle, RetentionPolicy

HERE = Path(__file__).resolve().parent
DOC = HERE.parents[0] / "docs" / "policies.md"


def _load_make_state():
    """``make_state`` of test_policies.py, loaded by path (works with or without a tests package)."""
    spec = importlib.util.spec_from_file_location("_kamsim_test_policies", HERE / "test_policies.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_state


make_state = _load_make_state()


def _section_blocks() -> list[str]:
    """The python code blocks of the "Write your own policy" section."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Write your own policy", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


@pytest.fixture(scope="module")
def namespace() -> dict:
    blocks = _section_blocks()
    assert len(blocks) == 2, "the section shows the policy, then how to run it"
    ns: dict = {}
    exec(compile(blocks[0], f"{DOC}:write-your-own", "exec"), ns)
    return ns


def test_example_policy_is_a_retention_policy(namespace):
    cls = namespace["UnhappyCustomerCall"]
    assert issubclass(cls, RetentionPolicy)
    policy = cls(below=7.0, hours_per_account=2.0, budget_hours=100.0)
    assert policy.get_params() == {"below": 7.0, "hours_per_account": 2.0, "budget_hours": 100.0, "cost_per_hour": 80.0}
    assert repr(policy).startswith("UnhappyCustomerCall(below=7.0")


def test_example_policy_decisions(namespace):
    state = make_state()  # satisfaction 8.5 6 4 7 7.5 2 NA 6.5; A00006 is lost, A00007 a prospect
    hours = namespace["UnhappyCustomerCall"](below=7.0, hours_per_account=2.0, budget_hours=100.0).retain(state)
    assert hours.index.equals(state.index) and hours.dtype == np.float64
    assert hours[hours > 0].index.tolist() == ["A00002", "A00003", "A00008"]
    capped = namespace["UnhappyCustomerCall"](below=7.0, hours_per_account=2.0, budget_hours=3.0).retain(state)
    assert capped.loc[["A00003", "A00002", "A00008"]].tolist() == [2.0, 1.0, 0.0]  # least satisfied first


def test_example_bundle_runs_a_month(namespace):
    bundle = namespace["bundle"]
    assert isinstance(bundle, PolicyBundle) and bundle.name == "unhappy_call"
    out = bundle.decide(make_state(), 80.0)
    assert out["retention_hours"].tolist() == pytest.approx([0, 0, 1.5, 0, 0, 0, 0, 0])  # satisfaction < 5
    assert out["allocated_hours"].sum() == pytest.approx(80.0)


def test_example_runs_in_the_engine(namespace):
    kamsim = pytest.importorskip("kamsim")
    engine = pytest.importorskip("kamsim.engine")
    if not hasattr(engine, "simulate"):
        pytest.skip("kamsim.engine.simulate not available yet")
    ns = dict(namespace)
    exec(compile(_section_blocks()[1], f"{DOC}:use-it", "exec"), ns)
    kpis = ns["result"].kpis()
    assert kpis["retention_cost"] >= 0
    assert isinstance(kpis, pd.Series)
