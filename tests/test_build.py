"""Full strict builds through the CLI: results.json contract, glued prose, offline pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import page_text, results_of

REQUIRED_KEYS = [
    "v3_gpu_hours_total", "v3_training_cost_usd",  # foundation
    "v3_total_params", "v3_active_params", "v3_mtp_params", "v3_active_fraction",  # architecture
    "v3_kv_cache_bytes_per_token", "v3_mha_equiv_kv_cache_bytes_per_token",
    "v3_training_flops", "v3_implied_mfu_bf16", "v3_implied_mfu_fp8", "v3_pretrain_days",  # training compute
    "v3_gpu_hours_per_trillion_tokens", "r1_training_cost_usd", "llama31_405b_cost_usd",
    "fleet_gpus", "fleet_hopper_gpus", "fleet_capex_usd", "fleet_opex_usd", "owned_gpu_hour_usd",  # fleet
    "fleet_capex_replacement_usd", "fleet_book_value_2025_usd", "owned_gpu_useful_hour_usd", "v3_run_cost_neocloud_usd",  # schema 2
    "fleet_floor_gpus", "fleet_share_high_flyer", "fleet_hours_other_models_m", "inference_margin_owned_cost",
    "v3_run_share_of_fleet_year", "total_development_cost_usd", "capex_implied_price_per_gpu_usd",
]


def test_results_json_contract(default_build: Path) -> None:
    results = results_of(default_build)
    for key in REQUIRED_KEYS:
        assert set(results[key]) == {"value", "unit", "notebook", "depends_on"}, key
    # DeepSeek-V3 report, Table 1: 2,788K GPU-hours, $5.576M at $2/GPU-hour.
    assert results["v3_gpu_hours_total"]["value"] == 2_788_000
    assert results["v3_gpu_hours_total"]["unit"] == "GPU-hours"
    assert results["v3_training_cost_usd"]["value"] == 5_576_000
    assert results["v3_training_cost_usd"]["unit"] == "USD"
    assert round(results["v3_total_params"]["value"] / 1e9) == 671
    assert results["v3_kv_cache_bytes_per_token"]["value"] == 35_136 * 2  # BF16 default
    meta = results["_meta"]
    assert meta["schema_version"] == 3  # CHANGELOG.md: what changed meaning in schemas 2 and 3
    assert meta["scenario"] == "default"
    assert meta["parameters"]["gpu_hour_usd"] == {"value": 2.0, "origin": "default"}
    assert set(meta["versions"]) == {"git", "date", "code_sha256", "data_sha256"}


def test_every_value_says_what_it_depends_on(default_build: Path) -> None:
    results = results_of(default_build)
    values = {k: v for k, v in results.items() if k != "_meta"}
    assert all("depends_on" in v for v in values.values())
    # The examples: the run cost depends on the price (elasticity 1) and the three stage GPU-hours;
    # the parameter count of V3 depends on no parameter at all.
    run = values["v3_training_cost_usd"]["depends_on"]
    assert run["gpu_hour_usd"] == pytest.approx(1.0)
    assert set(run) == {"gpu_hour_usd", "v3_pretrain_gpu_hours", "v3_context_ext_gpu_hours", "v3_post_training_gpu_hours"}
    assert values["v3_total_params"]["depends_on"] == {}
    # Most influential first.
    capex = list(values["fleet_capex_usd"]["depends_on"].values())
    numeric = [e for e in capex if e is not None]
    assert numeric == sorted(numeric, key=lambda e: -abs(e)) and capex[: len(numeric)] == numeric  # choices (no elasticity) last
    assert values["fleet_capex_usd"]["depends_on"]["gpu_price_basis"] is None  # a choice moves it, with no elasticity
    # Every value has an entry on the "Every number" page, and the prose links to it.
    page = (default_build / "html" / "book" / "every_number.html").read_text()
    anchors = set(re.findall(r'id="(num-[a-z0-9-]+)"', page))
    assert len(anchors) >= len(values)
    intro = (default_build / "html" / "book" / "intro.html").read_text()
    links = set(re.findall(r'href="every_number\.html#(num-[a-z0-9-]+)"', intro))
    assert links and links <= anchors


def test_intro_page_shows_default_numbers(default_build: Path) -> None:
    text = page_text(default_build, "intro")
    assert "$5.58M" in text  # three significant figures on the landing page; the exact value is in results.json
    assert "2.79 million H800 GPU-hours rented at $2.00" in text


def test_training_compute_defaults(default_build: Path) -> None:
    r = {k: v["value"] for k, v in results_of(default_build).items() if k != "_meta"}
    assert r["v3_gpu_hours_per_trillion_tokens"] == pytest.approx(180_000)  # V3 report p.5
    assert r["r1_training_cost_usd"] == 294_000  # R1 Nature supplementary, at $2
    assert r["llama31_405b_cost_usd"] == pytest.approx(61.68e6)
    assert 0.3 < r["v3_implied_mfu_bf16"] < 0.4 and r["v3_implied_mfu_fp8"] == pytest.approx(r["v3_implied_mfu_bf16"] / 2, rel=1e-3)


def test_overrides_move_every_dependent_number_consistently(default_build: Path, override_build: Path) -> None:
    """-p gpu_hour_usd=3 -p training_tokens=10e12 against the defaults (2.0, 14.8e12)."""
    base = {k: v["value"] for k, v in results_of(default_build).items() if k != "_meta"}
    new = {k: v["value"] for k, v in results_of(override_build).items() if k != "_meta"}
    price, tokens = 3 / 2, 10e12 / 14.8e12
    for key in ("v3_training_cost_usd", "r1_training_cost_usd", "llama31_405b_cost_usd", "v3_training_cost_at_price_usd"):
        assert new[key] == pytest.approx(base[key] * price), key
    assert new["v3_training_flops"] == pytest.approx(base["v3_training_flops"] * tokens)
    for key in ("v3_implied_mfu_bf16", "v3_implied_mfu_fp8"):
        assert new[key] == pytest.approx(base[key] * tokens), key
    assert new["v3_gpu_hours_per_trillion_tokens"] == pytest.approx(base["v3_gpu_hours_per_trillion_tokens"] / tokens)
    assert new["v3_pretrain_days"] == base["v3_pretrain_days"]  # GPU-hours and GPUs unchanged
    assert new["v3_total_params"] == base["v3_total_params"]  # architecture reads neither parameter


def test_override_changes_the_book(override_build: Path) -> None:
    results = results_of(override_build)
    assert results["v3_training_cost_usd"]["value"] == 2_788_000 * 3
    assert results["_meta"]["parameters"]["gpu_hour_usd"] == {"value": 3.0, "origin": "command line"}
    text = page_text(override_build, "intro")
    assert "rented at $3.00 each: $8.36M" in text  # the ledger still quotes DeepSeek's own $5.58M, on its terms


def test_pages_load_nothing_from_the_network(default_build: Path) -> None:
    external = re.compile(r"""<(?:script|link|img|iframe)[^>]+(?:src|href)=["'](?:https?:)?//""", re.I)
    pages = list((default_build / "html").rglob("*.html"))
    assert pages
    for page in pages:
        found = external.findall(page.read_text())
        assert not found, f"{page.name} loads {found[:3]}"


def test_no_glue_artefacts_in_pages(default_build: Path) -> None:
    for page in (default_build / "html" / "book").glob("*.html"):
        text = page_text(default_build, page.stem)
        for artefact in ("np.float64", "nan", "<Figure", "Traceback", "{glue"):
            assert not re.search(rf"(?<![\w]){re.escape(artefact)}(?![\w])", text), f"{page.name}: {artefact}"


def test_downloads_published(default_build: Path) -> None:
    downloads = default_build / "html" / "downloads"
    assert (downloads / "results.json").read_text() == (default_build / "results.json").read_text()
    assert (downloads / "intro.ipynb").exists()


def test_fleet_overrides_move_capex_ownership_waterfall_and_verdicts(default_build: Path, override_build: Path) -> None:
    """-p fleet_h20=5000 -p price_h800_usd=40000 (defaults 30,000 and $26,006 as paid), checked by hand."""
    from analysis.inputs import data
    from analysis.inputs.params import registry
    from analysis.model import costs

    p = {name: q.default for name, q in registry().items()}
    base = {k: v["value"] for k, v in results_of(default_build).items() if k != "_meta"}
    new = {k: v["value"] for k, v in results_of(override_build).items() if k != "_meta"}
    gpus_before, gpus_after = 60_000, 35_000
    assert (base["fleet_gpus"], new["fleet_gpus"]) == (gpus_before, gpus_after)
    assert (base["fleet_hopper_gpus"], new["fleet_hopper_gpus"]) == (50_000, 25_000)
    h20_all_in = p["price_h20_usd"] + p["h20_server_non_gpu_usd"] / 8 + p["network_usd_per_gpu"]
    # Storage scales with the GPU count (Fire-Flyer 2's ratio of storage nodes to GPUs), each node a two-CPU server priced
    # as a CPU node plus its flash; the CPU nodes do not scale.
    storage_per_gpu = p["storage_nodes_per_gpu"] * (p["cpu_node_usd"] + p["storage_node_ssd_tb"] * p["ssd_usd_per_tb"])
    delta_capex = -25_000 * (h20_all_in + storage_per_gpu) + p["fleet_h800"] * (40_000 - p["price_h800_usd"])
    assert new["fleet_capex_usd"] == pytest.approx(base["fleet_capex_usd"] + delta_capex)
    assert new["capex_implied_price_per_gpu_usd"] == pytest.approx(1.6e9 / gpus_after)
    # The ownership cost per hour held follows the H800's price (capital annuity and maintenance) and the cluster
    # staff's share per GPU (fewer GPUs, a larger share).
    annuity = costs.annuity_factor(p["cost_of_capital"], p["depreciation_years"])
    staff = p["ops_staff_headcount"] * p["staff_loaded_cost_usd"]
    delta_owned = ((annuity + p["maintenance_share_per_year"]) * (40_000 - p["price_h800_usd"])
                   + staff / gpus_after - staff / gpus_before) / 8760
    assert new["owned_gpu_hour_usd"] - base["owned_gpu_hour_usd"] == pytest.approx(delta_owned)
    held_hours = 2_788_000 + data.run_gpu_hours("DeepSeek-R1")
    research_hours = 2_788_000 * (p["research_multiplier"] - 1)  # research compute, at the same price per hour held
    expected = base["total_development_cost_usd"] + delta_owned * (held_hours + research_hours)  # every development hour held
    assert new["total_development_cost_usd"] == pytest.approx(expected)
    assert new["waterfall_run_rental_usd"] == pytest.approx(2_788_000 * 3)
    assert new["v3_run_share_of_fleet_year_by_count"] == pytest.approx(base["v3_run_share_of_fleet_year_by_count"] * gpus_before / gpus_after)
    h800_eq = {"a100": 312 / 989, "h800": 1.0, "h100": 1.0, "h20": 148 / 989}
    before = 10_000 * h800_eq["a100"] + 20_000 + 30_000 * h800_eq["h20"]
    after = 10_000 * h800_eq["a100"] + 20_000 + 5_000 * h800_eq["h20"]
    assert new["v3_run_share_of_fleet_year"] == pytest.approx(base["v3_run_share_of_fleet_year"] * before / after)
    # The ledger follows: capex moves with the fleet; the fleet counts stay "assumed" (the input is the claim).
    assert base["claim_fleet_hopper_50k_verdict"] == new["claim_fleet_hopper_50k_verdict"] == "assumed, not checked"
