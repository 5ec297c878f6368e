"""Build one of the test run's shared books in the background (started by conftest.pytest_collection_finish).

Usage: python tests/shared_build.py FOLDER [build arguments...]. Takes FOLDER/.lock at once (stdlib only, so it
holds the lock before a test can ask for the book), builds into FOLDER/out, and leaves FOLDER/.done, or
FOLDER/.failed with the build's output for the test that needs the book to report.

Several builds into the same FOLDER/out (sharing its notebook cache) are separated by "::"; after each, its
results.json is copied to FOLDER/results-<i>.json (after a single build too).
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEPARATOR = "::"


def groups(arguments: list[str]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for word in arguments:
        if word == SEPARATOR:
            out.append([])
        else:
            out[-1].append(word)
    return out


def build_all(folder: Path, arguments: list[str]) -> str | None:
    """Run the builds; None when all succeeded, else the failing build's output."""
    for i, group in enumerate(groups(arguments)):
        done = subprocess.run([sys.executable, "-m", "analysis", "build", "--out", str(folder / "out"), *group],
                              cwd=ROOT, capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            return done.stdout[-3000:] + done.stderr[-3000:]
        shutil.copy2(folder / "out" / "results.json", folder / f"results-{i}.json")
    return None


def main() -> None:
    folder, arguments = Path(sys.argv[1]), sys.argv[2:]
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (folder / ".done").exists() or (folder / ".failed").exists():
            return
        failure = build_all(folder, arguments)
        if failure is None:
            (folder / ".done").write_text("ok")
        else:
            (folder / ".failed").write_text(failure)


if __name__ == "__main__":
    main()
