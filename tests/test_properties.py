"""Property-based tests of the three parsers a user's input reaches (issue 21): `-p NAME=VALUE` values, scenario
files and model configs. Whatever they are given, they return a valid value or raise InputError naming the
culprit, never another exception, a non-finite number or a count beyond any real model.

Hypothesis is pinned (requirements.txt), runs derandomised (the same examples on every run, so CI is
reproducible) and generates 1,200 examples per run across the three parsers.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.errors import InputError
from analysis.inputs.params import load_scenario, registry
from analysis.model import architecture as arch
from analysis.paths import DATA_DIR

PROPERTY = settings(max_examples=400, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
PARAMS = registry()
NAMES = sorted(PARAMS)

# Anything a command line or a YAML file can carry as one value.
NUMBERS = st.one_of(st.integers(min_value=-(10**30), max_value=10**30), st.floats(allow_nan=True, allow_infinity=True))
TEXT_NUMBERS = st.one_of(
    NUMBERS.map(str), st.text(max_size=12),
    st.sampled_from(["nan", "inf", "-inf", "1e400", "1_000", "0x10", " 2 ", "", "2.0.0", "1e-400", "NaN", "Infinity"]),
)
SCALARS = st.one_of(NUMBERS, TEXT_NUMBERS, st.booleans(), st.none())
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                      max_leaves=6)


@PROPERTY
@given(name=st.sampled_from(NAMES), raw=st.one_of(VALUES, TEXT_NUMBERS))
def test_a_parameter_value_is_valid_or_refused_by_name(name: str, raw: Any) -> None:
    param = PARAMS[name]
    try:
        value = param.coerce(raw, "-p")
    except InputError as exc:
        message = str(exc)
        assert message.startswith(f"-p: parameter {name}: ") and "\n" not in message and len(message) < 300
        return
    if param.type == "choice":
        assert value in param.choices
        return
    assert isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    assert (param.min is None or value >= param.min) and (param.max is None or value <= param.max)
    assert param.type != "int" or isinstance(value, int)


# Scenario files: YAML built from pieces a user (or an attacker) might write, aliases and duplicates included.
KEYS = st.one_of(st.sampled_from(["title", "description", "parameters", "paramters", "gpu_hour_usd", "fleet_h20"]), st.text(max_size=6))
YAML_SCALARS = st.one_of(
    st.sampled_from(["2", "3.5", ".nan", ".inf", "-.inf", "yes", "~", "null", "'x'", "1e400", "&a 1", "*a", "[1, 2]", "{a: 1}",
                     "as_paid", "!!python/object:os.system ls", "\"\\u0000\""]),
    NUMBERS.map(str), st.text(max_size=8).map(json.dumps),
)


@st.composite
def scenario_texts(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 4))):
        key = draw(KEYS)
        if draw(st.booleans()):
            lines.append(f"{json.dumps(key)}: {draw(YAML_SCALARS)}")
        else:
            lines.append(f"{json.dumps(key)}:")
            for _ in range(draw(st.integers(0, 3))):
                inner = draw(st.one_of(st.sampled_from(NAMES), KEYS))
                lines.append(f"  {json.dumps(inner)}: {draw(YAML_SCALARS)}")
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["---", "- a", "%YAML 1.1", "\t", ": :", "? [1]", "&x"])))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


@PROPERTY
@given(text=scenario_texts())
def test_a_scenario_file_is_valid_or_refused_by_file(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = tmp_path_factory.mktemp("scenario") / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        scenario = load_scenario(str(path))
    except InputError as exc:
        message = str(exc)
        assert str(path) in message and "\n" not in message and len(message) < 400
        return
    assert scenario.parameters and isinstance(scenario.title, str) and isinstance(scenario.description, str)
    for name, raw in scenario.parameters.items():
        try:
            PARAMS[str(name)].coerce(raw, str(path)) if str(name) in PARAMS else None
        except InputError:
            pass  # refused later, by name, when the scenario is resolved


# Model configs: real configs with fields changed, dropped or set to values a hand edit could leave.
REAL = {p.stem: json.loads(p.read_text()) for p in sorted((DATA_DIR / "models").glob("*.json"))}
CONFIG_VALUES = st.one_of(
    st.integers(min_value=-4, max_value=2**22), st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(), st.text(max_size=4),
    st.lists(st.integers(-2, 200), max_size=4),
)


def _fields(raw: dict[str, Any]) -> list[str]:
    return sorted(raw) + [f"text_config.{k}" for k in sorted(raw.get("text_config", {}))]


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    raw = json.loads(json.dumps(REAL[draw(st.sampled_from(sorted(REAL)))]))
    for _ in range(draw(st.integers(1, 3))):
        field = draw(st.sampled_from(_fields(raw)))
        target, key = (raw["text_config"], field.split(".", 1)[1]) if field.startswith("text_config.") else (raw, field)
        if draw(st.integers(0, 4)) == 0:
            target.pop(key, None)
        else:
            target[key] = draw(CONFIG_VALUES)
    return raw


@PROPERTY
@given(raw=configs())
def test_a_model_config_is_counted_or_refused_by_field(raw: dict[str, Any]) -> None:
    try:
        cfg = arch.parse_config(raw, name="mine.json")
    except InputError as exc:
        message = str(exc)
        assert message.startswith("mine.json: ") and "\n" not in message and len(message) < 400
        return
    b = arch.breakdown(cfg)
    assert 0 < b.active <= b.total <= arch.MAX_PARAMS
    assert arch.kv_cache_bytes_per_token(cfg, 2) >= 0 and math.isfinite(arch.flops_per_token(cfg, 4096))
