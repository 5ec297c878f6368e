"""A notice on every page of a book built with other than the default inputs: which scenario, which overrides.

Added to the built HTML (the staged copy that is published), not to the sources: Sphinx's environment is kept
between builds of one folder and writes only the pages whose sources changed, so a notice in the sources would
reach only those pages; here every page gets it, and a default build none, at the cost of reading the pages once.
The landing page carries it like every other page, above the figures it qualifies.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from analysis.inputs.params import Resolved

_ARTICLE = re.compile(r'(<article class="bd-article"[^>]*>)')
MARK = 'id="build-notice"'


def _value(value: object) -> str:
    from analysis.inputs.params import value_text

    return value_text(value, thousands=True) if isinstance(value, int | float | str) else str(value)


def notice_html(resolved: Resolved, parameters_href: str) -> str:
    """The notice's markup: the scenario (title, file), then every input that differs from the default's origin."""
    from analysis.inputs.params import away_from_defaults, registry

    params = registry()
    what = []
    if resolved.source is not None:
        file = resolved.source.describe()
        title = html.escape(resolved.source.title or resolved.scenario)
        what.append(f"the scenario <strong>{title}</strong> (<code>{html.escape(file['path'])}</code>)")
    changed = away_from_defaults(resolved.overrides())
    unchanged = [f"<code>{html.escape(name)}</code>" for name in resolved.overrides() if name not in changed]  # set, to the default
    rows = []
    for name, value in changed.items():
        p = params[name]
        origin = "command line" if resolved.origins[name] == "command line" else "scenario"
        unit = f" {html.escape(p.unit)}" if p.unit else ""
        rows.append(f"<li><code>{html.escape(name)}</code> = {html.escape(_value(value))}{unit} "
                    f"({origin}; default {html.escape(_value(p.default))})</li>")
    lead = " ".join(what + ([("with" if what else "") + " these inputs changed from the book's defaults"] if rows else [])).strip()
    return (
        f'<div class="admonition warning build-notice" {MARK} data-scenario="{html.escape(resolved.scenario)}">\n'
        '<p class="admonition-title">Built with non-default inputs</p>\n'
        f"<p>This copy of the book was built with {lead}. Every number on every page uses them, so they differ from the "
        f'published book\'s; <a href="{html.escape(parameters_href)}">Parameters</a> lists every value used and where it '
        "came from.</p>\n"
        + (f"<ul>{''.join(rows)}</ul>\n" if rows else "")
        + (f"<p>Also set, at their defaults: {', '.join(unchanged)}.</p>\n" if unchanged else "")
        + "</div>\n"
    )


def mark_pages(html_root: Path, resolved: Resolved) -> int:
    """Insert the notice at the top of every page's article (a default build: nothing). Returns pages marked."""
    if resolved.is_default():
        return 0
    parameters = html_root / "book" / "reference_parameters.html"
    marked = 0
    for page in sorted(html_root.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        article = _ARTICLE.search(text)
        if MARK in text or article is None:
            continue
        markup = notice_html(resolved, os.path.relpath(parameters, page.parent))
        page.write_text(text[: article.end()] + "\n" + markup + text[article.end():], encoding="utf-8")
        marked += 1
    return marked
