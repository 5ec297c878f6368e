"""Reference pages generated as MyST Markdown by the build: parameters, sources, glossary, downloads,
and "Every number" (each value of results.json with the inputs it depends on).

They only lay out inputs, so they need no kernel: the build writes each page into the staged
book, and its values go into results.json like any glued value. Markdown tables (not raw HTML)
keep the text in the book's search index; numbers are right-aligned, text left-aligned.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.chapters.page import Glued
from analysis.inputs import data
from analysis.inputs.params import registry
from analysis.paths import BOOK_DIR, DATA_DIR


@dataclass(frozen=True)
class GeneratedPage:
    markdown: str
    values: dict[str, Glued] = field(default_factory=dict)


def _cell(value: object) -> str:
    text = "—" if value is None or (isinstance(value, float) and pd.isna(value)) or value == "" else str(value)
    return " ".join(text.split()).replace("|", "\\|")


def markdown_table(frame: pd.DataFrame, numeric: Sequence[str] = ()) -> str:
    """A pipe table; columns named in `numeric` are right-aligned (header and cells alike)."""
    head = "| " + " | ".join(_cell(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---:" if c in numeric else ":---" for c in frame.columns) + "|"
    rows = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def parameters_page() -> GeneratedPage:
    params = registry()
    frame = pd.DataFrame([
        {"Name": f"`{p.name}`", "Default": p.default if isinstance(p.default, str) else f"{p.default:,.6g}",
         "Unit": p.unit or "—", "Bounds or choices": p.bounds_text(), "Help": p.help, "Source": p.source_id}
        for p in params.values()
    ])
    text = f"""# Parameters

Every tunable input, from the registry in `data/parameters.csv`. Override any of them with
`python -m analysis build -p NAME=VALUE`, or collect several in a scenario file. Values outside the
bounds are refused with a message naming the parameter. Sources are listed on the [Sources](reference_sources) page.

{markdown_table(frame, numeric=("Default",))}

{len(params)} parameters in all.
"""
    return GeneratedPage(text, {"parameter_count": Glued(float(len(params)), "parameters")})


def sources_page() -> GeneratedPage:
    sources = data.load_table("sources.csv")
    title = [f"[{_cell(t)}]({u})" if str(u).startswith("https://") else _cell(t) for t, u in zip(sources["title"], sources["url"], strict=True)]
    frame = pd.DataFrame({"Id": [f"`{i}`" for i in sources["id"]], "Title": title, "Publisher": sources["publisher"],
                          "Date": sources["date"], "Conf.": sources["confidence"], "What it gives": sources["note"]})
    text = f"""# Sources

Every input in `data/` names one of these sources. Confidence (Conf.): **A** read in the primary source;
**B** the primary source via a faithful copy or database; **C** press reports of a source that is not
public; **D** unconfirmed belief or a stated assumption of this book.

{markdown_table(frame)}

The book cites {len(sources)} sources.
"""
    return GeneratedPage(text, {"source_count": Glued(float(len(sources)), "sources")})


def glossary_page() -> GeneratedPage:
    terms = data.load_table("glossary.csv").rename(columns={"term": "Term", "definition": "Meaning"})
    return GeneratedPage(f"# Glossary\n\n{markdown_table(terms)}\n")


def download_files(notebooks: Sequence[Path], data_dir: Path = DATA_DIR) -> list[tuple[str, str]]:
    """(file, what) for every file the build copies into html/downloads/ (see pipeline.build)."""
    files = [("results.json", "Every number glued into this book, with units and the parameters used")]
    files += [(nb.name, f"Executed notebook: {nb.stem}") for nb in notebooks]
    files += [(f"data/{p.name}", "Input table") for p in sorted(data_dir.glob("*.csv"))]
    files += [(f"data/models/{p.name}", "Published model configuration") for p in sorted((data_dir / "models").glob("*.json"))]
    return files


def downloads_page(notebooks: Sequence[Path]) -> GeneratedPage:
    # Raw HTML: Sphinx would try to resolve Markdown links to non-document files (and warn under -n).
    rows = "".join(
        f'<tr><td><a href="../downloads/{html.escape(f)}" download>{html.escape(f)}</a></td><td>{html.escape(w)}</td></tr>'
        for f, w in download_files(notebooks)
    )
    return GeneratedPage(f"""# Downloads

Everything behind this build of the book: the machine-readable results, the executed notebooks
(with the parameters of this build) and every input table.

<table class="cost-table"><thead><tr><th>File</th><th>Contents</th></tr></thead><tbody>{rows}</tbody></table>
""")


def _number(value: object, unit: str) -> str:
    if isinstance(value, str):
        return value
    number = float(value)  # type: ignore[arg-type]
    if unit.startswith("USD") and abs(number) >= 1000:
        return f"{number:,.0f}"
    return f"{number:,.6g}"


def every_number_page(results: Mapping[str, Any]) -> GeneratedPage:
    """Each glued value: its number, unit, chapter, and the inputs that move it, most influential first.

    Every entry carries the label num-<key>, the target of the links that each glued number in the prose gets."""
    params = registry()
    sources = data.load_indexed("sources.csv")
    entries = []
    for key, entry in sorted(results.items()):
        if key.startswith("_"):
            continue
        deps = entry.get("depends_on", {})
        if deps:
            inputs = "; ".join(
                f"`{name}` ({'elasticity ' + format(e, '+.2f') if e is not None else 'changes it'}; "
                f"{sources.loc[params[name].source_id, 'publisher'] if params[name].source_id in sources.index else params[name].source_id})"
                for name, e in deps.items())
        else:
            inputs = "no parameter (a published figure, a model config or a constant of the data)"
        chapter = entry.get("notebook", "")
        link = f"[{chapter}]({chapter}.ipynb)" if (BOOK_DIR / f"{chapter}.ipynb").exists() else chapter
        unit = str(entry.get("unit") or "")
        entries.append(f"(num-{key.lower()})=\n**`{key}`** = {_cell(_number(entry['value'], unit))} {_cell(unit)} · {link}  \n"
                       f"Depends on: {inputs}.\n")
    text = f"""# Every number

Each number glued into this book, with its unit, the chapter that computes it and the inputs it depends on,
**most influential first**. An input's *elasticity* is the percentage change of the number when the input moves by 1%
(1.00: the number scales with it; −1.00: inversely), measured on this build by moving each parameter alone and
recomputing the chapter; charts are not redrawn for this, and Monte Carlo figures are measured on fewer samples.
Every glued number in the prose links here. The same list is in `results.json` (`depends_on`).

{len(entries)} values.

""" + "\n".join(entries)
    return GeneratedPage(text)


@dataclass(frozen=True)
class PageContext:
    """What a generated page may draw on: the executed notebooks and, once collected, results.json."""

    notebooks: Sequence[Path]
    results: Mapping[str, Any] | None = None


# Page name (its _toc.yml entry under book/) → generator. The build writes book/<name>.md; pages that
# need results.json (NEEDS_RESULTS) are written after the values are collected and measured.
GENERATED: dict[str, Callable[[PageContext], GeneratedPage]] = {
    "reference_parameters": lambda _ctx: parameters_page(),
    "reference_sources": lambda _ctx: sources_page(),
    "glossary": lambda _ctx: glossary_page(),
    "downloads": lambda ctx: downloads_page(ctx.notebooks),
    "every_number": lambda ctx: every_number_page(ctx.results or {}),
}
NEEDS_RESULTS = frozenset({"every_number"})
