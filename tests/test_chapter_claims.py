"""The claims chapter: verdicts against hand calculations from the input figures, and a complete tally.

Default inputs used below: V3 run 2,664,000 + 119,000 + 5,000 H800 GPU-hours at $2 (claim: $6M);
R1's own stages 101,000 + 5,000 + 41,000 GPU-hours (claim: $5M); GPT-4 against Epoch AI's $40.6M amortised
and $78.6M cloud estimates (claim: more than $100M); staff 170 × $300,000 × 1 year; tolerance 25%; ISCA-2025
throughput 272.8B tokens per day for 14.8T tokens.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import nbformat
import pytest

from analysis.chapters import claims as chapter_claims
from analysis.chapters.page import Page
from analysis.inputs.params import registry
from analysis.model.ledger import VERDICTS
from tests.conftest import glue_text_names

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "book" / "claims.ipynb"
V3_HOURS = 2_664_000 + 119_000 + 5_000
R1_HOURS = 101_000 + 5_000 + 41_000


def defaults() -> dict:
    params = registry()
    return {name: params[name].default for name in chapter_claims.PARAMETERS}


def page_for(**overrides: float) -> Page:
    return chapter_claims.chapter({**defaults(), **overrides})


@pytest.fixture(scope="module")
def page() -> Page:
    return page_for()


def claim_ids() -> list[str]:
    with open(ROOT / "data" / "claims.csv", newline="") as f:
        return [row["id"] for row in csv.DictReader(f)]


def test_parameters_are_the_cost_model_the_tolerance_and_the_monte_carlo() -> None:
    assert {"gpu_hour_usd", "claim_tolerance", "mc_samples", "seed", "inference_nodes_avg"} <= set(chapter_claims.PARAMETERS)
    assert len(set(chapter_claims.PARAMETERS)) == len(chapter_claims.PARAMETERS)


def test_v3_cost_is_consistent_at_the_defaults(page: Page) -> None:
    # $6M against 2,788,000 × $2 = $5.576M: a gap of 7.6%, inside 25%.
    assert abs(6e6 - V3_HOURS * 2.0) / (V3_HOURS * 2.0) < 0.25
    # DeepSeek's claim, rebuilt from DeepSeek's own figures: reproduced, not independently confirmed.
    assert page["claim_v3_cost_6m_verdict"] == "reproduced from the claimant's own figures"
    frame, _ = page.tables["ledger"]
    row = frame[frame["Claim"] == "DeepSeek-V3 was trained for about $6 million"].iloc[0]
    assert row["Book (default inputs)"] == "$5.58M" and row["Claimed"] == "$6M"
    robust, _ = page.tables["robustness"]
    assert robust.loc["v3_cost_6m", "Claimed ÷ book"] == pytest.approx(6e6 / 5_576_000, rel=1e-12)
    assert page["claim_v3_cost_6m_ratio"] == pytest.approx(6e6 / 5_576_000, rel=1e-12)
    assert page["claim_v3_cost_6m_verdict_share"] == 1.0  # the rental price is DeepSeek's, not an uncertain input
    assert page["claim_v3_cost_6m_flipped_by"] == "none"  # so no uncertain input flips it (issue 20: not "A100 count")
    assert page["claim_v3_cost_6m_verdict_text"] == "reproduced from the claimant's own figures (DeepSeek's GPU-hours and rental price)"


def test_a_dear_gpu_hour_flips_the_v3_verdict() -> None:
    # At $10/GPU-hour the run costs $27.88M (claimed ÷ book 0.22); the broader scope, V3's whole development, is larger still.
    page = page_for(gpu_hour_usd=10.0)
    assert page["claim_v3_cost_6m_verdict"] == "inconsistent"
    frame, _ = page.tables["ledger"]
    row = frame[frame["Claim"] == "DeepSeek-V3 was trained for about $6 million"].iloc[0]
    assert row["Book (default inputs)"] == "$27.88M"


def test_a_wide_tolerance_accepts_more() -> None:
    page = page_for(claim_tolerance=4.0, gpu_hour_usd=10.0)
    assert page["claim_tolerance"] == 4.0
    assert page["claim_v3_cost_6m_verdict"] == "reproduced from the claimant's own figures"  # 27.88 / 6 = 4.65 ≤ 5
    assert page_for(claim_tolerance=3.0, gpu_hour_usd=10.0)["claim_v3_cost_6m_verdict"] == "inconsistent"  # 4.65 > 4


def test_r1_and_gpt4(page: Page) -> None:
    # R1 alone: 147,000 × $2 = $294K, far from $5M; with the V3 run: $294K + $5.576M = $5.87M, 5 ÷ 5.87 = 0.85.
    assert 1 / 1.25 <= 5e6 / (R1_HOURS * 2 + V3_HOURS * 2) <= 1.25
    assert page["claim_r1_cost_5m_verdict"] == "consistent only with a broader scope"
    assert "R1's own training at the rental price, $294K" in page["claim_r1_cost_5m_verdict_text"]
    # GPT-4 "more than $100M" for all of its training: only its final run is estimated (Epoch AI: $40.6M amortised,
    # $78.6M at cloud prices), a narrower quantity that bounds nothing: unverifiable, with the figures in the words.
    assert page["claim_gpt4_cost_100m_verdict"] == "unverifiable"
    assert "$40.6M amortised" in page.tables["ledger"][0].set_index("Claim").loc["GPT-4 cost more than $100 million to train", "Compared with"]
    assert page["gpt4_claim_over_epoch_amortised"] == pytest.approx(100e6 / 40.6e6)
    assert page["gpt4_claim_over_epoch_cloud"] == pytest.approx(100e6 / 78.6e6)


def test_gpu_count_is_checked_by_an_independent_path(page: Page) -> None:
    # 14.8T tokens ÷ 272.8B per day = 54.25 days; 2,664,000 GPU-hours ÷ (54.25 × 24 h) = 2,046 GPUs.
    gpus = 2_664_000 / (14.8e12 / 272.8e9 * 24)
    assert abs(gpus - 2048) / gpus < 0.01
    assert page["claim_v3_gpus_2048_verdict"] == "reproduced from the claimant's own figures"  # two DeepSeek papers agree
    # Table 1's GPU-hours on half the GPUs would need twice the days the throughput allows.
    assert page_for(v3_pretrain_gpu_hours=1_332_000)["claim_v3_gpus_2048_verdict"] == "inconsistent"
    frame, _ = page.tables["cross_checks"]
    paths = frame.set_index("Claim")["Second path (independent unless it says not)"]
    assert "agrees" in paths["V3 was trained on 2,048 GPUs"] and "agrees" in paths["DeepSeek-V3 was trained for about $6 million"]


def test_fleet_counts_are_assumed_never_consistent(page: Page) -> None:
    for claim in ("fleet_hopper_50k", "fleet_h800_10k", "fleet_h100_10k", "fleet_h20"):
        assert page[f"claim_{claim}_verdict"] == "assumed, not checked"
    assert page_for(fleet_h800=20_000)["claim_fleet_h800_10k_verdict"] == "assumed, not checked"
    assert page["claims_assumed"] == 4
    assert "claim_fleet_h800_10k_ratio" in page.values  # claimed ÷ the book's median count, shown, not judged
    frame, _ = page.tables["cross_checks"]
    floor = frame[frame["Claim"] == "10,000 of them are H800s"]["Second path (independent unless it says not)"].iloc[0]
    assert "2,224 H800s" in floor and "above that floor" in floor


def test_descriptions_contradicted_by_the_config(page: Page) -> None:
    assert page["claim_mtp_description_verdict"] == "inaccurate description"
    assert page["claim_mla_description_verdict"] == "inaccurate description"
    # "Only pre-training": 2,664K of Table 1's 2,788K GPU-hours are pre-training, 95.6%: 1 ÷ 0.956 = 1.05, substantially right.
    assert page["claim_six_m_pretraining_only_verdict"] == "consistent"
    assert page["claim_six_m_pretraining_only_ratio"] == pytest.approx(2_788_000 / 2_664_000)
    assert "substantially right" in page["claim_six_m_pretraining_only_verdict_text"]
    assert "4.4%" in page["claim_six_m_pretraining_only_verdict_text"]
    # Were pre-training only half of the hours, the claim would not hold.
    assert page_for(v3_context_ext_gpu_hours=2_664_000)["claim_six_m_pretraining_only_verdict"] == "inconsistent"


def test_the_headline_and_the_inference_disclosure(page: Page) -> None:
    # V3's development is tens of millions; $1.6B matches only the whole fleet's capex (within a factor 1.25 of it).
    capex = chapter_claims.reconstructions(defaults())["fleet_capex_usd"]
    assert 1 / 1.25 <= 1.6e9 / capex <= 1.25
    assert page["claim_headline_1_6b_develop_verdict"] == "consistent only with a broader scope"
    # It rests on the fleet counts as the $1.6B of capex does: the same words.
    counts = "assuming the fleet counts"
    assert counts in page["claim_headline_1_6b_develop_verdict_text"] and counts in page["claim_capex_1_6b_verdict_text"]
    assert counts in page["claim_gpu_spend_500m_verdict_text"] and counts in page["claim_opex_944m_verdict_text"]
    assert "4 years of the table's" in page["claim_opex_944m_verdict_text"]  # the opex verdict rests on the horizon too
    # DeepSeek's own arithmetic: 226.75 nodes × 8 × 24 h × $2 = $87,072; (562,100 − 87,072) / 87,072 = 5.46.
    assert 226.75 * 8 * 24 * 2 == 87_072
    assert page["claim_inference_cost_87k_verdict"] == page["claim_inference_margin_545_verdict"] == "reproduced from the claimant's own figures"
    assert page_for(gpu_hour_usd=3)["claim_inference_margin_545_verdict"] == "inconsistent"  # cost $130,608 → margin 330%


def test_tally_adds_up(page: Page) -> None:
    from analysis.model.ledger import CHECKED, slug

    ids = claim_ids()
    assert page["claims_total"] == len(ids) >= 20
    counts = [page[f"verdict_count_{slug(v)}"] for v in VERDICTS]
    assert sum(counts) == len(ids)
    verdicts = [page[f"claim_{i}_verdict"] for i in ids]
    assert page["claims_checked_assuming_counts"] == sum(
        v in CHECKED and "assuming the fleet counts" in page[f"claim_{i}_verdict_text"] for i, v in zip(ids, verdicts, strict=True))
    assert counts == [verdicts.count(v) for v in VERDICTS]
    assert page["claims_checked"] == sum(v in CHECKED for v in verdicts)
    assert page["claims_checked"] + page["claims_not_checked"] == len(ids)
    # A check on the estimate's own GPU counts is not an independent one (DEVELOPERS.md: a verdict that holds because
    # the book's input is the claim's is not counted as a check).
    assert page["claims_checked_independently"] == page["claims_checked"] - page["claims_checked_assuming_counts"]
    assert page["claims_checked_independently"] == sum(
        v in CHECKED and "assuming" not in page[f"claim_{i}_verdict_text"].split(":")[0] for i, v in zip(ids, verdicts, strict=True))


def test_shares_are_fractions_for_figure_claims_only(page: Page) -> None:
    shares = {k: v for k, v in page.values.items() if k.endswith("_verdict_share")}
    assert "claim_capex_1_6b_verdict_share" in shares and "claim_fleet_h800_10k_verdict_share" not in shares
    assert all(0 <= g.value <= 1 for g in shares.values())
    # Every claim with a share names what flips it, or "none".
    for key in shares:
        claim = key.removesuffix("_verdict_share")
        assert page[f"{claim}_flipped_by"] == "none" or page[f"{claim}_flipped_by"].endswith(("at its P10", "at its P90"))


def test_shown() -> None:
    assert chapter_claims.shown(None, "USD") == "—"
    assert chapter_claims.shown(math.nan, "GPUs") == "—"
    assert chapter_claims.shown(1.6e9, "USD") == "$1.6B"
    assert chapter_claims.shown(5_576_000, "USD") == "$5.58M"
    assert chapter_claims.shown(2048, "GPUs") == "2,048"


def test_every_glue_name_of_the_prose_is_produced(page: Page) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    texts = glue_text_names(prose)
    figures = set(re.findall(r"\{glue:figure\}\s+(\S+)", prose))
    assert texts
    assert texts <= set(page.values), texts - set(page.values)
    assert figures <= set(page.figures), figures - set(page.figures)
    shows = set(re.findall(r'page\.show\("([^"]+)"\)', "\n".join(c.source for c in nb.cells if c.cell_type == "code")))
    assert shows == set(page.tables) | set(page.html)
