"""Make `analysis` importable by pytest and by the kernels nbval starts."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from analysis.paths import pythonpath_with_root  # noqa: E402

os.environ["PYTHONPATH"] = pythonpath_with_root()
os.environ.setdefault("MPLBACKEND", "Agg")
