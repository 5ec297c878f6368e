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
