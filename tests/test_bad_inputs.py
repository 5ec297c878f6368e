"""The bad-input battery: every case exits 2 with one line naming the culprit, no traceback,
before any notebook runs, and leaves the published book untouched."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, snapshot

PARAMETER_CASES = [
    (["-p", "gpu_hour_us=3"], "unknown parameter 'gpu_hour_us'; did you mean gpu_hour_usd"),
    (["-p", "totally_unknown=3"], "unknown parameter 'totally_unknown'"),
    (["-p", "gpu_hour_usd=three"], "parameter gpu_hour_usd: expected a number"),
    (["-p", "gpu_hour_usd="], "parameter gpu_hour_usd: expected a number"),
    (["-p", "gpu_hour_usd=nan"], "parameter gpu_hour_usd: expected a finite number"),
    (["-p", "fleet_h20=inf"], "parameter fleet_h20: expected a finite number"),
    (["-p", "price_h800_usd=-inf"], "parameter price_h800_usd: expected a finite number"),
    (["-p", "gpu_hour_usd=-2"], "parameter gpu_hour_usd: -2 is outside its bounds"),
    (["-p", "v3_pretrain_gpu_hours=0"], "parameter v3_pretrain_gpu_hours: 0 is outside its bounds"),
    (["-p", "utilisation=1.5"], "parameter utilisation: 1.5 is outside its bounds"),
    (["-p", "mc_samples=-5"], "parameter mc_samples: -5 is outside its bounds"),
    (["-p", "training_gpus=2048.5"], "parameter training_gpus: expected a whole number"),
    (["-p", "peak_flops_basis=int4"], "parameter peak_flops_basis: expected one of bf16, fp8"),
    (["-p", "gpu_hour_usd"], "-p 'gpu_hour_usd': expected NAME=VALUE"),
    (["-p", "gpu_hour_usd=1e400"], "parameter gpu_hour_usd: expected a finite number"),
    (["-p", "gpu_price_basis=as paid"], "parameter gpu_price_basis: expected one of as_paid, replacement_2025"),
    (["-p", "interconnect_share=0.2"], "parameter 'interconnect_share' was retired"),
    # Each valid alone, not together (found by sweeping every bound; each failed deep in a chapter before).
    (["-p", "mfu_plausible_min=0.5", "-p", "mfu_plausible_max=0.3"],
     "mfu_plausible_min=0.5 (command line) is above mfu_plausible_max=0.3 (command line)"),
    (["-p", "fleet_a100=0", "-p", "fleet_h800=0", "-p", "fleet_h100=0", "-p", "fleet_h20=0"],
     "fleet_a100, fleet_h800, fleet_h100, fleet_h20 are all 0"),
    (["-p", "power_usd_per_kwh=0"], "parameter power_usd_per_kwh: 0 is outside its bounds"),
    (["-p", "mc_samples=1"], "parameter mc_samples: 1 is outside its bounds"),
    (["-p", "night_lending_share=0.5"], "parameter 'night_lending_share' is not an input"),
    (["-p", "cpu_nodes=50.5"], "parameter cpu_nodes: expected a whole number"),
]

SCENARIO_CASES = [
    ("parameters:\n  gpu_hour_usd: [2, 3\n", "not valid YAML"),
    ("paramters:\n  gpu_hour_usd: 2\n", "unknown key(s) 'paramters'"),
    ("parameters:\n  gpu_hours_usd: 2\n", "unknown parameter 'gpu_hours_usd'; did you mean gpu_hour_usd"),
    ("parameters:\n  gpu_hour_usd: [2]\n", "parameter gpu_hour_usd: expected a number"),
    ("parameters:\n  gpu_hour_usd: yes\n", "parameter gpu_hour_usd: expected a number"),
    ("parameters: 5\n", "'parameters' must be a mapping"),
    ("- just\n- a list\n", "expected a mapping"),
    # Issue 21: what YAML lets through silently.
    ("parameters:\n  gpu_hour_usd: 2\n  gpu_hour_usd: 3\n", ":3: duplicate key 'gpu_hour_usd' (first on line 2)"),
    ("title: a\ntitle: b\nparameters:\n  gpu_hour_usd: 2\n", ":2: duplicate key 'title' (first on line 1)"),
    ("", "the file is empty"),
    ("# only a comment\n", "the file is empty"),
    ("title: nothing set\n", "sets no parameters"),
    ("parameters:\n", "sets no parameters"),
    ("x: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\nparameters:\n  gpu_hour_usd: *a\n", ":3: aliases (*name) are not allowed"),
    ("parameters:\n  gpu_hour_usd: .nan\n", "parameter gpu_hour_usd: expected a finite number"),
    ("parameters:\n  fleet_h20: -.inf\n", "parameter fleet_h20: expected a finite number"),
    ("parameters:\n  gpu_hour_usd: " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
    ("title: [1, 2]\nparameters:\n  gpu_hour_usd: 2\n", "'title' must be text"),
    ("parameters:\n  gpu_hour_usd: " + "9" * 400 + "\n", "parameter gpu_hour_usd: expected a finite number"),
]

# (file, text to replace, replacement, expected message)
DATA_CASES = [
    ("gpus.csv", "gpu,name,bf16_tflops", "gpu,name,bf16", "gpus.csv:1: missing column(s) bf16_tflops"),
    ("gpus.csv", "H800 SXM,989", "H800 SXM,fast", "gpus.csv:4:bf16_tflops: expected a number, got 'fast'"),
    ("gpus.csv", ",B,epoch_chips,\"China-market H100", ",B,nowhere,\"China-market H100", "gpus.csv:4:source_id: unknown source id 'nowhere'"),
    ("claims.csv", "v3_gpus_2048,", "v3_cost_6m,", "claims.csv:3:id: duplicate key 'v3_cost_6m' (first on line 2)"),
    ("sources.csv", "2024-12-27,A", "2024-12-27,Z", "sources.csv:3:confidence: expected confidence A, B, C or D"),
    ("sources.csv", "2024-12-27,A", "27/12/2024,A", "sources.csv:3:date: expected a date"),
    ("uncertainty.csv", "fleet_h20,H20 count,triangular,0,30000,60000", "fleet_h20,H20 count,triangular,70000,30000,60000",
     "uncertainty.csv:5:low: low (70000) is greater than high (60000)"),
    ("uncertainty.csv", "pue,PUE,triangular", "pue,PUE,weibull", "uncertainty.csv:16:distribution: unknown distribution 'weibull'"),
    ("parameters.csv", "gpu_hour_usd,float,2.0,", "gpu_hour_usd,float,-1,", "parameters.csv:2:default: parameter gpu_hour_usd: -1 is outside"),
    ("models/deepseek_v3.json", '"hidden_size": 7168', '"hidden_size": -7168', "deepseek_v3.json: field 'hidden_size' must be positive"),
    ("models/mixtral_8x7b.json", '"num_key_value_heads": 8', '"num_key_value_heads": 5',
     "mixtral_8x7b.json: field 'num_attention_heads' (32) is not a multiple of 'num_key_value_heads' (5)"),
    ("models/llama_3_1_405b.json", '"model_type": "llama"', '"model_type": "gpt2"', "llama_3_1_405b.json: unknown architecture"),
    ("models/deepseek_v2.json", "{", "{{", "deepseek_v2.json: not valid JSON"),
]


def _check(done: subprocess.CompletedProcess[str], message: str, out: Path, before: dict[str, str]) -> None:
    assert done.returncode == 2, done.stdout[-500:] + done.stderr[-1500:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert message in lines[0], lines[0]
    assert "Traceback" not in done.stdout + done.stderr
    assert "executing" not in done.stdout
    assert snapshot(out) == before


def _in_process(capsys: pytest.CaptureFixture[str], *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m analysis ARGS` run in this process: the same code path as the command, without starting Python
    (the end-to-end tests below run a few of the same cases as real processes)."""
    from analysis.cli import main

    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["analysis", *args], code, out, err)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


@pytest.mark.parametrize(("args", "message"), PARAMETER_CASES, ids=[c[0][-1] for c in PARAMETER_CASES])
def test_bad_parameter(published: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    before = snapshot(published)
    _check(_in_process(capsys, "build", "--out", str(published), *args), message, published, before)


@pytest.mark.parametrize(("content", "message"), SCENARIO_CASES, ids=[c[1][:30] for c in SCENARIO_CASES])
def test_bad_scenario(published: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str) -> None:
    scenario = tmp_path / "mine.yaml"
    scenario.write_text(content)
    before = snapshot(published)
    done = _in_process(capsys, "build", "--out", str(published), "--scenario", str(scenario))
    _check(done, message, published, before)
    assert "mine.yaml" in done.stderr


@pytest.mark.parametrize(("args", "content", "message"), [
    (["-p", "gpu_hour_us=3"], None, "unknown parameter 'gpu_hour_us'; did you mean gpu_hour_usd"),
    (["--scenario"], "parameters:\n  gpu_hour_usd: 2\n  gpu_hour_usd: 3\n", "duplicate key 'gpu_hour_usd'"),
], ids=["parameter", "scenario"])
def test_bad_input_end_to_end(published: Path, tmp_path: Path, args: list[str], content: str | None, message: str) -> None:
    """The same refusals from a real `python -m analysis` process: exit 2, one line, the book untouched."""
    if content is not None:
        (tmp_path / "mine.yaml").write_text(content)
        args = [*args, str(tmp_path / "mine.yaml")]
    before = snapshot(published)
    _check(_cli("build", "--out", str(published), *args), message, published, before)


@pytest.fixture(scope="module")
def bad_data_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[Path, dict[str, str], subprocess.CompletedProcess[str]]]:
    """Every data case, each a copy of data/ with one thing broken, built into its own published book: all in one
    Python (tests/bad_data_runner.py forks a child per case, which loads `analysis` with COST_BOOK_DATA set, as a new
    process would). Case → (its published folder, the folder before, the command's result)."""
    from tests.conftest import fake_published

    cases, prepared = [], {}
    for i, (name, old, new, _message) in enumerate(DATA_CASES):
        folder = tmp_path_factory.mktemp(f"bad-data-{i}")
        data_copy = folder / "data"
        shutil.copytree(ROOT / "data", data_copy)
        target = data_copy / name
        text = target.read_text()
        assert old in text, f"test fixture out of date: {old!r} not in {name}"
        target.write_text(text.replace(old, new, 1))
        published = fake_published(folder / "out")
        prepared[i] = (published, snapshot(published))
        cases.append([str(data_copy), str(published)])
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "bad_data_runner.py")], input=json.dumps(cases), cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout)
    return {i: (*prepared[i], subprocess.CompletedProcess(["build"], code, out, err)) for i, (code, out, err) in enumerate(results)}


@pytest.mark.parametrize("case", range(len(DATA_CASES)), ids=[f"{c[0]}:{c[3][:25]}" for c in DATA_CASES])
def test_bad_data_file(bad_data_runs: dict, case: int) -> None:
    published, before, done = bad_data_runs[case]
    _check(done, DATA_CASES[case][3], published, before)


def test_bad_data_file_end_to_end(published: Path, tmp_path: Path) -> None:
    """One of the cases above from a real `python -m analysis` process started with COST_BOOK_DATA."""
    name, old, new, message = DATA_CASES[1]
    data_copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", data_copy)
    (data_copy / name).write_text((data_copy / name).read_text().replace(old, new, 1))
    before = snapshot(published)
    _check(_cli("build", "--out", str(published), env={"COST_BOOK_DATA": str(data_copy)}), message, published, before)


def test_missing_out_parent(tmp_path: Path) -> None:
    done = _cli("build", "--out", str(tmp_path / "no" / "such" / "out"))
    assert done.returncode == 2 and "parent folder" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_battery_is_large_enough() -> None:
    assert len(PARAMETER_CASES) + len(SCENARIO_CASES) + len(DATA_CASES) >= 25


def test_model_command_bad_config(tmp_path: Path) -> None:
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps({"model_type": "llama", "hidden_size": 10, "num_hidden_layers": 2, "vocab_size": 5,
                                "num_attention_heads": 3, "intermediate_size": 4}))
    done = _cli("model", str(path))
    assert done.returncode == 2 and "not divisible" in done.stderr and "Traceback" not in done.stderr


# --- `python -m analysis model PATH`: unsupported or incomplete configs (issue 15) -------------------
# Each case starts from a real config of data/models/ and breaks one thing; the one line must name the
# file and the field, never print a count.


def _real_config(name: str) -> dict:
    return json.loads((ROOT / "data" / "models" / f"{name}.json").read_text())


def _drop(raw: dict, key: str) -> dict:
    return {k: v for k, v in raw.items() if k != key}


def _llama4_text(**change: object) -> dict:
    raw = _real_config("llama4_maverick")
    text = {k: v for k, v in raw["text_config"].items() if k not in change or change[k] is not None}
    text.update({k: v for k, v in change.items() if v is not None})
    return {**raw, "text_config": text}


# (file written, its content, what the one line must say)
MODEL_CONFIG_CASES = [
    ("minimax_m1.json", {**_real_config("kimi_k2"), "model_type": "minimax_m1"},
     "minimax_m1.json: unknown architecture, field 'model_type' is 'minimax_m1'"),
    ("untyped.json", _drop(_real_config("qwen3_235b_a22b"), "model_type"), "untyped.json: unknown architecture, field 'model_type' is None"),
    ("kimi_k2.json", _drop(_real_config("kimi_k2"), "kv_lora_rank"), "kimi_k2.json: missing field 'kv_lora_rank'"),
    ("gpt_oss_120b.json", _drop(_real_config("gpt_oss_120b"), "sliding_window"), "gpt_oss_120b.json: missing field 'sliding_window'"),
    ("gpt_oss_120b.json", _drop(_real_config("gpt_oss_120b"), "layer_types"), "gpt_oss_120b.json: missing field 'layer_types'"),
    ("gpt_oss_120b.json", {**_real_config("gpt_oss_120b"), "attention_bias": "yes"},
     "gpt_oss_120b.json: field 'attention_bias' must be true or false"),
    ("llama4_maverick.json", _drop(_real_config("llama4_maverick"), "text_config"), "llama4_maverick.json: missing field 'text_config'"),
    ("llama4_maverick.json", _llama4_text(attention_chunk_size=None), "llama4_maverick.json: missing field 'text_config.attention_chunk_size'"),
    ("llama4_maverick.json", _llama4_text(moe_layers=[1, 99]), "llama4_maverick.json: field 'text_config.moe_layers' names layer(s) [99]"),
    ("glm4_5.json", _drop(_real_config("glm4_5"), "first_k_dense_replace"), "glm4_5.json: missing field 'first_k_dense_replace'"),
    ("deepseek_v3_2_exp.json", _drop(_real_config("deepseek_v3_2_exp"), "index_topk"), "deepseek_v3_2_exp.json: missing field 'index_topk'"),
    ("qwen3_235b_a22b.json", _drop(_real_config("qwen3_235b_a22b"), "head_dim"), "qwen3_235b_a22b.json: missing field 'head_dim'"),
    ("qwen2_5_72b.json", _drop(_real_config("qwen2_5_72b"), "num_attention_heads"), "qwen2_5_72b.json: missing field 'num_attention_heads'"),
    ("deepseek_v3.json", {**_real_config("deepseek_v3"), "num_experts_per_tok": 300},
     "deepseek_v3.json: field 'num_experts_per_tok' (300) exceeds the number of routed experts (256)"),
    # Issue 21: a DeepSeek MoE read as dense, sizes beyond any model, numbers JSON does not have.
    ("deepseek_v3.json", {**_real_config("deepseek_v3"), "n_routed_experts": 0}, "deepseek_v3.json: field 'n_routed_experts' must be positive"),
    ("deepseek_v3.json", {**_real_config("deepseek_v3"), "n_routed_experts": None},
     "deepseek_v3.json: missing field 'n_routed_experts' (every deepseek_v3 model is a Mixture-of-Experts)"),
    ("deepseek_v2.json", _drop(_real_config("deepseek_v2"), "n_routed_experts"), "deepseek_v2.json: missing field 'n_routed_experts'"),
    ("deepseek_v3.json", {**_real_config("deepseek_v3"), "hidden_size": 1e30},
     "deepseek_v3.json: field 'hidden_size' is 1e+30, beyond any real model"),
    ("qwen2_5_72b.json", {**_real_config("qwen2_5_72b"), "num_hidden_layers": 1_000_000},
     "parameters, beyond any real model (at most 100 trillion)"),
    ("deepseek_v3.json", json.dumps(_real_config("deepseek_v3")).replace('"hidden_size": 7168', '"hidden_size": NaN'),
     "deepseek_v3.json: not valid JSON (NaN is not a JSON number)"),
    ("deepseek_v3.json", json.dumps(_real_config("deepseek_v3")).replace('"vocab_size": 129280', '"vocab_size": -Infinity'),
     "deepseek_v3.json: not valid JSON (-Infinity is not a JSON number)"),
    ("deepseek_v3.json", "[" * 100_000 + "]" * 100_000, "deepseek_v3.json: nested too deeply"),
    ("mixtral_8x7b.json", {**_real_config("mixtral_8x7b"), "hidden_size": 4096.5}, "mixtral_8x7b.json: field 'hidden_size' must be a whole number"),
]


def test_model_command_refuses_end_to_end(tmp_path: Path) -> None:
    """One of the cases above from a real process: exit 2, nothing on stdout, one line on stderr."""
    path = tmp_path / "deepseek_v3.json"
    path.write_text(json.dumps({**_real_config("deepseek_v3"), "n_routed_experts": 0}))
    done = _cli("model", str(path))
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == ["error: deepseek_v3.json: field 'n_routed_experts' must be positive, got 0"]


@pytest.mark.parametrize(("file", "raw", "message"), MODEL_CONFIG_CASES, ids=[c[2].split(": ", 1)[-1][:45] for c in MODEL_CONFIG_CASES])
def test_model_command_unsupported_or_incomplete_config(tmp_path: Path, capsys: pytest.CaptureFixture[str], file: str, raw: dict,
                                                        message: str) -> None:
    path = tmp_path / file
    path.write_text(raw if isinstance(raw, str) else json.dumps(raw))
    for extra in ((), ("--json",)):
        done = _in_process(capsys, "model", str(path), *extra)
        assert done.returncode == 2, done.stdout[-500:] + done.stderr[-1500:]
        assert done.stdout == ""  # no partial, silently wrong count
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], done.stderr
        assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["compare", "default", "hoppers_only", "--no-cache"], "unrecognized arguments: --no-cache"),
    (["buld"], "invalid choice: 'buld'"),
    (["build", "--jobs", "x"], "argument --jobs: invalid int value: 'x'"),
])
def test_a_mistyped_command_line_is_one_line(args: list[str], message: str) -> None:
    """argparse's own mistakes are said as every other error is: one line, exit 2 (not its usage block first)."""
    done = subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: ") and message in done.stderr and len(done.stderr.strip().splitlines()) == 1
