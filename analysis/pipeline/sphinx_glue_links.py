"""A small Sphinx extension: every glued number in the prose links to its entry on the "Every number" page.

myst-nb's {glue:text} role pastes a value as plain text. This wraps the pasted text in a reference to
the label `num-<key>` that the generated page defines for each value, so a reader can see which inputs
move the number (and where they come from) without the sentence reading any differently. An
unresolved label warns, and the strict build (-W) fails: no glued number can lack an entry.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes


def label(key: str) -> str:
    """The Sphinx label of a value's entry (Sphinx lower-cases labels)."""
    return f"num-{key}".lower()


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
    return {"parallel_read_safe": True, "parallel_write_safe": True}
