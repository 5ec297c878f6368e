"""Where things live in the repository (data → analysis → book → _build)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# COST_BOOK_DATA points the whole pipeline (kernels included) at another data folder.
DATA_DIR = Path(os.environ.get("COST_BOOK_DATA") or ROOT / "data").resolve()
MODELS_DIR = DATA_DIR / "models"
BOOK_DIR = ROOT / "book"
SCENARIOS_DIR = ROOT / "scenarios"
DEFAULT_OUT = ROOT / "_build"


def pythonpath_with_root(current: str | None = None) -> str:
    """PYTHONPATH with the repository first, so kernels and Sphinx import `analysis` from here."""
    current = os.environ.get("PYTHONPATH", "") if current is None else current
    parts = [p for p in current.split(os.pathsep) if p and p != str(ROOT)]
    return os.pathsep.join([str(ROOT), *parts])

# A folder of charts drawn before (analysis.charts.drawn); a build points its kernels at the shared cache's.
CHART_CACHE_ENV = "COST_BOOK_CHART_CACHE"
