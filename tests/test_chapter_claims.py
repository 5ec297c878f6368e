"""The claims chapter: verdicts against hand calculations from the input figures, and a complete tally.

Default inputs used below: V3 run 2,664,000 + 119,000 + 5,000 H800 GPU-hours at $2 (claim: $6M);
R1's own stages 101,000 + 5,000 + 41,000 GPU-hours (claim: $5M); GPT-4 57,000,000 A100-hours (claim: more
than $100M); staff 200 × $300,000 × 0.64 years; tolerance 25%.
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


def test_parameters_are_the_cost_model_and_the_tolerance() -> None:
    assert chapter_claims.PARAMETERS[-1] == "claim_tolerance"
    assert "gpu_hour_usd" in chapter_claims.PARAMETERS and len(set(chapter_claims.PARAMETERS)) == len(chapter_claims.PARAMETERS)


def test_v3_cost_is_consistent_at_the_defaults(page: Page) -> None:
    # $6M against 2,788,000 × $2 = $5.576M: a gap of 7.6%, inside 25%.
    assert abs(6e6 - V3_HOURS * 2.0) / (V3_HOURS * 2.0) < 0.25
    assert page["verdict_v3_cost_6m"] == "consistent"
    frame, _ = page.tables["ledger"]
    row = frame[frame["Claim"] == "DeepSeek-V3 was trained for about $6 million"].iloc[0]
    assert row["Book"] == "$5.58M" and row["Claimed"] == "$6M"
    assert row["Gap"] == pytest.approx((6e6 - 5_576_000) / 5_576_000, rel=1e-12)


def test_a_dear_gpu_hour_flips_the_v3_verdict() -> None:
    # At $10/GPU-hour the run costs $27.88M (gap 78%); the broader scope, V3's whole development,
    # includes at least 200 × $300,000 × 0.64 = $38.4M of staff, so $6M matches neither.
    page = page_for(gpu_hour_usd=10.0)
    assert page["verdict_v3_cost_6m"] == "inconsistent"
    frame, _ = page.tables["ledger"]
    row = frame[frame["Claim"] == "DeepSeek-V3 was trained for about $6 million"].iloc[0]
    assert row["Book"] == "$27.88M"
    assert row["Gap"] == pytest.approx((V3_HOURS * 10.0 - 6e6) / (V3_HOURS * 10.0), rel=1e-12)


def test_a_wide_tolerance_accepts_more() -> None:
    # With a 100% tolerance the $6M claim matches the $27.88M run again.
    page = page_for(claim_tolerance=1.0, gpu_hour_usd=10.0)
    assert page["claim_tolerance"] == 1.0
    assert page["verdict_v3_cost_6m"] == "consistent"  # |6 − 27.88| / 27.88 = 0.78 ≤ 1


def test_r1_and_gpt4(page: Page) -> None:
    # R1 alone: 147,000 × $2 = $294K, far from $5M; with the V3 run: $294K + $5.576M = $5.87M, 15% off.
    assert abs(5e6 - (R1_HOURS * 2 + V3_HOURS * 2)) / (R1_HOURS * 2 + V3_HOURS * 2) < 0.25
    assert page["verdict_r1_cost_5m"] == "consistent only with a broader scope"
    # GPT-4: 57,000,000 × $2 = $114M ≥ $100M × 0.75.
    assert page["verdict_gpt4_cost_100m"] == "consistent"
    assert page_for(gpu_hour_usd=1.0)["verdict_gpt4_cost_100m"] == "inconsistent"  # $57M < $75M


def test_counts_come_from_the_parameters(page: Page) -> None:
    assert page["verdict_v3_gpus_2048"] == "consistent"
    assert page_for(training_gpus=4096)["verdict_v3_gpus_2048"] == "inconsistent"  # 2048 vs 4096: gap 50%
    assert page["verdict_fleet_h800_10k"] == "consistent"
    assert page_for(fleet_h800=20_000)["verdict_fleet_h800_10k"] == "inconsistent"


def test_tally_adds_up(page: Page) -> None:
    ids = claim_ids()
    assert page["claims_total"] == len(ids)
    counts = [page[f"verdict_count_{v.replace(' ', '_')}"] for v in VERDICTS]
    assert sum(counts) == len(ids)
    verdicts = [page[f"verdict_{i}"] for i in ids]
    assert counts == [verdicts.count(v) for v in VERDICTS]
    assert page["verdict_mtp_description"] == "unverifiable"


def test_shown() -> None:
    assert chapter_claims.shown(None, "USD") == "—"
    assert chapter_claims.shown(math.nan, "GPUs") == "—"
    assert chapter_claims.shown(1.6e9, "USD") == "$1.6B"
    assert chapter_claims.shown(5_576_000, "USD") == "$5.58M"
    assert chapter_claims.shown(2048, "GPUs") == "2,048"


def test_every_glue_name_of_the_prose_is_produced(page: Page) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    texts = set(re.findall(r"\{glue:text\}`([^`:]+)", prose))
    figures = set(re.findall(r"\{glue:figure\}\s+(\S+)", prose))
    assert texts
    assert texts <= set(page.values), texts - set(page.values)
    assert figures <= set(page.figures), figures - set(page.figures)
    shows = set(re.findall(r'page\.show\("([^"]+)"\)', "\n".join(c.source for c in nb.cells if c.cell_type == "code")))
    assert shows == set(page.tables) | set(page.html)
