"""Run `python -m analysis build --out OUT` once per data folder, each in a forked child of one Python that has
already loaded the heavy libraries, so the bad-data battery costs one interpreter start, not one per case.

Input (stdin): a JSON list of [data_dir, out]. Output (stdout): a JSON list of [exit code, stdout, stderr]. A child
imports `analysis` afresh after setting COST_BOOK_DATA (analysis.paths reads it on import), exactly as a new process
started with that variable would.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

# Third-party modules the command loads before it can refuse bad data (nothing of analysis: it must load per case).
import jupyter_client  # noqa: F401
import nbformat  # noqa: F401
import numpy  # noqa: F401
import pandas  # noqa: F401
import papermill  # noqa: F401
import yaml  # noqa: F401


def run(data_dir: str, out: str) -> tuple[int, str, str]:
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        pid = os.fork()
        if pid == 0:
            os.dup2(stdout.fileno(), 1)
            os.dup2(stderr.fileno(), 2)
            os.environ["COST_BOOK_DATA"] = data_dir
            from analysis.cli import main

            code = main(["build", "--out", out])
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        stdout.seek(0)
        stderr.seek(0)
        return os.waitstatus_to_exitcode(status), stdout.read(), stderr.read()


if __name__ == "__main__":
    print(json.dumps([run(data_dir, out) for data_dir, out in json.load(sys.stdin)]))
