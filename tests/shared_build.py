"""Build one of the test run's shared books in the background (started by conftest.pytest_collection_finish).

Usage: python tests/shared_build.py FOLDER [build arguments...]. Takes FOLDER/.lock at once (stdlib only, so it
holds the lock before a test can ask for the book), builds into FOLDER/out, and leaves FOLDER/.done, or
FOLDER/.failed with the build's output for the test that needs the book to report.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    folder, arguments = Path(sys.argv[1]), sys.argv[2:]
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (folder / ".done").exists() or (folder / ".failed").exists():
            return
        done = subprocess.run([sys.executable, "-m", "analysis", "build", "--out", str(folder / "out"), *arguments],
                              cwd=ROOT, capture_output=True, text=True, timeout=1800)
        if done.returncode == 0:
            (folder / ".done").write_text("ok")
        else:
            (folder / ".failed").write_text(done.stdout[-3000:] + done.stderr[-3000:])


if __name__ == "__main__":
    main()
