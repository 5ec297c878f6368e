"""A small Sphinx extension: each chart is served by width, its phone variant on a phone, the wide one elsewhere.

A chart's glue record carries, in its metadata, the phone variant's PNG and both images' smallest text in pixels
(analysis.chapters.page.glue_chart). The {glue:figure} directive is replaced by one that, after myst-nb has pasted the
wide image, writes the phone PNG beside it and wraps both in a `chart_picture` node, which HTML writes as

    <picture><source media="screen and (max-width: 640px)" srcset="…narrow.png" width=… height=… data-min-font-px=…>
    <img src="…wide.png" data-min-font-px=…></picture>

so a phone loads the chart drawn for it, and print (the PDF) and wider screens the wide one. Offline: both are files
of the book.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
import struct
import urllib.parse
from typing import Any

from docutils import nodes

CHART_METADATA = "cost_book_chart"  # as analysis.chapters.page.CHART_METADATA (kept apart: no kernel-side import here)
PHONE_MEDIA = "screen and (max-width: 640px)"


class chart_picture(nodes.General, nodes.Element):  # noqa: N801 (docutils names nodes in lower case)
    """A chart's wide image (its one child) with its phone variant as attributes."""


def _png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _directive() -> Any:
    from myst_nb.ext.glue.directives import PasteFigureDirective
    from myst_nb.ext.glue.utils import RetrievalError, retrieve_glue_data

    class ChartFigureDirective(PasteFigureDirective):
        def run(self) -> list[nodes.Node]:
            result = super().run()
            try:
                data = retrieve_glue_data(self.document, self.arguments[0])
            except RetrievalError:
                return result
            chart = (data.metadata or {}).get(CHART_METADATA) or {}
            for figure in result:
                images = list(figure.findall(nodes.image)) if isinstance(figure, nodes.Element) else []
                if len(images) != 1:
                    continue
                image = images[0]
                image["min_font_px"] = chart.get("min_font_px", 0)
                if not chart.get("narrow_png"):
                    continue
                png = base64.b64decode(chart["narrow_png"])
                renderer = data.nb_renderer
                uri = renderer.write_file([hashlib.sha256(png).hexdigest() + ".png"], png, overwrite=False, exists_ok=True)
                width, height = _png_size(png)
                narrow = nodes.image(uri=uri, candidates={"*": uri}, alt=image.get("alt", ""), classes=["chart-narrow"])
                picture = chart_picture("", narrow_width=width, narrow_height=height,
                                        narrow_min_font_px=chart.get("narrow_min_font_px", 0))
                image.replace_self(picture)
                picture += [narrow, image]
            return result

    return ChartFigureDirective


def _uri(translator: Any, image: nodes.image) -> str:
    uri = image["uri"]
    images = translator.builder.images
    return posixpath.join(translator.builder.imgpath, urllib.parse.quote(images[uri])) if uri in images else uri


def visit_chart_picture(translator: Any, node: chart_picture) -> None:
    narrow, wide = node.children
    translator.body.append(
        f'<picture class="chart-picture"><source media="{PHONE_MEDIA}" srcset="{translator.attval(_uri(translator, narrow))}" '
        f'width="{node["narrow_width"]}" height="{node["narrow_height"]}" data-min-font-px="{node["narrow_min_font_px"]}">')
    node.remove(narrow)


def depart_chart_picture(translator: Any, node: chart_picture) -> None:
    translator.body.append("</picture>")


def visit_image(translator: Any, node: nodes.image) -> None:
    """Sphinx's own, then the chart's smallest text as a data attribute (the phone test measures it)."""
    from sphinx.writers.html5 import HTML5Translator

    before = len(translator.body)
    HTML5Translator.visit_image(translator, node)
    if "min_font_px" in node.attributes:
        for i in range(before, len(translator.body)):
            if translator.body[i].startswith("<img "):
                translator.body[i] = translator.body[i].replace("<img ", f'<img data-min-font-px="{node["min_font_px"]}" ', 1)
                break


def depart_image(translator: Any, node: nodes.image) -> None:
    from sphinx.writers.html5 import HTML5Translator

    HTML5Translator.depart_image(translator, node)


def setup(app: Any) -> dict[str, Any]:
    app.setup_extension("myst_nb")
    app.add_node(chart_picture, html=(visit_chart_picture, depart_chart_picture))
    app.add_node(nodes.image, override=True, html=(visit_image, depart_image))
    app.add_directive_to_domain("glue", "figure", _directive(), override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
