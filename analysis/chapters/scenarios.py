"""Chapter "Scenarios side by side": every shipped scenario through the same cost model."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.chapters.inputs import cost_model
from analysis.chapters.page import Page, Value
from analysis.formatting import usd_sig
from analysis.inputs.params import list_scenarios, load_scenario, registry, resolve

# The page resolves each scenario itself: it reads no parameters of the build.
PARAMETERS: tuple[str, ...] = ()


def _changed(overrides: Mapping[str, Value], defaults: Mapping[str, Value]) -> str:
    return ", ".join(f"{k}={v:g}" if not isinstance(v, str) else f"{k}={v}" for k, v in overrides.items() if v != defaults[k]) or "none"


def chapter(p: Mapping[str, Value]) -> Page:
    page = Page()
    defaults = {name: param.default for name, param in registry().items()}
    names = ["default", *list_scenarios()]
    rows, described = [], []
    for name in names:
        resolved = resolve(None if name == "default" else name)
        r = cost_model(resolved.values)  # type: ignore[arg-type]
        title = "Book defaults" if name == "default" else (load_scenario(name).title or name)
        # One row per scenario, one column per output: the widest table a phone or a laptop column can take whole.
        rows.append({
            "Scenario": title,
            "Final run, rented": usd_sig(r["run_rental_usd"]),
            "Owned H800-hour held": f"${r['owned_gpu_hour_usd']:.2f}",
            # Priced per H800-hour held at the ownership cost, R1 included: not DeepSeek's rental sum (the column before).
            "V3 development, owned GPU-hours": usd_sig(r["total_development_cost_usd"]),
            "Fleet GPUs": f"{r['fleet_gpus']:,.0f}",
            "Fleet capex": usd_sig(r["fleet_capex_usd"]),
            "Fleet opex, horizon": usd_sig(r["fleet_opex_usd"]),
        })
        if name != "default":
            s = load_scenario(name)
            described.append({"Scenario": s.title or name, "File": f"scenarios/{name}.yaml", "What it assumes": s.description,
                              "Changed parameters": _changed(resolved.overrides(), defaults)})
    page.number("scenario_count", len(names) - 1, "scenarios")
    page.table("headlines", pd.DataFrame(rows))
    page.table("described", pd.DataFrame(described))
    return page
