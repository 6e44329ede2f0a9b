"""Scenario: defaults, documentation of every field, range checks naming the field, YAML/TOML loading."""

from __future__ import annotations

import numpy as np
import pytest

from kamsim.scenario import Scenario
from kamsim.vocabulary import COMPLAINT_STAGES
from kamsim.schema import STAGES


def test_defaults_are_valid_and_documented():
    table = Scenario.describe()
    assert len(table) > 60
    assert table["field"].is_unique
    # every leaf field has a unit and a description
    assert (table["unit"].str.len() > 0).all()
    assert (table["description"].str.len() > 0).all()
    assert "see parent" not in " ".join(table["unit"])
    assert {"months", "complaints.base_rate", "lifecycle.churn_hazard.at_risk", "lifecycle.constant_hazards"} <= set(table["field"])


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"complaints": {"base_rate": -0.1}}, "complaints.base_rate"),
        ({"contracts": {"renewal_prob": 1.5}}, "contracts.renewal_prob"),
        ({"lifecycle": {"churn_hazard": {"at_risk": 1.2}}}, "lifecycle.churn_hazard.at_risk"),
        ({"orders": {"rate": {"mature": -2}}}, "orders.rate.mature"),
        ({"months": 0}, "months"),
        ({"complaints": {"handlers": 0}}, "complaints.handlers"),
        ({"complaints": {"stage_days": {"investigate": -1}}}, "complaints.stage_days.investigate"),
        ({"interactions": {"visit_hours": 0}}, "interactions.visit_hours"),
        ({"complaints": {"handling": "lognormal"}}, "complaints.handling"),
    ],
)
def test_bad_values_name_the_field(data, field):
    with pytest.raises(ValueError, match=rf"{field}\b"):
        Scenario.from_dict(data)
    with pytest.raises(ValueError, match=rf"{field}\b"):  # the constructor too (pydantic's ValidationError is a ValueError)
        Scenario(**data)


def test_unknown_fields_are_rejected():
    with pytest.raises(ValueError, match=r"complaints\.handler_count: unknown field"):
        Scenario.from_dict({"complaints": {"handler_count": 3}})
    with pytest.raises(ValueError, match=r"mnths: unknown field"):
        Scenario.from_dict({"mnths": 3})


def test_assignment_is_validated():
    s = Scenario()
    with pytest.raises(ValueError, match="base_rate"):
        s.complaints.base_rate = -1.0


def test_transition_probabilities_are_checked():
    with pytest.raises(ValueError, match=r"lifecycle\.transition_probs.*unknown stage 'dead'"):
        Scenario.from_dict({"lifecycle": {"transition_probs": {"mature": {"dead": 0.1}}}})
    with pytest.raises(ValueError, match=r"mature: probabilities sum to 1\.2 > 1"):
        Scenario.from_dict({"lifecycle": {"transition_probs": {"mature": {"at_risk": 0.7, "lost": 0.5}}}})
    with pytest.raises(ValueError, match=r"at_risk -> lost: probability -0\.1"):
        Scenario.from_dict({"lifecycle": {"transition_probs": {"at_risk": {"lost": -0.1}}}})
    p = Scenario().lifecycle.transition_matrix()
    assert p.shape == (len(STAGES), len(STAGES))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert (p >= 0).all()


def test_stage_durations_sum_to_positive_total():
    with pytest.raises(ValueError, match="stage_days"):
        Scenario.from_dict({"complaints": {"stage_days": {s: 0.0 for s in COMPLAINT_STAGES}}})
    assert Scenario().complaints.stage_days.total_days() == pytest.approx(8.0)


def test_handlers_default_scales_with_portfolio():
    c = Scenario().complaints
    assert c.n_handlers(1000) == 15
    assert c.n_handlers(100) == 2  # rounded up
    assert c.n_handlers(10) == 1
    assert Scenario(complaints={"handlers": 4}).complaints.n_handlers(1000) == 4


def test_dict_roundtrip_and_dotted_update():
    s = Scenario(months=18, complaints={"handlers": 3})
    again = Scenario.from_dict(s.to_dict())
    assert again == s
    u = s.updated({"complaints.base_rate": 0.2, "lifecycle.churn_hazard.mature": 0.01})
    assert u.complaints.base_rate == 0.2 and u.lifecycle.churn_hazard.mature == 0.01
    assert s.complaints.base_rate == 0.05  # the original is unchanged
    with pytest.raises(ValueError, match="unknown section 'complaint'"):
        s.updated({"complaint.base_rate": 0.1})
    with pytest.raises(ValueError, match="complaints.base_rate"):
        s.updated({"complaints.base_rate": -3})


def test_yaml_file(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: test\nmonths: 12\ncomplaints:\n  handlers: 2\n  base_rate: 0.1\n", encoding="utf-8")
    s = Scenario.from_file(path)
    assert (s.name, s.months, s.complaints.handlers, s.complaints.base_rate) == ("test", 12, 2, 0.1)
    out = tmp_path / "copy.yml"
    Scenario(months=7).to_yaml(out)
    assert Scenario.from_file(out).months == 7


def test_toml_file(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('months = 24\n[lifecycle]\nconstant_hazards = true\n[lifecycle.transition_probs]\nmature = {lost = 0.02}\n', encoding="utf-8")
    s = Scenario.from_file(path)
    assert s.months == 24 and s.lifecycle.constant_hazards
    assert s.lifecycle.transition_probs == {"mature": {"lost": 0.02}}


def test_file_errors_name_file_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("contracts:\n  renewal_prob: 2\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.yaml: contracts\.renewal_prob"):
        Scenario.from_file(bad)
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("[orders]\nbase_discount = -0.5\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.toml: orders\.base_discount"):
        Scenario.from_file(bad_toml)
    broken = tmp_path / "broken.toml"
    broken.write_text("months = = 3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.toml: invalid TOML"):
        Scenario.from_file(broken)
    broken_yaml = tmp_path / "broken.yaml"
    broken_yaml.write_text("months: [1,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.yaml: invalid YAML"):
        Scenario.from_file(broken_yaml)
    not_mapping = tmp_path / "list.yaml"
    not_mapping.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"list\.yaml: expected a mapping"):
        Scenario.from_file(not_mapping)
    with pytest.raises(ValueError, match=r"missing\.yaml: cannot read"):
        Scenario.from_file(tmp_path / "missing.yaml")
    with pytest.raises(ValueError, match=r"s\.json: scenario files must end in"):
        Scenario.from_file(tmp_path / "s.json")


def test_empty_file_is_an_error_but_an_empty_mapping_gives_defaults(tmp_path):
    # issue 15: an empty or comment-only file used to run the defaults silently
    for name, text in (("empty.yaml", ""), ("comments.yaml", "# only a comment\n"), ("empty.toml", "# nothing\n")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ValueError, match=rf"{name}: empty scenario file"):
            Scenario.from_file(path)
    assert Scenario.from_dict(None) == Scenario.from_dict({}) == Scenario()  # the API keeps its defaults


def test_docs_list_every_parameter():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "engine.md").read_text(encoding="utf-8")
    missing = [f for f in Scenario.describe()["field"] if f"`{f}`" not in doc]
    assert not missing, f"docs/engine.md does not document {missing}"


def test_partial_stage_mapping_keeps_other_stage_defaults():
    default = Scenario().lifecycle.churn_hazard
    changed = Scenario(lifecycle={"churn_hazard": {"at_risk": 0.08}}).lifecycle.churn_hazard
    assert changed.at_risk == 0.08
    assert changed.mature == default.mature > 0
    assert changed.new == default.new > 0


def test_partial_stage_mapping_from_yaml_keeps_defaults(tmp_path):
    path = tmp_path / "war.yaml"
    path.write_text("lifecycle:\n  decline_prob:\n    mature: 0.05\n", encoding="utf-8")
    loaded = Scenario.from_file(path).lifecycle.decline_prob
    assert loaded.mature == 0.05
    assert loaded.growing == Scenario().lifecycle.decline_prob.growing > 0


def test_per_stage_sections_list_exactly_the_customer_stages():
    from kamsim.scenario import StageProbabilities, StageValues
    from kamsim.vocabulary import CUSTOMER_STAGES

    assert tuple(StageProbabilities.model_fields) == CUSTOMER_STAGES
    assert tuple(StageValues.model_fields) == CUSTOMER_STAGES
