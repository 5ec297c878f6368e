"""The CLI: bad input exits 2 with one clear line and changes nothing published."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tests.conftest import ROOT, run_cli, snapshot


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "gpu_hour_us=3"], "unknown parameter 'gpu_hour_us'; did you mean gpu_hour_usd"),
        (["-p", "gpu_hour_usd=abc"], "parameter gpu_hour_usd: expected a number"),
        (["-p", "gpu_hour_usd=-2"], "parameter gpu_hour_usd: -2 is outside its bounds"),
        (["-p", "v3_pretrain_gpu_hours=0"], "parameter v3_pretrain_gpu_hours: 0 is outside its bounds"),
        (["--scenario", "no_such_scenario"], "scenario 'no_such_scenario': file scenarios/no_such_scenario.yaml not found"),
    ],
)
def test_bad_input_exits_2_and_publishes_nothing(published: Path, args: list[str], message: str) -> None:
    before = snapshot(published)
    done = run_cli("build", "--out", str(published), *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "executing" not in done.stdout  # validation happens before any notebook runs
    assert snapshot(published) == before


def test_malformed_scenario_file(published: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("parameters:\n  gpu_hour_usd: [unclosed\n")
    before = snapshot(published)
    done = run_cli("build", "--out", str(published), "--scenario", str(bad))
    assert done.returncode == 2 and "bad.yaml" in done.stderr and "not valid YAML" in done.stderr
    assert snapshot(published) == before


def test_unknown_out_parent(tmp_path: Path) -> None:
    done = run_cli("build", "--out", str(tmp_path / "missing" / "out"))
    assert done.returncode == 2
    assert "parent folder" in done.stderr and "does not exist" in done.stderr


def test_params_lists_every_parameter_with_scenario_and_override(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("parameters:\n  utilisation: 0.5\n")
    done = run_cli("params", "--scenario", str(scenario), "-p", "gpu_hour_usd=3")
    assert done.returncode == 0, done.stderr
    # One line per parameter, its help (with bounds and source) indented below it.
    blocks: dict[str, str] = {}
    name = ""
    for line in done.stdout.splitlines():
        if line.startswith("    "):
            blocks[name] += " " + line.strip()
        else:
            name = line.split()[0]
            blocks[name] = line
    assert "= 3 USD per GPU-hour" in blocks["gpu_hour_usd"] and "command line" in blocks["gpu_hour_usd"]
    assert "= 0.5" in blocks["utilisation"] and "scenario:s" in blocks["utilisation"]
    assert "source v3_report" in blocks["gpu_hour_usd"]
    assert max(len(line) for line in done.stdout.splitlines()) <= 100, "params must read in a 100-column terminal"
    from analysis.inputs.params import registry

    assert set(blocks) == set(registry())


def test_params_json_for_scripts() -> None:
    import json

    done = run_cli("params", "--json", "-p", "gpu_hour_usd=3")
    rows = {row["name"]: row for row in json.loads(done.stdout)}
    assert rows["gpu_hour_usd"]["value"] == 3 and rows["gpu_hour_usd"]["origin"] == "command line"


def test_empty_scenario_name_is_bad_input() -> None:
    done = run_cli("build", "--no-html", "--scenario", "")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "--scenario: expected a scenario name" in done.stderr


def _failing_book(tmp_path: Path) -> Path:
    root = tmp_path / "failing"
    (root / "book").mkdir(parents=True)
    for name in ("_config.yml",):
        (root / name).write_text((ROOT / name).read_text())
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/broken\n")
    nb = new_notebook(cells=[
        new_markdown_cell("# Broken"),
        new_code_cell("gpu_hour_usd: float = 2.0  # price", metadata={"tags": ["parameters"]}),
        new_code_cell("x = 1"),
        new_code_cell("raise ValueError('the model broke')"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, str(root / "book" / "broken.ipynb"))
    return root


def test_failing_notebook_names_notebook_cell_and_error(tmp_path: Path, published: Path) -> None:
    before = snapshot(published)
    done = run_cli("build", "--out", str(published), "--root", str(_failing_book(tmp_path)))
    assert done.returncode == 1
    assert "broken.ipynb: cell 4 (code cell 3) raised ValueError: the model broke" in done.stderr
    kept = published / "failed" / "broken.ipynb"
    assert f"executed notebook kept at {kept}" in done.stderr
    executed = nbformat.read(str(kept), as_version=4)
    assert any(o.get("output_type") == "error" for c in executed.cells for o in c.get("outputs", []))
    after = snapshot(published)
    assert {k: v for k, v in after.items() if not k.startswith("failed/")} == before
    assert not list(published.glob(".staging-*"))


def test_serve_serves_the_built_book_on_localhost(default_build: Path) -> None:
    import re
    import subprocess
    import sys
    import urllib.request

    server = subprocess.Popen([sys.executable, "-m", "analysis", "serve", "--out", str(default_build), "--port", "0"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = server.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        with urllib.request.urlopen(url + "book/intro.html", timeout=10) as response:
            assert response.status == 200 and b"What did DeepSeek-V3 really cost?" in response.read()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_without_a_book(tmp_path: Path) -> None:
    done = run_cli("serve", "--out", str(tmp_path))
    assert done.returncode == 2 and "no built book" in done.stderr
