"""No figure is typed into prose: every number a reader meets in a page's text is glued from code or data.

What may stay in the words: years and year ranges, names with digits in them (H800, V3, ISCA-2025, 6ND, Llama 3.1
405B), references (Table 1, §VIII-C), ordinals (the 95th percentile), the constants of a formula (6 × N × D) and
quotations of a source. Anything else with a digit (a count, money, a share, a multiple) must come through glue.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from analysis.pipeline.notebooks import toc_notebooks
from tests.conftest import ROOT

PAGES = [ROOT / nb for nb in toc_notebooks()] + sorted((ROOT / "book").glob("*.md"))
YEAR = re.compile(r"^(19|20)\d\d(s)?([-–](19|20)?\d\d)?$")
REFERENCE_WORDS = {"Table", "Tables", "Figure", "Fig.", "section", "Section", "§", "Appendix", "Llama", "Qwen", "DeepSeek", "3.1"}
MODEL_WORDS = {"dense", "Llama", "DeepSeek", "3.1"}
FIGURE = re.compile(r"^[$€£]?\d[\d,.]*([KMBT%×x]|th|st|nd|rd)?$")  # what a typed figure looks like


def typed_figures(markdown: str) -> list[str]:
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)  # glued figures and code blocks
    text = re.sub(r"\{glue:[a-z]*\}`[^`]*`|`[^`]*`", " ", text)  # glued values and names in code
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    text = re.sub(r"^\s*(:::+.*|:[a-z]+:.*)$", " ", text, flags=re.M)  # directive lines and options
    text = re.sub(r"“[^”]*”|\"[^\"]*\"|'[A-Z][^']*'", " ", text)  # quotations of a source
    tokens = text.split()
    found = []
    for i, token in enumerate(tokens):
        core = token.strip("()[]*\"'“”‘’.,;:!?")
        if not re.search(r"\d", core) or YEAR.match(core) or re.match(r"^10[⁰¹²³⁴⁵⁶⁷⁸⁹]+$", core):
            continue
        if not FIGURE.match(core) or re.match(r"^\d+(th|st|nd|rd)$", core):
            continue  # a name with digits in it, or an ordinal
        before, after = (tokens[i - 1].strip("(") if i else ""), (tokens[i + 1] if i + 1 < len(tokens) else "")
        if before in REFERENCE_WORDS:
            continue  # Table 1, Llama 3.1 405B
        if before == "×" or after in ("×", "FLOP"):
            continue  # a formula's constant: 6 × N × D, 6 FLOP per parameter
        if re.match(r"^\d+B$", core) and (before in MODEL_WORDS or after.startswith("model")):
            continue  # a model's size in its name: a dense 405B model
        found.append(core)
    return found


def _markdown(path: Path) -> str:
    if path.suffix == ".ipynb":
        return "\n".join(c.source for c in nbformat.read(str(path), as_version=4).cells if c.cell_type == "markdown")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_no_figure_is_typed_into_prose(path: Path) -> None:
    assert not typed_figures(_markdown(path)), typed_figures(_markdown(path))


def test_the_detector_finds_typed_figures() -> None:
    assert typed_figures("DeepSeek owns $1.6B of servers and 50,000 GPUs, 30% of them busy, 3.5× more, 37B active.") == [
        "$1.6B", "50,000", "30%", "3.5×", "37B"]
    assert typed_figures("H800s bought in 2023-24, Table 1 of the V3 report, the 95th percentile, 6 × N × D, a dense 405B model.") == []
    assert typed_figures("{glue:text}`fleet_gpus:,.0f` GPUs and `server_non_gpu_usd`.") == []


CROSS_PAGE_GLUE = re.compile(r"\{glue(?::text)?\}`([\w.]+\.ipynb)::([^`]+)`")


@pytest.mark.parametrize("path", [p for p in PAGES if p.suffix == ".ipynb"], ids=lambda p: p.name)
def test_a_value_glued_from_another_page_names_its_format(path: Path) -> None:
    """myst-nb splits `page.ipynb::key` at its last colon for the format: without one (`:s` for text) the key is read
    as 'page.ipynb:' and the strict build fails."""
    markdown = "\n".join(c.source for c in nbformat.read(str(path), as_version=4).cells if c.cell_type == "markdown")
    bare = [f"{page}::{key}" for page, key in CROSS_PAGE_GLUE.findall(markdown) if ":" not in key]
    assert not bare, f"add a format (`:s` for text) to {bare}"


def test_the_cross_page_check_finds_a_bare_key() -> None:
    found = CROSS_PAGE_GLUE.findall("see {glue:text}`fleet.ipynb::cost_text` and {glue:text}`fleet.ipynb::x:.1%`")
    assert [key for _, key in found if ":" not in key] == ["cost_text"]


# A book built with other inputs (`build -p NAME=VALUE`, `--scenario NAME`) shows its own values on every page, with a
# notice naming the overrides; words beside a value must stay true there: "at the book's inputs", "at the central inputs".
AT_THE_DEFAULTS = re.compile(r"\bat\s+the\s+default\s+inputs\b|\(default\s+inputs\)|`\s*by\s+default\b", re.I)
VALUE_SOURCES = sorted((ROOT / "analysis" / "chapters").glob("*.py")) + sorted((ROOT / "analysis" / "charts").glob("*.py"))


def defaults_claimed(text: str) -> list[str]:
    return [m.group(0) for m in AT_THE_DEFAULTS.finditer(text)]


@pytest.mark.parametrize("path", PAGES + VALUE_SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_value_is_said_to_be_at_the_default_inputs(path: Path) -> None:
    text = _markdown(path) if path.parent.name == "book" else path.read_text(encoding="utf-8")
    assert not defaults_claimed(text), f"{defaults_claimed(text)}: say 'at the book's inputs' (true in a custom build too)"


def test_the_defaults_check_finds_a_claim() -> None:
    assert defaults_claimed("costs $1.43 per hour held at the default inputs; owned (default inputs); "
                            "({glue:text}`paid_token_share:.0%` by default)") == ["at the default inputs", "(default inputs)", "` by default"]
    assert defaults_claimed("The panel starts from the book's default inputs; a cache hit costs no GPU time by default.") == []
