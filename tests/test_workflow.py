"""The GitHub workflow (.github/workflows/): valid against GitHub's workflow schema, free of high-severity zizmor
findings (both pinned, both offline), every action pinned to a release commit, least privilege, and it runs the
README's test command as .ci/run does and publishes _build/html with the official Pages actions."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
BOOK = ROOT / ".github" / "workflows" / "book.yml"
SHA_PIN = re.compile(r"^(?P<action>[\w.-]+/[\w.-]+(?:/[\w./-]+)?)@(?P<sha>[0-9a-f]{40})$")
PAGES_ACTIONS = {"actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"}


def _tool(name: str) -> str:
    """A console script of the project's venv (pinned in requirements.txt), else one on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: `make test` installs it from requirements.txt")
    return found


def schema_errors(*paths: Path) -> str:
    """check-jsonschema against its vendored copy of GitHub's workflow schema ("" when valid); no network."""
    done = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
                          capture_output=True, text=True, timeout=120)
    return "" if done.returncode == 0 else (done.stdout + done.stderr).strip() or f"exit {done.returncode}"


def zizmor_findings(*paths: Path, severity: str = "high") -> list[dict[str, Any]]:
    """zizmor's findings at or above a severity, offline (no GitHub API)."""
    done = subprocess.run([_tool("zizmor"), "--offline", "--no-progress", "--no-exit-codes", "--format", "json", "--min-severity", severity,
                           *map(str, paths)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout or "[]")


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_there_is_a_workflow() -> None:
    assert BOOK in WORKFLOWS


def test_workflows_are_valid_against_githubs_schema() -> None:
    assert schema_errors(*WORKFLOWS) == ""


def test_workflows_have_no_high_severity_zizmor_findings() -> None:
    findings = zizmor_findings(*WORKFLOWS)
    assert findings == [], [(f["ident"], f["desc"]) for f in findings]


def test_the_linters_catch_a_bad_workflow(tmp_path: Path) -> None:
    """The two checks above can fail: an unknown key breaks the schema; an action by tag and a commit message
    pasted into a shell are high-severity zizmor findings."""
    bad = tmp_path / "bad.yml"
    bad.write_text("name: bad\non: push\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    stepz: []\n")
    assert "stepz" in schema_errors(bad) or "additional" in schema_errors(bad).lower()
    bad.write_text("name: bad\non: push\npermissions: {}\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    steps:\n"
                   "      - uses: actions/checkout@v4\n      - run: echo \"${{ github.event.head_commit.message }}\"\n")
    assert schema_errors(bad) == ""
    assert {f["ident"] for f in zizmor_findings(bad)} >= {"unpinned-uses", "template-injection"}


def test_every_action_is_pinned_to_a_commit_with_its_version_beside_it() -> None:
    for path in WORKFLOWS:
        text = path.read_text()
        uses = re.findall(r"uses:\s*(\S+)(.*)", text)
        assert uses, path
        for ref, rest in uses:
            assert SHA_PIN.match(ref), f"{path.name}: {ref} is not pinned to a 40-hex commit"
            assert re.search(r"#\s*v\d+(\.\d+)*", rest), f"{path.name}: {ref} has no version comment"


def test_least_privilege_and_no_persisted_credentials() -> None:
    for path in WORKFLOWS:
        workflow = _load(path)
        assert workflow.get("permissions") == {}, f"{path.name}: the workflow itself must grant nothing"
        for name, job in workflow["jobs"].items():
            granted = job.get("permissions")
            assert isinstance(granted, dict), f"{path.name}:{name} states its permissions"
            assert "write-all" not in str(granted) and "read-all" not in str(granted)
            writes = {scope for scope, level in granted.items() if level == "write"}
            assert writes <= {"pages", "id-token"}, (name, writes)
            if writes:
                assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in job["steps"]), name
        for step in _steps(workflow):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, f"{path.name}: checkout keeps its token"


def test_it_runs_the_readmes_test_command_on_every_push_and_pull_request() -> None:
    workflow = _load(BOOK)
    assert {"push", "pull_request"} <= set(workflow["on"])
    for trigger in ("push", "pull_request"):
        assert not (workflow["on"][trigger] or {}), f"{trigger}: every branch, every path"
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"^make test\b", readme, flags=re.M), "the README's test command"
    ci_run = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci_run, flags=re.M) and "chromium" in ci_run
    test = workflow["jobs"]["test"]
    assert "if" not in test
    assert "bookworm" in str(test.get("container")), "Debian, whose chromium the browser tests drive"
    runs = [s.get("run", "") for s in test["steps"]]
    assert any(r.strip() == "bash .ci/run" for r in runs), runs
    assert any(s.get("env", {}).get("CI") == "true" for s in test["steps"] if s.get("run", "").strip() == "bash .ci/run")


def test_on_main_it_builds_the_book_and_deploys_it_with_the_official_pages_actions() -> None:
    workflow = _load(BOOK)
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert "refs/heads/main" in build["if"] and "push" in build["if"]
    assert build["needs"] == "test" and deploy["needs"] == "build"
    assert any(s.get("run", "").strip() == "make book" for s in build["steps"])
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "_build/html"
    used = {s["uses"].split("@")[0] for s in _steps(workflow) if "uses" in s}
    assert PAGES_ACTIONS <= used
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
