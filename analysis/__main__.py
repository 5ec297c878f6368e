import os
import sys

# One BLAS thread per process, set before numpy loads: the book's arrays are small, and on two cores OpenBLAS's idle
# threads spin on the core that the other notebook's kernel (or Sphinx) needs. Kernels inherit it.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

from analysis.cli import main  # noqa: E402

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
