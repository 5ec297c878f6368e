"""analysis.pipeline.sphinx_glue_links: what a number's popover is made of, read from its Every-number entry."""

from __future__ import annotations

from analysis.chapters import reference
from analysis.pipeline import sphinx_glue_links


def test_an_entry_parses_into_value_key_and_the_inputs_that_move_it_most() -> None:
    results = {
        "fleet_capex_usd": {"value": 1880512500.0, "unit": "USD", "notebook": "fleet",
                            "depends_on": {"fleet_h20": 0.43, "fleet_h100": 0.27, "price_h800_usd": 0.16, "fleet_a100": 0.08}},
        "verdict_text": {"value": "consistent", "unit": "text", "notebook": "claims", "depends_on": {"gpu_hour_usd": None}},
        "constant": {"value": 2048.0, "unit": "GPUs", "notebook": "fleet", "depends_on": {}},
    }
    page = reference.every_number_page(results).markdown
    entries = dict(sphinx_glue_links.ENTRY_BODY.findall(page))
    capex = sphinx_glue_links.parse_entry(entries["num-fleet-capex-usd"])
    assert capex["key"] == "fleet_capex_usd" and capex["value"] == "1,880,512,500 USD"
    assert [name for name, _effect, _source in capex["inputs"]] == ["fleet_h20", "fleet_h100", "price_h800_usd"]
    assert capex["inputs"][0][1] == "elasticity +0.43" and capex["inputs"][0][2]  # a source is named
    assert capex["more"] == 1
    verdict = sphinx_glue_links.parse_entry(entries["num-verdict-text"])
    assert verdict["value"] == "consistent" and verdict["inputs"][0][:2] == ["gpu_hour_usd", "changes it"]
    constant = sphinx_glue_links.parse_entry(entries["num-constant"])
    assert constant["inputs"] == [] and constant["value"] == "2,048 GPUs"
