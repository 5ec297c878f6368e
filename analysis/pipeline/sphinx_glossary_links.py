"""A small Sphinx extension: on every page, the first use of each glossary term links to its definition.

The Glossary page is a Sphinx glossary (analysis.chapters.reference.glossary_page), so each term has an anchor in the
std domain. When a page is written, this walks its running text (not headings, code, links, raw HTML, glued numbers
or tables of figures) and turns the first occurrence of each term into a link to the Glossary, titled with nothing
but the term: the sentence reads as before. A term written "BF16 / FP8" is found as "BF16" and as "FP8"; one written
"Expert (MoE)" as "expert"; plurals count ("GPU-hours", "H800-equivalents"). Terms whose spelling has capitals after
the first letter ("MoE", "Monte Carlo", "KV cache") match only as written; the others in any case.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx import addnodes

GLOSSARY_DOC = "book/glossary"
SKIP = (nodes.title, nodes.literal, nodes.literal_block, nodes.reference, nodes.raw, nodes.FixedTextElement,
        nodes.term, nodes.target, nodes.subtitle, nodes.rubric, nodes.caption, addnodes.pending_xref, nodes.table,
        nodes.inline)  # nodes.inline: glued values (myst-nb pastes them as inline), kept as they are


def forms(term: str) -> list[str]:
    """The spellings under which a glossary term is found in the prose."""
    out = []
    for part in term.split(" / "):
        part = re.sub(r"\s*\([^)]*\)", "", part).strip()
        if part:
            out.append(part)
    return out


def case_sensitive(form: str) -> bool:
    return any(c.isupper() for c in form[1:])


def term_pattern(terms: dict[str, tuple[str, str]]) -> re.Pattern[str] | None:
    """One regex over every form of every term, longest first; group names map back to the term."""
    alternatives = []
    for i, term in enumerate(sorted(terms, key=len, reverse=True)):
        for form in sorted(forms(term), key=len, reverse=True):
            escaped = re.escape(form)
            body = escaped if case_sensitive(form) else f"(?i:{escaped})"
            alternatives.append((len(form), f"(?P<t{i}_{len(alternatives)}>{body}(?:e?s)?)", term))
    if not alternatives:
        return None
    alternatives.sort(key=lambda a: -a[0])
    return re.compile(r"(?<![\w/-])(?:" + "|".join(a[1] for a in alternatives) + r")(?![\w-])")


def glossary_terms(env: Any) -> dict[str, tuple[str, str]]:
    """term → (docname, anchor) for every term of the Glossary page."""
    std = env.domains["std"]
    return {name: (doc, anchor) for name, _disp, kind, doc, anchor, _prio in std.get_objects() if kind == "term" and doc == GLOSSARY_DOC}


def _skipped(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, SKIP):
            return True
        parent = parent.parent
    return False


def link_first_uses(app: Any, doctree: nodes.document, docname: str) -> None:
    if docname == GLOSSARY_DOC or app.builder.format != "html":
        return
    terms = glossary_terms(app.env)
    by_lower = {t.lower(): t for t in terms}
    pattern = term_pattern(terms)
    if pattern is None:
        return
    done: set[str] = set()
    for text in list(doctree.findall(nodes.Text)):
        if len(done) == len(terms) or _skipped(text) or not isinstance(text.parent, nodes.paragraph | nodes.emphasis | nodes.strong):
            continue
        source = str(text)
        pieces: list[nodes.Node] = []
        at = 0
        for match in pattern.finditer(source):
            term = _term_of(match, pattern, terms, by_lower)
            if term is None or term in done:
                continue
            done.add(term)
            doc, anchor = terms[term]
            uri = app.builder.get_relative_uri(docname, doc) + "#" + anchor
            pieces.append(nodes.Text(source[at:match.start()]))
            pieces.append(nodes.reference("", match.group(0), internal=True, refuri=uri, reftitle=f"Glossary: {term}",
                                          classes=["glossary-link"]))
            at = match.end()
        if pieces:
            pieces.append(nodes.Text(source[at:]))
            text.parent.replace(text, [p for p in pieces if not (isinstance(p, nodes.Text) and not str(p))])


def _term_of(match: re.Match[str], pattern: re.Pattern[str], terms: dict[str, Any], by_lower: dict[str, str]) -> str | None:
    """The glossary term a match stands for (the form that matched, singular, mapped back to its term)."""
    found = match.group(0)
    for term in terms:
        for form in forms(term):
            flags = 0 if case_sensitive(form) else re.I
            if re.fullmatch(re.escape(form) + r"(?:e?s)?", found, flags):
                return term
    return by_lower.get(found.lower())


def setup(app: Any) -> dict[str, Any]:
    app.connect("doctree-resolved", link_first_uses)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
