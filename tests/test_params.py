"""The parameter registry, scenarios and -p overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.errors import InputError
from analysis.inputs.params import list_scenarios, load_scenario, registry, resolve


def test_registry_has_the_foundation_parameters_with_sourced_defaults() -> None:
    params = registry()
    # Figures from the DeepSeek-V3 report, Table 1.
    assert params["gpu_hour_usd"].default == 2.0
    assert params["v3_pretrain_gpu_hours"].default == 2_664_000
    assert params["v3_context_ext_gpu_hours"].default == 119_000
    assert params["v3_post_training_gpu_hours"].default == 5_000
    for p in params.values():
        assert p.help and p.source_id, p.name


def test_defaults_lie_inside_bounds() -> None:
    for p in registry().values():
        if p.type != "choice":
            assert (p.min is None or p.default >= p.min) and (p.max is None or p.default <= p.max), p.name


def test_command_line_beats_scenario_beats_default(tmp_path: Path) -> None:
    scenario = tmp_path / "mine.yaml"
    scenario.write_text("title: t\nparameters:\n  gpu_hour_usd: 2.5\n  utilisation: 0.5\n")
    resolved = resolve(str(scenario), ["gpu_hour_usd=3"])
    assert resolved.values["gpu_hour_usd"] == 3.0
    assert resolved.origins["gpu_hour_usd"] == "command line"
    assert resolved.values["utilisation"] == 0.5
    assert resolved.origins["utilisation"] == "scenario:mine"
    assert resolved.origins["seed"] == "default"
    assert set(resolved.overrides()) == {"gpu_hour_usd", "utilisation"}


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("gpu_hour_us=3", r"unknown parameter 'gpu_hour_us'; did you mean gpu_hour_usd"),
        ("gpu_hour_usd=cheap", r"parameter gpu_hour_usd: expected a number"),
        ("gpu_hour_usd=-1", r"parameter gpu_hour_usd: -1 is outside its bounds"),
        ("v3_pretrain_gpu_hours=0", r"parameter v3_pretrain_gpu_hours: 0 is outside its bounds"),
        ("gpu_hour_usd=nan", r"expected a finite number"),
        ("gpu_hour_usd=inf", r"expected a finite number"),
        ("training_gpus=2.5", r"expected a whole number"),
        ("peak_flops_basis=fp4", r"expected one of bf16, fp8"),
        ("gpu_hour_usd", r"expected NAME=VALUE"),
    ],
)
def test_bad_overrides_name_the_parameter(assignment: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        resolve(None, [assignment])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("parameters: [1, 2", r"mine.yaml:\d+: not valid YAML"),
        ("- a\n- b\n", r"expected a mapping"),
        ("paramters:\n  gpu_hour_usd: 2\n", r"unknown key\(s\) 'paramters'"),
        ("parameters:\n  gpu_hours_usd: 2\n", r"unknown parameter 'gpu_hours_usd'; did you mean gpu_hour_usd"),
        ("parameters:\n  gpu_hour_usd: [1]\n", r"parameter gpu_hour_usd: expected a number"),
        ("parameters:\n  gpu_hour_usd: true\n", r"parameter gpu_hour_usd: expected a number"),
        ("parameters: 3\n", r"'parameters' must be a mapping"),
    ],
)
def test_bad_scenario_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        resolve(str(path))


def test_missing_scenario_lists_the_shipped_ones() -> None:
    with pytest.raises(InputError, match=r"scenario 'nope': file scenarios/nope.yaml not found; shipped scenarios: "):
        load_scenario("nope")


def test_shipped_scenarios_resolve() -> None:
    for name in list_scenarios():
        resolved = resolve(name)
        assert resolved.scenario == name
