"""A small Sphinx extension: every glued number in the prose links to its entry on the "Every number" page.

myst-nb's {glue:text} role pastes a value as plain text. This wraps the pasted text in a reference to
the label `num-<key>` that the generated page defines for each value, so a reader can see which inputs
move the number (and where they come from) without the sentence reading any differently. An
unresolved label warns, and the strict build (-W) fails: no glued number can lack an entry.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx import addnodes

from analysis.formatting import number_label

ENTRY = re.compile(r'<p id="([a-z0-9-]+)" data-label="(num-[^"]+)">')


def label(key: str) -> str:
    return number_label(key)


def register_entries(app: Any, doctree: nodes.document) -> None:
    """The Every-number page writes its entries as raw HTML (cheap to re-read); register each entry's label so
    that the glued numbers' references resolve to it, as a Markdown target `(num-key)=` would."""
    env = app.env
    std = env.domains["std"]
    for raw in doctree.findall(nodes.raw):
        for anchor, name in ENTRY.findall(raw.astext()):
            std.anonlabels[name] = (env.docname, anchor)
            std.labels[name] = (env.docname, anchor, name)


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
    return {"parallel_read_safe": True, "parallel_write_safe": True}
