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
from analysis.formatting import number_anchor, number_label, plain
from analysis.inputs import data
from analysis.inputs.params import Resolved, registry
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


def chapter_titles(notebooks: Sequence[Path]) -> dict[str, str]:
    """Each chapter's title (its notebook's first heading), by notebook stem, in book order."""
    return {stem: title for stem, (title, _names) in _chapters(notebooks).items()}


def _chapters(notebooks: Sequence[Path]) -> dict[str, tuple[str, list[str]]]:
    """Each chapter's title and the parameters its notebook declares (its generated `parameters` cell, which a test
    keeps equal to the chapter's PARAMETERS), read from the notebooks without importing the chapters."""
    import re

    import nbformat

    chapters = {}
    for nb in notebooks:
        path = nb if nb.is_absolute() else BOOK_DIR.parent / nb
        cells = nbformat.read(str(path), as_version=4).cells
        heading = next((line for c in cells if c.cell_type == "markdown" for line in c.source.splitlines() if line.startswith("# ")), nb.stem)
        declared = next((c.source for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])), "")
        chapters[nb.stem] = (heading.lstrip("# ").strip(), re.findall(r"^([A-Za-z_]\w*)\s*[:=]", declared, flags=re.M))
    return chapters


def _sentence(text: str) -> str:
    text = " ".join(str(text).split())
    return text if text.endswith((".", "!", "?")) else text + "."


def _origin(origin: str) -> str:
    if origin == "command line":
        return "set on the command line"
    if origin.startswith("scenario:"):
        return f"set by the scenario `{origin.split(':', 1)[1]}`"
    return origin


def parameters_page(notebooks: Sequence[Path] = (), resolved: Resolved | None = None) -> GeneratedPage:
    """Every parameter, grouped by the first chapter (in book order) that reads it; one entry each, its name whole.
    Each shows the value this build used and where it came from (the default, a scenario, the command line)."""
    params = registry()
    used = resolved.values if resolved is not None else {name: p.default for name, p in params.items()}
    origins = resolved.origins if resolved is not None else {name: "default" for name in params}
    sources = data.load_indexed("sources.csv")
    chapters = _chapters(notebooks)
    titles = {stem: title for stem, (title, _names) in chapters.items()}
    readers: dict[str, list[str]] = {name: [] for name in params}
    for stem, (_title, names) in chapters.items():
        for name in names:
            readers[name].append(stem)
    sections = []
    for stem, title in titles.items():
        own = [n for n in params if readers[n] and readers[n][0] == stem]
        if own:
            sections.append((title, own))
    unread = [n for n in params if not readers[n]]
    if unread:
        sections.append(("Read by no chapter (the build and the command line)", unread))

    def shown(value: Any) -> str:
        return value if isinstance(value, str) else plain(float(value))

    def entry(name: str) -> str:
        p = params[name]
        unit = f" {p.unit}" if p.unit else ""
        value = f"**{shown(used[name])}**{unit}"
        if origins[name] != "default":
            value += f", {_origin(origins[name])} (default {shown(p.default)})"
        if p.type == "choice":
            bounds = "one of " + ", ".join(f"`{c}`" for c in p.choices)
        else:
            bounds = f"from {plain(p.min) if p.min is not None else 'any'} to {plain(p.max) if p.max is not None else 'any'}"
        source = sources.loc[p.source_id, "publisher"] if p.source_id in sources.index else p.source_id
        also = [titles[s] for s in readers[name][1:] if s in titles]
        read_by = f" Also read by: {'; '.join(also)}." if also else ""
        return (f"`{name}`\n: {value}. {_sentence(p.help)} Bounds: {bounds}. "
                f"Source: {source} (`{p.source_id}`).{read_by}\n")

    body = "\n".join(f"## {title}\n\n" + "\n".join(entry(n) for n in names) for title, names in sections)
    changed = [n for n in params if origins[n] != "default"]
    this_build = ("Each entry shows the value this build used: the registry's defaults, for every parameter." if not changed else
                  f"Each entry shows the value this build used and where it came from: {len(changed)} were set by a "
                  "scenario or on the command line (" + ", ".join(f"`{n}`" for n in changed) + ").")
    text = f"""# Parameters

{this_build}

Every tunable input, from the registry in `data/parameters.csv`, under the first chapter that reads it. Override any of
them with `python -m analysis build -p NAME=VALUE`, or collect several in a scenario file. Values outside the bounds
are refused with a message naming the parameter. Sources are listed on the [Sources](reference_sources) page.
{len(params)} parameters in all.

{body}"""
    return GeneratedPage(text, {"parameter_count": Glued(float(len(params)), "parameters")})


def sources_page() -> GeneratedPage:
    """Every source, one entry each: title (linked), publisher, date, confidence and what the book takes from it."""
    sources = data.load_table("sources.csv")

    def entry(row: Any) -> str:
        title = f"[{_cell(row.title)}]({row.url})" if str(row.url).startswith("https://") else _cell(row.title)
        note = f" {_sentence(row.note)}" if row.note else ""
        return f"`{row.id}`\n: {title}. {_cell(row.publisher)}, {row.date}. Confidence {row.confidence}.{note}\n"

    text = f"""# Sources

Every input in `data/` names one of these sources. Confidence: **A** read in the primary source;
**B** the primary source via a faithful copy or database; **C** press reports of a source that is not
public; **D** unconfirmed belief or a stated assumption of this book. The book cites {len(sources)} sources.

""" + "\n".join(entry(row) for row in sources.itertuples(index=False))
    return GeneratedPage(text, {"source_count": Glued(float(len(sources)), "sources")})


def glossary_page() -> GeneratedPage:
    """A Sphinx glossary: each term gets an anchor, which the first use of the term on every other page links to
    (analysis.pipeline.sphinx_glossary_links)."""
    terms = data.load_table("glossary.csv")
    entries = "\n".join(f"{' '.join(str(t).split())}\n  {' '.join(str(d).split())}\n"
                        for t, d in zip(terms["term"], terms["definition"], strict=True))
    return GeneratedPage(f"# Glossary\n\nThe book's terms; each page links a term to its entry here where it first uses it.\n\n"
                         f"```{{glossary}}\n{entries}```\n")


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
        f'<tr><td data-label="File"><a href="../downloads/{html.escape(f)}" download>{html.escape(f)}</a></td>'
        f'<td data-label="Contents">{html.escape(w)}</td></tr>'
        for f, w in download_files(notebooks)
    )
    return GeneratedPage(f"""# Downloads

Everything behind this build of the book: the machine-readable results, the executed notebooks
(with the parameters of this build) and every input table.

<table class="cost-table"><thead><tr><th>File</th><th>Contents</th></tr></thead><tbody>{rows}</tbody></table>
""")


def _number(value: object, unit: str) -> str:
    """A value as the reference page shows it: text as is, numbers never in e-notation."""
    if isinstance(value, str):
        return value
    return plain(float(value))  # type: ignore[arg-type]


def every_number_page(results: Mapping[str, Any], notebooks: Sequence[Path] = ()) -> GeneratedPage:
    """Each glued value, grouped by chapter: its number, unit, and the inputs that move it, most influential first.

    Every entry carries the label num-<key>, the target of the links that each glued number in the prose gets."""
    params = registry()
    sources = data.load_indexed("sources.csv")
    titles = chapter_titles(notebooks)
    by_chapter: dict[str, list[str]] = {}
    for key, entry in sorted(results.items()):
        if not key.startswith("_"):
            by_chapter.setdefault(str(entry.get("notebook", "")), []).append(key)

    def code(name: str) -> str:
        return f'<code class="docutils literal notranslate"><span class="pre">{html.escape(name)}</span></code>'

    publishers = dict(zip(sources.index, sources["publisher"], strict=True))
    # Each parameter's publisher, escaped once (the page names one for each of some six thousand dependencies).
    publisher = {name: html.escape(str(publishers.get(p.source_id, p.source_id))) for name, p in params.items()}

    def entry_html(key: str) -> str:
        entry = results[key]
        deps = entry.get("depends_on", {})
        if deps:
            inputs = "; ".join(f"{code(name)} ({'elasticity ' + format(e, '+.2f') if e is not None else 'changes it'}; {publisher[name]})"
                               for name, e in deps.items())
        else:
            inputs = "no parameter (a published figure, a model config or a constant of the data)"
        unit = str(entry.get("unit") or "")
        label = number_label(key)
        return (f'<p id="{number_anchor(label)}" data-label="{label}"><strong>{code(key)}</strong> = '
                f"{html.escape(str(_number(entry['value'], unit)))} {html.escape(unit)}<br />\nDepends on: {inputs}.</p>")

    order = [stem for stem in titles if stem in by_chapter] + sorted(set(by_chapter) - set(titles))
    sections = []
    for stem in order:
        title = titles.get(stem) or next((t for n, t in REFERENCE_TITLES.items() if n == stem), stem)
        link = f"[{title}]({stem}.ipynb)" if (BOOK_DIR / f"{stem}.ipynb").exists() else title
        # The entries are HTML, not Markdown: this page changes on every build, and a thousand Markdown entries
        # cost Sphinx seconds to re-read; the labels the prose links to are registered by sphinx_glue_links.
        entries = "\n".join(entry_html(k) for k in by_chapter[stem])
        sections.append(f"## {title}\n\nFrom {link}: {len(by_chapter[stem])} values.\n\n```{{raw}} html\n{entries}\n```\n")
    count = sum(len(v) for v in by_chapter.values())
    text = f"""# Every number

Each number glued into this book, under the chapter that computes it, with its unit and the inputs it depends on,
**most influential first**. An input's *elasticity* is the percentage change of the number when the input moves by 1%
(1.00: the number scales with it; −1.00: inversely), measured on this build by moving each parameter alone and
recomputing the chapter; charts are not redrawn for this, and Monte Carlo figures are measured on fewer samples.
Every glued number in the prose links here. The same list is in `results.json` (`depends_on`). {count} values.

""" + "\n".join(sections)
    return GeneratedPage(text)


REFERENCE_TITLES = {"reference_parameters": "Parameters", "reference_sources": "Sources"}


@dataclass(frozen=True)
class PageContext:
    """What a generated page may draw on: the executed notebooks and, once collected, results.json."""

    notebooks: Sequence[Path]
    results: Mapping[str, Any] | None = None
    panel: Mapping[str, Any] | None = None  # the what-if panel's grid (analysis.chapters.explore.panel_data)
    resolved: Resolved | None = None  # the parameters this build used (None: the defaults)


# Page name (its _toc.yml entry under book/) → generator. The build writes book/<name>.md; pages that
# need results.json (NEEDS_RESULTS) are written after the values are collected and measured.
GENERATED: dict[str, Callable[[PageContext], GeneratedPage]] = {
    "reference_parameters": lambda ctx: parameters_page(ctx.notebooks, ctx.resolved),
    "reference_sources": lambda _ctx: sources_page(),
    "glossary": lambda _ctx: glossary_page(),
    "downloads": lambda ctx: downloads_page(ctx.notebooks),
    "every_number": lambda ctx: every_number_page(ctx.results or {}, ctx.notebooks),
    "explore": lambda ctx: explore_page(ctx),
}
NEEDS_RESULTS = frozenset({"every_number", "explore"})  # explore: written with its grid, computed while notebooks run


def explore_page(ctx: PageContext) -> GeneratedPage:
    from analysis.chapters import explore

    return GeneratedPage(explore.page(ctx.panel if ctx.panel is not None else explore.panel_data()))
