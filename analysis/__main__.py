import os
import sys

from analysis.cli import main

code = main()
# Leave without tearing the interpreter down: after a build that ran Sphinx in this process, Python's own cleanup of
# its modules takes about half a second, and nothing is left to clean (files are closed, kernels and workers are
# stopped, staging is removed by the build's own `finally`).
try:
    sys.stdout.flush()
    sys.stderr.flush()
except BrokenPipeError:  # `... | head`: the reader has gone
    code = code or 141
os._exit(code)
