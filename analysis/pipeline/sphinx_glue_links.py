"""A small Sphinx extension: every glued number in the prose links to its entry on the "Every number" page, and
explains itself in place.

myst-nb's {glue:text} role pastes a value as plain text. This wraps the pasted text in a reference to
the label `num-<key>` that the generated page defines for each value, so a reader can see which inputs
move the number (and where they come from) without the sentence reading any differently. An
unresolved label warns, and the strict build (-W) fails: no glued number can lack an entry.

Each page also carries, as JSON, the entries of the numbers it links to (value, key, chapter, the inputs that move it
most and their sources, read from the Every-number page as it is registered); book/_static/number-popover.js shows
one in a small popover when the number is tapped, with a link to the full entry. Offline: nothing is fetched.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from docutils import nodes
from sphinx import addnodes

from analysis.formatting import number_label

ENTRY = re.compile(r'<p id="([a-z0-9-]+)" data-label="(num-[^"]+)">')
ENTRY_BODY = re.compile(r'<p id="([a-z0-9-]+)" data-label="num-[^"]+">(.*?)</p>', re.S)
CODE = r'<code[^>]*><span class="pre">([^<]+)</span></code>'
VALUE = re.compile(r"<strong>" + CODE + r"</strong> = (.*?)<br />", re.S)
INPUT = re.compile(CODE + r" \(([^;()]*(?:\([^)]*\))?[^;()]*); ((?:[^()]|\([^)]*\))*)\)")
POPOVER_INPUTS = 3  # the inputs that move a number most, shown in its popover
ENV_KEY = "cost_book_numbers"


def label(key: str) -> str:
    return number_label(key)


def parse_entry(body: str) -> dict[str, Any]:
    """One Every-number entry (its HTML) as the popover shows it: key, value with unit, the inputs that move it most."""
    value = VALUE.search(body)
    inputs = [[html.unescape(name), html.unescape(effect), html.unescape(source)] for name, effect, source in INPUT.findall(body)]
    shown = re.sub(r"\s+text$", "", html.unescape(value.group(2)).strip()) if value else ""  # "text": a pre-formatted value
    return {"key": html.unescape(value.group(1)) if value else "", "value": shown,
            "inputs": inputs[:POPOVER_INPUTS], "more": max(0, len(inputs) - POPOVER_INPUTS)}


def register_entries(app: Any, doctree: nodes.document) -> None:
    """The Every-number page writes its entries as raw HTML (cheap to re-read); register each entry's label so
    that the glued numbers' references resolve to it, as a Markdown target `(num-key)=` would, and keep each entry's
    summary for the popovers of the pages that link to it."""
    env = app.env
    std = env.domains["std"]
    numbers: dict[str, dict[str, Any]] = getattr(env, ENV_KEY, {})
    for raw in doctree.findall(nodes.raw):
        text = raw.astext()
        section = raw.parent if isinstance(raw.parent, nodes.section) else None
        chapter = section[0].astext() if section is not None and isinstance(section[0], nodes.title) else ""
        for anchor, name in ENTRY.findall(text):
            std.anonlabels[name] = (env.docname, anchor)
            std.labels[name] = (env.docname, anchor, name)
        for anchor, body in ENTRY_BODY.findall(text):
            numbers[anchor] = {**parse_entry(body), "chapter": chapter, "doc": env.docname}
    setattr(env, ENV_KEY, numbers)


def _purge(app: Any, env: Any, docname: str) -> None:
    numbers = getattr(env, ENV_KEY, {})
    for anchor in [a for a, entry in numbers.items() if entry["doc"] == docname]:
        del numbers[anchor]


def _merge(app: Any, env: Any, docnames: Any, other: Any) -> None:
    numbers = getattr(env, ENV_KEY, {})
    numbers.update({a: e for a, e in getattr(other, ENV_KEY, {}).items() if e["doc"] in docnames})
    setattr(env, ENV_KEY, numbers)


LINKED = re.compile(r'href="[^"#]*#(num-[a-z0-9-]+)"')


def add_popover_entries(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """The entries of the numbers this page links to, as JSON in the page (book/_static/number-popover.js reads it)."""
    body = context.get("body")
    numbers = getattr(app.env, ENV_KEY, {})
    if not body or not numbers:
        return
    used = {anchor: numbers[anchor] for anchor in sorted(set(LINKED.findall(body))) if anchor in numbers}
    if used:
        shown = {a: {k: v for k, v in e.items() if k != "doc"} for a, e in used.items()}
        payload = json.dumps(shown, separators=(",", ":"), ensure_ascii=True).replace("</", "<\\/")
        context["body"] = body + f'\n<script type="application/json" id="number-entries">{payload}</script>\n'


def _linked_role() -> Any:
    from myst_nb.ext.glue.roles import PasteTextRole

    class LinkedPasteTextRole(PasteTextRole):
        def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
            pasted, messages = super().run()
            key = self.text.rsplit(":", 1)[0]  # the role's content is key[:format], as myst-nb parses it
            if len(pasted) != 1 or not isinstance(pasted[0], nodes.inline):
                return pasted, messages  # a pending cross-document glue, or an error: leave as is
            inline = pasted[0]
            ref = addnodes.pending_xref(
                "", inline, refdomain="std", reftype="ref", reftarget=label(key), refexplicit=True, refwarn=True,
                refdoc=self.document.settings.env.docname,
            )
            return [ref], messages

    return LinkedPasteTextRole()


def setup(app: Any) -> dict[str, Any]:
    app.setup_extension("myst_nb")
    app.add_role_to_domain("glue", "text", _linked_role(), override=True)
    app.connect("doctree-read", register_entries)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("html-page-context", add_popover_entries)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
