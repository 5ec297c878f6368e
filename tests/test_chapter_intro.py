"""The landing page's chapter function: the final run, the headlines and the claims, checked by hand."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from analysis.chapters import claims as claims_chapter
from analysis.chapters import intro
from analysis.chapters import uncertainty as uncertainty_chapter
from analysis.chapters.inputs import cost_model
from analysis.chapters.page import Page
from analysis.formatting import usd_sig
from analysis.inputs.params import registry
from analysis.model import reconcile
from tests.conftest import markdown_glue_names

NOTEBOOK = Path(__file__).resolve().parent.parent / "book" / "intro.ipynb"
DEFAULTS = {n: registry()[n].default for n in intro.PARAMETERS}
FAST = {**DEFAULTS, "mc_samples": 2000}


@pytest.fixture(scope="module")
def page() -> Page:
    return intro.chapter(FAST)



def test_parameters_are_the_cost_model_and_the_monte_carlo() -> None:
    assert intro.PARAMETERS[0] == "gpu_hour_usd"
    assert intro.PARAMETERS[-2:] == ("mc_samples", "seed")
    assert set(claims_chapter.PARAMETERS) <= set(intro.PARAMETERS)  # it quotes the ledger's verdicts
    assert len(set(intro.PARAMETERS)) == len(intro.PARAMETERS)


def test_final_run_is_the_v3_reports_table_1(page: Page) -> None:
    # DeepSeek-V3 technical report, Table 1: 2,664K + 119K + 5K = 2,788K H800 GPU-hours at $2 → $5.576M.
    assert page["v3_gpu_hours_total"] == 2_788_000
    assert page["v3_gpu_hours_total_millions"] == pytest.approx(2.788)
    assert page["v3_pretrain_cost_usd"] == 5_328_000
    assert page["v3_context_ext_cost_usd"] == 238_000
    assert page["v3_post_training_cost_usd"] == 10_000
    assert page["v3_training_cost_usd"] == 5_576_000
    assert page["v3_training_cost_text"] == "$5.58M"  # three significant figures on the first screen
    assert page["gpu_hour_usd"] == 2.0


def test_a_higher_rental_price_moves_the_run_cost_and_not_the_development_cost(page: Page) -> None:
    dearer = intro.chapter({**FAST, "gpu_hour_usd": 3.0})
    assert dearer["v3_training_cost_usd"] == pytest.approx(2_788_000 * 3.0)  # $8.364M
    assert dearer["v3_training_cost_text"] == "$8.36M"
    assert dearer["v3_pretrain_cost_usd"] == pytest.approx(2_664_000 * 3.0)
    # Development is costed at ownership, not rental: the rental price does not reach it.
    assert dearer["headline_dev_text"] == page["headline_dev_text"]
    assert dearer["headline_owned_text"] == page["headline_owned_text"]


def test_owned_h800_hour_is_the_value_at_the_central_inputs_by_hand(page: Page) -> None:
    ranges = uncertainty_chapter.simulate(FAST).ranges["owned_gpu_hour_usd"]
    # At the default inputs, by hand: H800 $26,006 as paid + $53,700/8 of server + $4,390 of network; 4.45% over 4.5
    # years; 3.11% upkeep; 700 W × 1.82 server factor × 0.75 draw × PUE 1.304 at $0.088/kWh; $1,021 rack rental; 36
    # cluster staff at $175,000 over 60,000 GPUs; per hour held (8,760 h).
    all_in = 26_006 + 53_700 / 8 + 4_390
    yearly = (all_in * 0.0445 / (1 - 1.0445 ** -4.5) + 0.7 * 1.82 * 0.75 * 1.304 * 8760 * 0.088 + 1021 + all_in * 0.0311
              + 36 * 175_000 / 60_000)
    point = cost_model({n: FAST[n] for n in reconcile.MODEL_PARAMS})["owned_gpu_hour_usd"]
    assert point == pytest.approx(yearly / 8760)
    # One value per quantity (issue 24): the headline is the value at the central inputs, the range beside it.
    assert page["headline_owned_text"] == f"${point:.2f}"
    assert page["headline_owned_gpu_hour_usd"] == pytest.approx(point)
    assert page["headline_owned_p10_text"] == f"${ranges['p10']:.2f}" and page["headline_owned_p90_text"] == f"${ranges['p90']:.2f}"
    assert page["headline_owned_gpu_hour_usd_p90"] == pytest.approx(ranges["p90"])
    assert page["headline_owned_vs_rental"] == ("close to" if abs(point / 2 - 1) <= 0.15 else "below")


def test_fleet_headlines_by_hand(page: Page) -> None:
    r = cost_model({n: FAST[n] for n in reconcile.MODEL_PARAMS})
    assert page["headline_fleet_gpus"] == 60_000  # the estimate's counts, the medians of their ranges
    assert page["headline_hopper_gpus"] == 50_000 and page["headline_a100_gpus"] == 10_000  # why 60,000, not 50,000
    assert page["headline_run_share_text"] == f"{r['v3_run_share_of_fleet_year']:.1%}"
    assert page["headline_horizon_years"] == 4
    assert page["headline_capex_text"] == usd_sig(r["fleet_capex_usd"]) == "$1.73B"
    assert page["headline_capex_usd"] == pytest.approx(r["fleet_capex_usd"])


def test_claims_are_the_articles_figures(page: Page) -> None:
    assert page["claim_v3_cost_6m_text"] == "$6M"
    assert page["claim_v3_gpus_2048_text"] == "2,048"
    assert page["claim_fleet_hopper_50k_text"] == "50,000"
    assert page["claim_capex_1_6b_text"] == "$1.6B"
    assert page["claim_opex_944m_text"] == "$944M"


def test_headline_ranges_are_the_uncertainty_chapters_monte_carlo(page: Page) -> None:
    ranges = uncertainty_chapter.simulate(FAST).ranges
    dev, capex = ranges["total_development_cost_usd"], ranges["fleet_capex_usd"]
    assert page["headline_dev_p10_text"] == usd_sig(dev["p10"])
    assert page["headline_dev_p90_text"] == usd_sig(dev["p90"])
    assert page["headline_capex_p10_text"] == usd_sig(capex["p10"])
    assert page["headline_capex_p90_text"] == usd_sig(capex["p90"])
    assert page["headline_dev_usd_p10"] == pytest.approx(dev["p10"]) and page["headline_capex_usd_p90"] == pytest.approx(capex["p90"])
    other_seed = intro.chapter({**FAST, "seed": FAST["seed"] + 1})
    assert other_seed["headline_dev_usd_p90"] != page["headline_dev_usd_p90"]
    assert other_seed["headline_dev_text"] == page["headline_dev_text"]  # the headline itself is no sample


def test_first_screen_figures_have_at_most_three_significant_figures(page: Page) -> None:
    for name, _key, _shown in intro.HEADLINES:
        for suffix in ("_text", "_p10_text", "_p90_text"):
            digits = re.sub(r"\D", "", str(page[name + suffix]))
            assert len(digits.lstrip("0")) <= 3, (name + suffix, page[name + suffix])


def test_landing_verdicts_are_the_ledger_s_sentences_with_badges_and_links(page: Page) -> None:
    from analysis.chapters import claims as claims_chapter
    from analysis.model import ledger

    found = claims_chapter.judge(FAST).by_id()
    html = page.html["verdicts"]
    for claim in intro.LANDING_VERDICTS:
        sentence = ledger.sentence(found[claim])
        assert len(sentence) <= 200
        assert sentence.replace("'", "&#x27;") in html
        assert f'href="claims.html#claim-{claim.replace("_", "-")}"' in html
        assert ledger.badge(found[claim]).replace("'", "&#x27;") in html  # "counts assumed" where the counts were held


def test_stage_table_sums_to_the_total(page: Page) -> None:
    stages, formats = page.tables["stages"]
    assert list(stages["Stage"]) == ["Pre-training", "Context extension", "Post-training", "Total"]
    assert stages["Cost (USD)"].iloc[:3].sum() == stages["Cost (USD)"].iloc[3] == 5_576_000
    assert set(formats) == {"H800 GPU-hours", "Cost (USD)"}


def test_claims_table_names_a_publisher_for_every_claim(page: Page) -> None:
    claims, _ = page.tables["claims"]
    assert list(claims.columns) == ["Claim", "Value", "Unit", "Claimant", "Scope", "Source"]
    assert claims["Source"].notna().all() and (claims["Source"].str.len() > 0).all()


def test_every_glue_name_of_the_prose_is_produced(page: Page) -> None:
    names = markdown_glue_names(NOTEBOOK)
    assert "v3_training_cost_text" in names and "fig_landing" in names
    assert names <= set(page.values) | set(page.figures)


def test_every_displayed_table_exists(page: Page) -> None:
    shown = re.findall(r'page\.show\("([^"]+)"\)', "\n".join(c.source for c in nbformat.read(str(NOTEBOOK), as_version=4).cells))
    assert shown == ["verdicts", "stages", "claims"]
    assert set(shown) <= set(page.tables) | set(page.html)


def test_the_fleet_sentence_says_what_this_build_counts() -> None:
    """At the estimate's counts: its whole table, the article's Hoppers plus the A100s. Other counts are this build's,
    said as such (hoppers_only read "the article's 50,000 Hoppers plus the 0 A100s")."""
    from analysis.chapters.intro import fleet_sentence

    assert "the article's 50,000 Hoppers plus the 10,000 A100s" in fleet_sentence(60_000, 50_000, 50_000, True)
    assert fleet_sentence(50_000, 50_000, 50_000, False) == ("The fleet counted here is 50,000 GPUs: 50,000 Hoppers, no "
                                                             "A100s (the article says 50,000 Hoppers)")
    assert "2,224 Hoppers and 10,000 A100s (the article says 50,000" in fleet_sentence(12_224, 2_224, 50_000, False)
