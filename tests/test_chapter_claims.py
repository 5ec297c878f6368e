"""The claims chapter: verdicts against hand calculations from the input figures, and a complete tally.

Default inputs used below: V3 run 2,664,000 + 119,000 + 5,000 H800 GPU-hours at $2 (claim: $6M);
R1's own stages 101,000 + 5,000 + 41,000 GPU-hours (claim: $5M); GPT-4 against Epoch AI's $40.6M amortised
and $78.6M cloud estimates (claim: more than $100M); staff 170 × $300,000 × 1 year; tolerance 25%; ISCA-2025
throughput 272.8B tokens per day for 14.8T tokens.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import nbformat
import numpy as np
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


def _ledger_row(page: Page, claim: str) -> dict:
    frame = chapter_claims.judge(defaults()).table().set_index("id")
    return frame.loc[claim].to_dict()


def test_v3_cost_is_reproduced_on_deepseek_s_terms_whatever_the_reader_s_price(page: Page) -> None:
    # $6M against 2,788,000 × $2 = $5.576M: a gap of 7.6%, inside the rounding factor 1.25.
    assert abs(6e6 - V3_HOURS * 2.0) / (V3_HOURS * 2.0) < 0.25
    assert page["claim_v3_cost_6m_verdict"] == "reproduced from the claimant's own figures"
    assert page["claim_v3_cost_6m_verdict_text"] == (
        "$6M is DeepSeek's own arithmetic, reproduced: 2.79M H800 GPU-hours at $2 an hour is $5.58M.")
    # Issue 25: a reader's price does not turn DeepSeek's sum into a failed check; it gives the book's figure beside it.
    cheap = page_for(gpu_hour_usd=1.5)
    assert cheap["claim_v3_cost_6m_verdict"] == "reproduced from the claimant's own figures"
    assert cheap["claim_v3_cost_6m_verdict_text"].endswith("is $5.58M; at $1.50, $4.18M.")
    assert page_for(gpu_hour_usd=10.0)["claim_v3_cost_6m_verdict"] == "reproduced from the claimant's own figures"
    assert page_for(gpu_hour_usd=10.0)["claim_inference_margin_545_verdict"] == "reproduced from the claimant's own figures"


def test_the_capex_claim_is_placed_in_the_book_s_own_samples(page: Page) -> None:
    from analysis.chapters.uncertainty import simulate

    # On the estimate's own counts: the claim rests on them, so only what the book prices independently varies.
    samples = simulate(defaults(), ("fleet_capex_usd",), counts_given=True).samples["fleet_capex_usd"]
    by_hand = 100 * float((samples < 1.6e9).mean())
    assert page["claim_capex_1_6b_percentile"] == pytest.approx(by_hand)
    p10, p90 = np.percentile(samples, [10, 90])
    assert (page["claim_capex_1_6b_p10"], page["claim_capex_1_6b_p90"]) == (pytest.approx(p10), pytest.approx(p90))
    assert page["claim_capex_1_6b_verdict"] == ("within the book's range" if p10 <= 1.6e9 <= p90 else
                                                "above the book's range" if 1.6e9 > p90 else "below the book's range")
    if p10 <= 1.6e9 <= p90:  # a sentence gives the percentile of a claim inside the range, the range of one outside it
        assert f"{chapter_claims.ledger.ordinal(by_hand)} percentile" in page["claim_capex_1_6b_verdict_text"]
    else:
        assert chapter_claims.usd_sig(p10) in page["claim_capex_1_6b_verdict_text"]
    # Inside a range built on the estimate's own counts: the sentence says that only its prices were tested, and gives
    # the same quantity on DeepSeek's own floor beside it.
    if p10 <= 1.6e9 <= p90:
        assert page["claim_capex_1_6b_verdict_text"].startswith("On the estimate's counts, its prices check out: ")
        assert f"DeepSeek's floor: {page['claim_capex_1_6b_on_floor_text']}" in page["claim_capex_1_6b_verdict_text"]
    else:
        assert "on the estimate's counts" in page["claim_capex_1_6b_verdict_text"]


def test_a_verdict_on_the_estimate_s_counts_gives_deepseek_s_floor(page: Page) -> None:
    from analysis.chapters import fleet
    from analysis.chapters.inputs import cost_model

    on_floor = cost_model(fleet.floor_params(defaults()))
    # GPU spend on DeepSeek's floor (Fire-Flyer 2's A100s and the peak serving day's H800s), far below "more than $500M".
    assert page["claim_gpu_spend_500m_on_floor"] == pytest.approx(on_floor["fleet_gpu_spend_usd"])
    assert page["claim_gpu_spend_500m_on_floor"] < 500e6
    assert page["claim_gpu_spend_500m_verdict"] == "holds across the book's range"  # on the estimate's counts
    # With the estimate's GPUs held almost any price clears $500M, and DeepSeek's floor does not: the counts decide it,
    # so neither the badge nor the sentence presents it as a check of the prices.
    text = page["claim_gpu_spend_500m_verdict_text"]
    assert page["claim_gpu_spend_500m_badge"] == "rests on the estimate's counts"
    span = f"{chapter_claims.usd_sig(page['claim_gpu_spend_500m_p10'])}–{chapter_claims.usd_sig(page['claim_gpu_spend_500m_p90'])}"
    assert text == (f"Holds only if the estimate's counts are right ({span} on them); on DeepSeek's floor it is "
                    f"{page['claim_gpu_spend_500m_on_floor_text']}, below $500M.")
    assert "check out" not in text
    for cid, key in (("capex_1_6b", "fleet_capex_usd"), ("opex_944m", "fleet_opex_usd")):
        assert page[f"claim_{cid}_on_floor"] == pytest.approx(on_floor[key])


def test_the_estimate_s_counts_move_together_in_the_monte_carlo() -> None:
    from analysis.chapters.uncertainty import simulate

    sim = simulate(defaults(), ("fleet_capex_usd",))
    pairs = {(c.a, c.b) for c in sim.correlations}
    assert {("fleet_h800", "fleet_h100"), ("fleet_h800", "fleet_h20"), ("fleet_h100", "fleet_h20")} <= pairs
    # Correlated counts widen the capex range against independent ones (same draws otherwise).
    from analysis.chapters.inputs import gpu_catalogue, r1_gpu_hours
    from analysis.model import uncertainty as unc

    independent = unc.monte_carlo(sim.values, sim.dists, gpu_catalogue(), r1_gpu_hours(), 20_000, 1, keys=("fleet_capex_usd",))
    together = unc.monte_carlo(sim.values, sim.dists, gpu_catalogue(), r1_gpu_hours(), 20_000, 1, keys=("fleet_capex_usd",),
                               correlations=sim.correlations)
    width = lambda s: float(np.subtract(*np.percentile(s["fleet_capex_usd"], [90, 10])))  # noqa: E731
    assert width(together) > 1.15 * width(independent)


def test_deepseek_s_floor_cannot_refute_a_higher_figure() -> None:
    floor = page_for(fleet_a100=10_000, fleet_h800=2224, fleet_h100=0, fleet_h20=0)
    assert floor["claim_capex_1_6b_verdict"] == "above DeepSeek's own floor"
    assert "cannot rule it out" in floor["claim_capex_1_6b_verdict_text"]
    assert floor["claim_opex_944m_verdict"] == "above DeepSeek's own floor"
    # One GPU more than the floor is not the floor: the counts are an estimate again.
    assert page_for(fleet_a100=10_000, fleet_h800=2225, fleet_h100=0, fleet_h20=0)["claim_capex_1_6b_verdict"] != "above DeepSeek's own floor"


def test_r1_and_gpt4_by_one_scope_rule(page: Page) -> None:
    # R1 alone: 147,000 × $2 = $294K, far from $5M; it fits R1 with the V3 run: $294K + $5.576M = $5.87M.
    # One figure of DeepSeek's, not a range: "above DeepSeek's figure".
    assert page["claim_r1_cost_5m_verdict"] == "above DeepSeek's figure"
    assert page["claim_r1_cost_5m_badge"] == "above DeepSeek's figure"
    assert page["claim_r1_cost_5m_verdict_text"] == ("$5M is far above DeepSeek's figure for R1's own training at $2 an hour ($294K); "
                                                     "it fits V3's run and R1's together ($5.87M, within 25%).")
    assert page["claim_r1_cost_5m_rests_on"].startswith("DeepSeek's R1 GPU-hours")
    assert page["claim_gpt4_cost_100m_verdict"] == "unverifiable"  # the book computes no range for all of GPT-4's training
    # Two methods, not one range: each named.
    assert "$40.6M amortised and $78.6M at cloud prices" in page["claim_gpt4_cost_100m_verdict_text"]
    assert page["gpt4_claim_over_epoch_amortised"] == pytest.approx(100e6 / 40.6e6)
    assert page["gpt4_claim_over_epoch_cloud"] == pytest.approx(100e6 / 78.6e6)
    # Like for like: Epoch's GPT-4 final run at cloud prices over V3's run at DeepSeek's $2.
    assert page["gpt4_over_v3_final_run"] == pytest.approx(78.6e6 / (V3_HOURS * 2.0))
    # ... and at the H800's market rental (data/rental_prices.csv), the basis Epoch's cloud price is on.
    market = float(chapter_claims.data.load_indexed("rental_prices.csv").loc["h800_market", "usd_per_gpu_hour"])
    assert page["v3_final_run_market_usd"] == pytest.approx(V3_HOURS * market)
    assert page["gpt4_over_v3_final_run_market"] == pytest.approx(78.6e6 / (V3_HOURS * market))
    assert page["claimant_price_vs_market"] == "below"
    assert page["h800_market_rental_date_text"] == "March 2025"  # data/rental_prices.csv: 2025-03
    assert page["article_gpt4_over_r1"] == pytest.approx(20.0)


def test_the_headline_is_judged_as_a_development_cost(page: Page) -> None:
    assert page["claim_headline_1_6b_develop_verdict"] == "above the book's range"
    assert "developing V3" in page["claim_headline_1_6b_develop_verdict_text"]
    assert "it fits the whole fleet's capex" in page["claim_headline_1_6b_develop_verdict_text"]
    assert page["claim_headline_1_6b_develop_percentile"] > 99


def test_gpu_count_is_checked_by_a_second_path(page: Page) -> None:
    gpus = 2_664_000 / (14.8e12 / 272.8e9 * 24)
    assert abs(gpus - 2048) / gpus < 0.01
    assert page["claim_v3_gpus_2048_verdict"] == "reproduced from the claimant's own figures"
    frame, _ = page.tables["cross_checks"]
    paths = frame.set_index("Claim")["Second path (independent unless it says not)"]
    assert "agrees" in paths["V3 was trained on 2,048 GPUs"] and "agrees" in paths["DeepSeek-V3 was trained for about $6 million"]


def test_fleet_counts_are_taken_on_trust(page: Page) -> None:
    for claim in ("fleet_hopper_50k", "fleet_h800_10k", "fleet_h100_10k", "fleet_h20"):
        assert page[f"claim_{claim}_verdict"] == "assumed, not checked"
        assert page[f"claim_{claim}_badge"] == "taken on trust"
    assert page["claims_assumed"] == 4
    assert "2,224" in page["claim_fleet_h800_10k_verdict_text"]


def test_descriptions_and_published_figures(page: Page) -> None:
    assert page["claim_mtp_description_verdict"] == "partly borne out"  # loosely put: one extra token, in sequence
    assert page["claim_mla_description_verdict"] == "partly borne out"
    # "Only pre-training": 2,664K of Table 1's 2,788K GPU-hours are pre-training, 95.6%: within the rounding factor.
    assert page["claim_six_m_pretraining_only_verdict"] == "partly borne out"
    assert "95.6%" in page["claim_six_m_pretraining_only_verdict_text"]


def test_every_verdict_sentence_is_short_and_complete(page: Page) -> None:
    from analysis.model.ledger import SENTENCE_LIMIT

    for claim in claim_ids():
        for p in (page, page_for(gpu_hour_usd=3.42, fleet_h20=60_000)):
            text = p[f"claim_{claim}_verdict_text"]
            assert len(text) <= SENTENCE_LIMIT and text.endswith(".") and "?" not in text and "{" not in text, (claim, text)


def test_tally_adds_up(page: Page) -> None:
    from analysis.model.ledger import CHECKED, slug

    ids = claim_ids()
    assert page["claims_total"] == len(ids) >= 20
    counts = [page[f"verdict_count_{slug(v)}"] for v in VERDICTS]
    assert sum(counts) == len(ids)
    verdicts = [page[f"claim_{i}_verdict"] for i in ids]
    assert counts == [verdicts.count(v) for v in VERDICTS]
    assert page["claims_checked"] == sum(v in CHECKED for v in verdicts)
    assert page["claims_checked"] + page["claims_not_checked"] == len(ids)
    on_counts = sum(v in CHECKED and page[f"claim_{i}_rests_on"].startswith("the fleet counts") for i, v in zip(ids, verdicts, strict=True))
    assert page["claims_checked_assuming_counts"] == on_counts >= 3
    on_deepseek = sum(v in CHECKED and page[f"claim_{i}_rests_on"].startswith("DeepSeek's") for i, v in zip(ids, verdicts, strict=True))
    assert page["claims_checked_on_deepseek_figures"] == on_deepseek >= 1  # R1 against DeepSeek's own later GPU-hours
    assert page["claims_checked_independently"] == page["claims_checked"] - on_counts - on_deepseek


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


def test_the_opex_claim_read_as_a_tco_less_capex_adds_the_capital_charge(page: Page) -> None:
    """"$944M" is the estimate's 4-year TCO less capex: with the capital charge (annuity less straight-line on the book's
    capex, over the horizon) beside the book's opex, its own range with the estimate's counts held."""
    from analysis.chapters.inputs import cost_model
    from analysis.model import costs

    p, values = defaults(), cost_model(defaults())
    charge = values["fleet_capex_usd"] * (costs.annuity_factor(p["cost_of_capital"], p["depreciation_years"])
                                          - 1 / p["depreciation_years"]) * p["horizon_years"]
    assert page["fleet_financing_usd"] == pytest.approx(charge)
    assert page["fleet_opex_with_financing_usd"] == pytest.approx(values["fleet_opex_usd"] + charge)
    assert page["fleet_opex_with_financing_usd_p10"] > page["claim_opex_944m_p10"]  # the same draws, a charge added to each
    inside = page["fleet_opex_with_financing_usd_p10"] <= 944e6 <= page["fleet_opex_with_financing_usd_p90"]
    assert page["claim_opex_944m_verdict_with_financing"] == ("within the book's range" if inside else "above the book's range")
    text = page["claim_opex_944m_verdict_text"]
    # The range varies maintenance: the sentence names no single upkeep as if it were held.
    assert "upkeep" not in text
    if inside and page["claim_opex_944m_verdict"] == "above the book's range":  # the sentence says the TCO reading fits
        assert "it fits opex plus financing" in text
        assert page["claim_opex_944m_badge"] == "depends on definition, counts assumed"
    assert "counts assumed" in page["claim_opex_944m_badge"]
    assert page["claim_opex_944m_on_floor"] < page["claim_opex_944m_p10"]  # DeepSeek's floor, quoted on the page


def test_the_capex_claim_with_the_h100_at_its_grey_market_quote(page: Page) -> None:
    """Centring the H100 on China's grey-market quote moves the capex range up by the evidence page's delta."""
    from analysis.chapters import evidence

    ev = evidence.chapter({n: registry()[n].default for n in evidence.PARAMETERS})
    assert ev["capex_h100_grey_delta_usd"] > 0
    assert page["claim_capex_1_6b_p10_at_h100_grey"] > page["claim_capex_1_6b_p10"]
    inside = page["claim_capex_1_6b_p10_at_h100_grey"] <= 1.6e9 <= page["claim_capex_1_6b_p90_at_h100_grey"]
    assert page["claim_capex_1_6b_verdict_at_h100_grey"] == ("within the book's range" if inside else "below the book's range")


def test_the_capex_claim_on_the_gpu_servers_alone(page: Page) -> None:
    """The servers-only figure is capex less the cluster network and the storage and CPU nodes (by hand from the model's
    outputs at the defaults); the claims page places the claim in its range with the counts held, at the book's inputs
    and at the grey-market H100, and says which basis the verdict uses."""
    from analysis.chapters.inputs import cost_model

    r = cost_model({n: registry()[n].default for n in chapter_claims.reconcile.MODEL_PARAMS})
    by_hand = r["fleet_capex_usd"] - r["fleet_network_capex_usd"] - r["fleet_capex_storage_only_usd"] - r["fleet_capex_cpu_usd"]
    assert r["fleet_capex_servers_usd"] == pytest.approx(by_hand, rel=1e-12)
    assert "fleet_capex_servers_usd" in chapter_claims.MONTE_CARLO_KEYS
    assert "fleet_capex_servers_usd" in chapter_claims.claims_check.ON_COUNTS
    for at in ("", "_at_h100_grey"):
        low, high = page[f"claim_capex_1_6b_servers_p10{at}"], page[f"claim_capex_1_6b_servers_p90{at}"]
        assert low < high
        inside = low <= 1.6e9 <= high
        assert page[f"claim_capex_1_6b_servers_verdict{at}"] == ("within the book's range" if inside else
                                                                   ("below" if 1.6e9 < low else "above") + " the book's range")
        assert 0 <= page[f"claim_capex_1_6b_servers_percentile{at}"] <= 100
    # Without the network and the storage and CPU nodes the range sits below the fleet capex's.
    assert page["claim_capex_1_6b_servers_p90"] < page["claim_capex_1_6b_p90"]
    text = page["claim_capex_1_6b_servers_only_text"]
    assert "does not know whether" in text and "the verdict is on fleet capex" in text
    assert page["claim_capex_1_6b_servers_p10_text"] in text and page["claim_capex_1_6b_servers_p90_at_h100_grey_text"] in text
    turn = "holds" if page["claim_capex_1_6b_servers_verdict"] == page["claim_capex_1_6b_verdict"] else "flips"
    assert f"the verdict {turn}" in text
    assert len(page["claim_capex_1_6b_verdict_text"]) <= 160
