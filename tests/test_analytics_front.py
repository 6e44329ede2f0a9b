"""The kamsim.analytics front: one table of contents (TOPICS) drives the names, lazy loading and docs/analytics.md."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import kamsim.analytics as analytics
from kamsim.analytics import INPUTS, TOPICS, toc

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kamsim" / "analytics"

#: Every name kamsim.analytics exported before the renovation (issue 11); notebooks, exercises and policies use them.
EXPORTED = {
    "BetaGeoFitter", "ConvergenceError", "GammaGammaFitter", "abc_classes", "abc_summary", "account_snapshot",
    "acquisition_retention_costs", "as_transactions", "attainment_score", "breakeven_volume_increase",
    "check_transactions", "churn_by_satisfaction", "churn_durations", "clv", "cohort_retention", "cohort_revenue",
    "complaint_stats", "complaint_table", "contact_frequency", "contribution_table", "coverage_matrix", "credit_flags",
    "customer_totals", "degrade", "discount_table", "effort_by_stage", "forecast_accuracy", "forecast_revenue", "gini",
    "holdout_forecast", "jaccard", "kam_matrix", "kaplan_meier", "kpi_scorecard", "kpi_targets", "later_churn",
    "lorenz_curve", "manager_workload", "median_survival", "mix_gaps", "needs_signals", "nps", "nps_table",
    "product_mix", "read_transactions", "realised_discount", "relationship_depth", "retention_by",
    "retention_by_contact", "revenue_trend", "rfm_scores", "rfm_table", "satisfaction_trend", "screening_scorecard",
    "selection_overlap", "share_of_wallet", "stage_history", "stage_occupancy", "target_attainment", "top_set",
    "top_share", "transition_matrix", "value_potential_tiers",
}  # fmt: skip

#: Public functions of the TOC modules that stay in their module (documented there, not re-exported).
MODULE_ONLY = {
    "io": {"period_ordinal", "period_start", "typed_empty"},
    "retention": {"stage_at", "wilson_interval"},
    "satisfaction": {"nps_category", "satisfaction_band", "survey_scores"},
    "satisfaction_churn": {"account_satisfaction_churn"},
}

TOC_NAMES = [(topic, name, module) for topic, names in TOPICS.items() for name, module in names.items()]


def test_docs_contents_are_up_to_date():
    page = (ROOT / "docs" / "analytics.md").read_text(encoding="utf-8")
    assert toc.render(page) == page, "docs/analytics.md: contents out of date; run python -m kamsim.analytics.toc"


def test_every_public_name_is_in_the_toc_once():
    listed = [name for _, name, _ in TOC_NAMES]
    assert len(listed) == len(set(listed)), "a name is listed under two topics"
    assert EXPORTED <= set(listed), f"missing from kamsim.analytics.TOPICS: {sorted(EXPORTED - set(listed))}"
    assert sorted(analytics.__all__) == sorted(listed)
    assert list(INPUTS) == list(TOPICS), "every topic needs its INPUTS line"


@pytest.mark.parametrize(("topic", "name", "module"), TOC_NAMES, ids=[n for _, n, _ in TOC_NAMES])
def test_toc_names_import(topic, name, module):
    defined = getattr(importlib.import_module(f"kamsim.analytics.{module}"), name)
    assert getattr(analytics, name) is defined
    assert f":obj:`{name}`" in analytics.__doc__


def test_module_public_functions_are_in_the_toc():
    listed = {(module, name) for _, name, module in TOC_NAMES}
    for module_name in sorted({module for _, _, module in TOC_NAMES}):
        module = importlib.import_module(f"kamsim.analytics.{module_name}")
        public = {
            name
            for name, obj in vars(module).items()
            if not name.startswith("_")
            and (inspect.isfunction(obj) or inspect.isclass(obj))
            and obj.__module__ == module.__name__
        }
        unlisted = public - {name for m, name in listed if m == module_name} - MODULE_ONLY.get(module_name, set())
        assert not unlisted, f"kamsim.analytics.{module_name}: add {sorted(unlisted)} to TOPICS (or to MODULE_ONLY)"


def test_star_import_and_attributes():
    namespace: dict[str, object] = {}
    exec("from kamsim.analytics import *", namespace)
    assert set(analytics.__all__) <= set(namespace)
    assert analytics.rfm.SEGMENTS_ZH["champions"]  # submodules are attributes, loaded on first use
    assert {"abc_classes", "relationships", "TOPICS"} <= set(dir(analytics))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        analytics.nope  # noqa: B018


def _loaded_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(out.stdout.split())


def test_one_name_loads_one_module():
    loaded = _loaded_after("import kamsim.analytics\nfrom kamsim.analytics import abc_classes")
    modules = {f"kamsim.analytics.{m}" for _, _, m in TOC_NAMES}
    assert loaded & modules == {"kamsim.analytics.concentration"}
    assert "kamsim.analytics.lifetime_value" not in loaded
    assert "kamsim.analytics.relationships" not in loaded


def test_the_package_does_not_load_matplotlib():
    loaded = _loaded_after("from kamsim.analytics import *")
    assert "matplotlib" not in loaded


def test_no_module_imports_another_modules_private_name():
    offences = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kamsim.analytics."):
                if node.module.rsplit(".", 1)[1].startswith("_"):
                    continue  # a private module exists to be shared inside the package
                offences += [f"{path.name}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    assert not offences, offences


def test_modules_stay_small():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.glob("*.py")}
    assert max(sizes.values()) <= 400, {name: n for name, n in sizes.items() if n > 400}
