"""Every claim has a check; verdicts follow the reconstructions."""

from __future__ import annotations

import pandas as pd

from analysis.inputs import data
from analysis.model import claims_check


def test_every_claim_has_a_check_and_every_check_a_claim() -> None:
    assert set(data.load_table("claims.csv")["id"]) == set(claims_check.CHECKS)


def test_assess_uses_the_values_given() -> None:
    claims = data.load_table("claims.csv")
    claims = claims[claims["id"].isin(["capex_1_6b", "mtp_description"])]
    values = {"fleet_capex_usd": 1.0e9, "fleet_gpu_spend_usd": 1.5e9}
    out = claims_check.assess(claims, values, 0.25).set_index("id")
    assert out.loc["capex_1_6b", "verdict"] == "consistent only with a narrower scope"
    assert out.loc["mtp_description", "verdict"] == "unverifiable"
    values = {"fleet_capex_usd": 1.7e9, "fleet_gpu_spend_usd": 1.5e9}
    assert claims_check.assess(claims, values, 0.25).set_index("id").loc["capex_1_6b", "verdict"] == "consistent"
    assert isinstance(out, pd.DataFrame)
