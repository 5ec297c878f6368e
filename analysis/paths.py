"""Where things live in the repository (data → analysis → book → _build)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
MODELS_DIR = DATA_DIR / "models"
BOOK_DIR = ROOT / "book"
SCENARIOS_DIR = ROOT / "scenarios"
DEFAULT_OUT = ROOT / "_build"
