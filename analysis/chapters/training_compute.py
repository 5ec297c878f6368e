"""Chapter "Training compute": DeepSeek's figure rebuilt, checked against physics, set beside other models."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.chapters.inputs import gpu_catalogue, load_config, model_config, r1_gpu_hours
from analysis.chapters.page import Page, Value
from analysis.charts import compute as charts
from analysis.formatting import si, usd
from analysis.inputs import data
from analysis.inputs.params import registry
from analysis.model import architecture as arch
from analysis.model import compute
from analysis.paths import MODELS_DIR

PARAMETERS = (
    "gpu_hour_usd", "v3_pretrain_gpu_hours", "v3_context_ext_gpu_hours", "v3_post_training_gpu_hours", "training_tokens",
    "training_gpus", "pretrain_seq_len", "peak_flops_basis", "mfu_plausible_min", "mfu_plausible_max",
)

# The four ways the chapter counts V3's training FLOP (per token, at the pre-training sequence length).
COUNT_LABELS = {
    "6nd": "6ND, weights only",
    "causal": "+ attention, causal",
    "refined": "+ attention, causal, + MTP",
    "full": "+ attention, full (PaLM)",
}

# What the cost per 10²⁴ FLOP divides, by comparator (the sources publish no finer split).
RATIO_SCOPES = {
    "deepseek_v3": "pre-training ÷ pre-training",
    "llama31_405b": "all training (card) ÷ pre-training (paper)",
}

# Rows of data/published_mfu.csv that do not set the band: a third party's estimate, and the run under test.
BAND_EXCLUDES = ("gpt4", "deepseek_v3")


def flop_counts(cfg: arch.ModelConfig, active: float, seq_len: int) -> dict[str, float]:
    """Training FLOP per token of `cfg` four ways: 6·N; + causal attention; + causal attention and the MTP
    module (its weights and its one attention layer); + full attention (every query-key pair, as PaLM).
    The counts with attention take 6 FLOP per weight that is multiplied (the norms are not), the atlas's count."""
    a = cfg.attention
    multiplied = arch.matmul_params_per_token(cfg)

    def attention(layers: int, causal: bool) -> float:
        return compute.attention_training_flops_per_token(layers, a.heads, a.qk_head_dim, a.v_head_dim, seq_len, causal=causal)

    return {
        "6nd": 6.0 * active,
        "causal": compute.training_flops_per_token(multiplied, attention(cfg.layers, True)),
        "refined": compute.training_flops_per_token(multiplied + arch.mtp_active_params(cfg), attention(cfg.layers + cfg.mtp_layers, True)),
        "full": compute.training_flops_per_token(multiplied, attention(cfg.layers, False)),
    }


UNDER_TWO_MONTHS_DAYS = 61  # the report's "under two months"
ISCA_MATCH = 0.05  # a gap this small is rounding in DeepSeek's tables and the config's counting, not a difference


def _isca_match(page: Page, gap: float) -> None:
    """A reader who moves the sequence length, the tokens or the GPU-hours away from DeepSeek's moves the book's side
    of every row: the sentence then says the figures part, instead of calling a large gap a match."""
    page.number("isca_max_abs_gap", gap, "fraction")
    page.text("isca_match_sentence", f"Every figure matches within {gap:.1%}." if round(gap, 3) <= ISCA_MATCH else
              f"At this book's inputs the figures part: the widest gap is {gap:.1%}, more than the {ISCA_MATCH:.0%} that "
              "rounding and counting conventions explain.")


def _isca_hours_sentences(page: Page, needed: float, pretrain_gpu_hours: float) -> None:
    """DeepSeek's Table 1 against its measured speed; a reader's own GPU-hours or tokens are said to be theirs."""
    deepseeks = pretrain_gpu_hours == registry()["v3_pretrain_gpu_hours"].default
    agree = abs(needed / pretrain_gpu_hours - 1) <= ISCA_MATCH
    page.text("isca_hours_verdict_text", "The speed and the GPU-hours agree." if agree else
              "At this book's inputs the speed and the GPU-hours part.")
    page.text("isca_hours_source_text", "Table 1's" if deepseeks else "the GPU-hours set here,")
    page.text("isca_hours_conclusion_text", ("the report's GPU-hours are" if deepseeks else "they are") + (
        " what the paper's measured throughput needs for the whole corpus" if agree else
        " not what the paper's measured throughput needs for this corpus"))


def isca_reproduction(page: Page, per_token: Mapping[str, float], seq_len: int, tokens: float, pretrain_gpu_hours: float,
                      gpus: int, bf16_peak: float) -> None:
    """DeepSeek's ISCA-2025 Tables 2 and 4 rebuilt from the config, the batch size and the step time."""
    tokens_per_step = data.published("v3_batch_sequences") * seq_len
    step = data.published("isca_v3_step_seconds")
    per_gpu_second = compute.tokens_per_gpu_second(tokens_per_step, step, gpus)
    per_day = compute.tokens_per_day(tokens_per_step, step)
    per_day_hours = compute.tokens_per_day_from_gpu_hours(tokens, pretrain_gpu_hours, gpus)
    tflops = {n: compute.model_flops_per_gpu(per_token[n], per_gpu_second) / 1e12 for n in ("full", "causal", "refined")}
    mfu = {n: t * 1e12 / bf16_peak for n, t in tflops.items()}
    v2 = model_config("deepseek_v2", "DeepSeek-V2")
    v2_causal = flop_counts(v2, arch.breakdown(v2).active, seq_len)["causal"]
    published = {k: data.published(f"isca_{k}") for k in (
        "v3_tokens_per_day", "v3_tflops_full", "v3_tflops_causal", "v3_mfu_full", "v3_mfu_causal", "v3_gflop_per_token", "v2_gflop_per_token")}

    page.number("v3_batch_sequences", data.published("v3_batch_sequences"), "sequences per step")
    page.number("v3_tokens_per_step_millions", tokens_per_step / 1e6, "million tokens per step")
    page.number("published_isca_step_seconds", step, "seconds")
    page.number("published_isca_tokens_per_day_billions", published["v3_tokens_per_day"] / 1e9, "billion tokens per day")
    page.number("v3_tokens_per_day_billions", per_day / 1e9, "billion tokens per day (Table 4 step time)")
    page.number("v3_tokens_per_day_from_gpu_hours_billions", per_day_hours / 1e9, "billion tokens per day (Table 1 GPU-hours)")
    days = tokens / published["v3_tokens_per_day"]
    page.number("v3_days_at_isca_rate", days, "days")
    needed = days * compute.HOURS_PER_DAY * gpus
    page.number("v3_gpu_hours_at_isca_rate_millions", needed / 1e6, "million GPU-hours")
    _isca_hours_sentences(page, needed, pretrain_gpu_hours)
    page.number("v3_tokens_per_gpu_second", per_gpu_second, "tokens per second per GPU")
    for n, key in (("full", "full_attention"), ("causal", "causal")):
        page.number(f"v3_tflops_{key}", tflops[n], "TFLOP/s per GPU (Table 4 throughput)")
        page.number(f"v3_mfu_{key}_bf16", mfu[n], f"fraction of BF16 peak ({key.replace('_', ' ')} count, no MTP, at Table 4 throughput)")
    page.number("v3_mfu_causal_with_mtp_bf16", mfu["refined"], "fraction of BF16 peak (causal count with MTP, at Table 4 throughput)")
    page.number("v3_mtp_gap_vs_isca_causal", mfu["refined"] / published["v3_mfu_causal"] - 1, "fraction")
    page.number("published_isca_tflops_full", published["v3_tflops_full"], "TFLOP/s per GPU")
    page.number("published_isca_tflops_causal", published["v3_tflops_causal"], "TFLOP/s per GPU")
    page.number("published_isca_mfu_full", published["v3_mfu_full"], "fraction of BF16 peak (DeepSeek: full attention, at Table 4 throughput)")
    page.number("published_isca_mfu_causal", published["v3_mfu_causal"], "fraction of BF16 peak (DeepSeek: causal attention, at Table 4 throughput)")
    page.number("published_isca_v3_gflop_per_token", published["v3_gflop_per_token"], "GFLOP per token")
    page.number("published_isca_v2_gflop_per_token", published["v2_gflop_per_token"], "GFLOP per token")
    page.number("v2_gflop_per_token_causal", v2_causal / 1e9, "GFLOP per token (training)")
    # One unit per row (named in the row), so both value columns stay numbers.
    rows = [
        ("Tokens per day, billions (Table 4)", published["v3_tokens_per_day"] / 1e9, per_day / 1e9,
         f"{tokens_per_step / 1e6:.1f}M tokens per step ÷ step time"),
        ("The same from Table 1's GPU-hours", published["v3_tokens_per_day"] / 1e9, per_day_hours / 1e9,
         f"{tokens / 1e12:g}T tokens ÷ pre-training days"),
        ("V3 GFLOP per token (Table 2)", published["v3_gflop_per_token"], per_token["causal"] / 1e9, "causal attention, no MTP"),
        ("V2 GFLOP per token (Table 2)", published["v2_gflop_per_token"], v2_causal / 1e9, "causal attention, no MTP"),
        ("TFLOP/s per GPU, full attention", published["v3_tflops_full"], tflops["full"], "full attention, no MTP"),
        ("TFLOP/s per GPU, causal", published["v3_tflops_causal"], tflops["causal"], "causal attention, no MTP"),
        ("MFU %, full attention", published["v3_mfu_full"] * 100, mfu["full"] * 100, f"÷ {bf16_peak / 1e12:,.0f} TFLOP/s BF16 peak"),
        ("MFU %, causal", published["v3_mfu_causal"] * 100, mfu["causal"] * 100, f"÷ {bf16_peak / 1e12:,.0f} TFLOP/s BF16 peak"),
    ]
    frame = pd.DataFrame(rows, columns=["Figure", "DeepSeek", "This book", "Counted as"])
    frame.insert(3, "gap", frame["This book"] / frame["DeepSeek"] - 1)
    _isca_match(page, float(frame["gap"].abs().max()))
    page.table("isca", frame.rename(columns={"gap": "Gap"}), {"DeepSeek": "{:,.4g}", "This book": "{:,.4g}", "Gap": "{:+.2%}"})


@dataclass(frozen=True)
class Run:
    """The chapter's parameters, typed: V3's run as DeepSeek reports it and the book's assumptions about it."""

    gpu_hour_usd: float
    pretrain_gpu_hours: float
    context_ext_gpu_hours: float
    post_training_gpu_hours: float
    training_tokens: float
    training_gpus: int
    pretrain_seq_len: int
    peak_flops_basis: str
    mfu_plausible_min: float
    mfu_plausible_max: float

    @classmethod
    def from_params(cls, p: Mapping[str, Value]) -> Run:
        return cls(
            float(p["gpu_hour_usd"]), float(p["v3_pretrain_gpu_hours"]), float(p["v3_context_ext_gpu_hours"]),
            float(p["v3_post_training_gpu_hours"]), float(p["training_tokens"]), int(p["training_gpus"]),
            int(p["pretrain_seq_len"]), str(p["peak_flops_basis"]), float(p["mfu_plausible_min"]), float(p["mfu_plausible_max"]),
        )

    @property
    def gpu_hours_total(self) -> float:
        return self.pretrain_gpu_hours + self.context_ext_gpu_hours + self.post_training_gpu_hours


@dataclass(frozen=True)
class Counts:
    """V3's pre-training counted four ways (COUNT_LABELS): per token, in all, and the MFU each implies."""

    per_token: dict[str, float]
    flops: dict[str, float]  # per token × training tokens; "6nd" as compute.training_flops_6nd gives it
    mfu_count: dict[str, float]  # of the BF16 peak, over the pre-training GPU-hours
    peak: dict[str, float]  # H800 peak FLOP/s by basis ("bf16", "fp8")


def chapter(p: Mapping[str, Value]) -> Page:
    """The page's outline: the FLOP counts, DeepSeek's own throughput, the MFU band and verdict, DeepSeek's
    accounting, rates per trillion tokens, other models on one basis, and R1."""
    page = Page()
    run = Run.from_params(p)
    h800 = gpu_catalogue()["h800"]
    peak = {"bf16": h800.bf16_tflops * 1e12, "fp8": h800.fp8_tflops * 1e12}
    v3 = model_config("deepseek_v3", "DeepSeek-V3")
    counts = compute_adds_up(page, run, v3, peak)
    page.number("h800_bf16_tflops", h800.bf16_tflops, "TFLOP/s")
    page.number("h800_fp8_tflops", h800.fp8_tflops, "TFLOP/s")
    implied_mfu(page, run, counts)
    flop_count_table(page, run, counts)
    # DeepSeek's own measurements, reproduced on DeepSeek's terms: on the cluster they were measured on, whatever
    # `training_gpus` a reader sets (it moves the book's own wall-clock figures, not what DeepSeek measured).
    published_gpus = int(data.published("v3_training_gpus"))
    page.number("published_v3_training_gpus", published_gpus, "GPUs")
    isca_reproduction(page, counts.per_token, run.pretrain_seq_len, run.training_tokens, run.pretrain_gpu_hours, published_gpus,
                      peak["bf16"])
    mfu_band_and_verdict(page, run, counts)
    deepseek_accounting(page, run)
    rates_per_trillion(page, run)
    mfu_chart(page, run, counts)
    claims = data.load_indexed("claims.csv")
    r1_cost = beside_other_models(page, run, counts.flops["6nd"], claims)
    r1_claim(page, run, r1_cost, claims)
    deepseek_models(page, run, counts)
    return page


def compute_adds_up(page: Page, run: Run, v3: arch.ModelConfig, peak: dict[str, float]) -> Counts:
    """Does the compute add up? Four counts of the same pre-training (FLOP per token × tokens)."""
    active = arch.breakdown(v3).active
    per_token = flop_counts(v3, active, run.pretrain_seq_len)
    flops = {name: count * run.training_tokens for name, count in per_token.items()}
    flops_6nd = flops["6nd"] = compute.training_flops_6nd(active, run.training_tokens)
    flops_refined = flops["refined"]
    mfu_count = {name: compute.implied_mfu(f, run.pretrain_gpu_hours, peak["bf16"]) for name, f in flops.items()}

    page.number("v3_gpu_hours_total_millions", run.gpu_hours_total / 1e6, "million GPU-hours")
    page.number("v3_active_params_billions", active / 1e9, "billion parameters")
    page.number("training_tokens_trillions", run.training_tokens / 1e12, "trillion tokens")
    page.number("v3_training_flops", flops_6nd, "FLOP")
    page.text("v3_training_flops_text", si(flops_6nd, 2))
    page.number("v3_training_flops_refined", flops_refined, "FLOP (causal attention and the MTP module counted)")
    page.text("v3_training_flops_refined_text", si(flops_refined, 2))
    page.number("v3_refined_over_6nd", flops_refined / flops_6nd - 1, "fraction")
    for name in ("causal", "full"):
        key = {"causal": "causal", "full": "full_attention"}[name]
        page.number(f"v3_training_flops_{key}", flops[name], "FLOP")
        page.text(f"v3_training_flops_{key}_text", si(flops[name], 2))
        page.number(f"v3_implied_mfu_{key}_bf16", mfu_count[name], f"fraction of BF16 peak ({COUNT_LABELS[name]} ÷ Table 1 pre-training GPU-hours)")
    for name, count in per_token.items():
        page.number(f"v3_gflop_per_token_{name}", count / 1e9, "GFLOP per token (training)")
    page.number("v3_attention_share_causal", 1 - per_token["6nd"] / per_token["causal"], "fraction")
    page.number("v3_mtp_share_of_refined", 1 - per_token["causal"] / per_token["refined"], "fraction")
    page.number("v3_achieved_tflops_per_gpu", compute.achieved_flops_per_gpu(flops_6nd, run.pretrain_gpu_hours) / 1e12, "TFLOP/s per GPU")
    return Counts(per_token, flops, mfu_count, peak)


def implied_mfu(page: Page, run: Run, counts: Counts) -> None:
    """The MFU the 6ND count and the refined count imply, on each peak."""
    for name, key in (("6nd", ""), ("refined", "_refined")):
        for basis, peak_flops in counts.peak.items():
            page.number(f"v3_implied_mfu{key}_{basis}", compute.implied_mfu(counts.flops[name], run.pretrain_gpu_hours, peak_flops),
                        f"fraction of {basis.upper()} peak ({COUNT_LABELS[name]} ÷ Table 1 pre-training GPU-hours)")


def flop_count_table(page: Page, run: Run, counts: Counts) -> None:
    """The four counts side by side: GFLOP per token, pre-training FLOP, MFU on each peak."""
    per_token, flops = counts.per_token, counts.flops
    page.table("flop_counts", pd.DataFrame({
        "Count": [COUNT_LABELS[n] for n in per_token],
        "gflop": [per_token[n] / 1e9 for n in per_token],
        "flops": [flops[n] for n in per_token],
        "bf16": [counts.mfu_count[n] for n in per_token],
        "fp8": [compute.implied_mfu(flops[n], run.pretrain_gpu_hours, counts.peak["fp8"]) for n in per_token],
    }).rename(columns={"gflop": "GFLOP per token", "flops": "Pre-training FLOP", "bf16": "MFU, BF16 peak", "fp8": "MFU, FP8 peak"}),
        {"GFLOP per token": "{:,.1f}", "Pre-training FLOP": lambda v: si(v, 2), "MFU, BF16 peak": "{:.1%}", "MFU, FP8 peak": "{:.1%}"})


def mfu_band_and_verdict(page: Page, run: Run, counts: Counts) -> None:
    """The MFU band: what published large runs reached (BF16 basis), the run under test and estimates left out;
    then the verdict on V3's MFU."""
    published_mfu = data.load_table("published_mfu.csv")
    band_low, band_high = compute.mfu_band(published_mfu, BAND_EXCLUDES)
    runs = published_mfu[~published_mfu["model"].isin(set(BAND_EXCLUDES))].set_index("model")
    page.number("mfu_band_published_low", band_low, "fraction of BF16 peak")
    page.number("mfu_band_published_high", band_high, "fraction of BF16 peak")
    page.text("mfu_band_low_run", str(runs.loc[runs["mfu_low"].idxmin(), "name"]))
    page.text("mfu_band_high_run", str(runs.loc[runs["mfu_high"].idxmax(), "name"]))
    page.text("mfu_band_runs", " and ".join(runs["name"]))
    derived = (run.mfu_plausible_min, run.mfu_plausible_max) == (band_low, band_high)
    page.text("mfu_band_note", "the range of those runs" if derived else
              f"set by parameter; those runs span {band_low:.1%}–{band_high:.1%}")
    page.number("mfu_plausible_min", run.mfu_plausible_min, "fraction of BF16 peak")
    page.number("mfu_plausible_max", run.mfu_plausible_max, "fraction of BF16 peak")
    mfu_verdict(page, run, counts)


def mfu_verdict(page: Page, run: Run, counts: Counts) -> None:
    """The verdict compares like with like: V3's FLOP counted as PaLM counts (full attention) against the band
    of runs that count so, each on one peak. On the FP8 peak the band is rebased to the same FLOP/s."""
    peak, full = counts.peak, counts.flops["full"]
    basis_peak = peak[run.peak_flops_basis]
    verdict_mfu = compute.implied_mfu(full, run.pretrain_gpu_hours, basis_peak)
    band_on_basis = (compute.rebase_mfu(run.mfu_plausible_min, peak["bf16"], basis_peak),
                     compute.rebase_mfu(run.mfu_plausible_max, peak["bf16"], basis_peak))
    verdict = compute.mfu_verdict(verdict_mfu, *band_on_basis)
    page.text("peak_flops_basis_text", run.peak_flops_basis.upper())
    page.text("v3_mfu_verdict", verdict.label)
    page.text("v3_mfu_verdict_reason", verdict.reason)
    at_ceiling = compute.gpu_hours_needed(full, peak["bf16"], run.mfu_plausible_max)
    page.number("v3_min_gpu_hours_at_ceiling_millions", at_ceiling / 1e6, "million GPU-hours")
    page.number("v3_gpu_hours_over_min_at_ceiling", run.pretrain_gpu_hours / at_ceiling - 1, "fraction")
    page.number("h800_fp8_over_bf16_peak", peak["fp8"] / peak["bf16"], "times")
    page.number("v3_implied_mfu_full_attention_fp8", compute.implied_mfu(full, run.pretrain_gpu_hours, peak["fp8"]),
                "fraction of FP8 peak (full attention ÷ Table 1 pre-training GPU-hours)")


def deepseek_accounting(page: Page, run: Run) -> None:
    """DeepSeek's own accounting (Table 1), reproduced at the book's price."""
    stages = pd.DataFrame({
        "Stage": ["Pre-training", "Context extension", "Post-training", "Total"],
        "gpu_hours": [run.pretrain_gpu_hours, run.context_ext_gpu_hours, run.post_training_gpu_hours, run.gpu_hours_total],
        "published": [data.published(k) for k in ("v3_pretrain_usd", "v3_context_ext_usd", "v3_post_training_usd", "v3_total_usd")],
    })
    stages["computed"] = compute.cost_usd(stages["gpu_hours"], run.gpu_hour_usd)
    page.text("gpu_hour_usd_text", f"${run.gpu_hour_usd:,.2f}")
    page.number("v3_training_cost_at_price_usd", float(stages["computed"].iloc[-1]), "USD")
    page.text("v3_training_cost_at_price_text", usd(float(stages["computed"].iloc[-1]), 3))
    page.table(
        "stages",
        stages.rename(columns={"gpu_hours": "H800 GPU-hours", "computed": "Computed (USD)", "published": "Report, Table 1 (USD)"}),
        {"H800 GPU-hours": "{:,.0f}", "Computed (USD)": "${:,.0f}", "Report, Table 1 (USD)": "${:,.0f}"},
    )


def rates_per_trillion(page: Page, run: Run) -> None:
    """GPU-hours and days per trillion tokens, V3 against V2 and DeepSeek 67B."""
    per_trillion = compute.gpu_hours_per_trillion_tokens(run.pretrain_gpu_hours, run.training_tokens)
    page.number("v3_gpu_hours_per_trillion_tokens", per_trillion, "GPU-hours per trillion tokens")
    page.number("v3_days_per_trillion_tokens", compute.wall_clock_days(per_trillion, run.training_gpus), "days")
    pretrain_days = compute.wall_clock_days(run.pretrain_gpu_hours, run.training_gpus)
    page.number("v3_pretrain_days", pretrain_days, "days")
    # The report's "under two months" is for its own GPU-hours on its own 2,048 GPUs.
    page.text("pretrain_days_note_text", "the “under two months” of the report" if pretrain_days < UNDER_TWO_MONTHS_DAYS else
              f"where the report's “under two months” was for {data.published('v3_training_gpus'):,.0f} GPUs and its own "
              "GPU-hours")
    page.number("training_gpus", run.training_gpus, "GPUs")
    page.number("published_v3_gpu_hours_per_trillion", data.published("v3_gpu_hours_per_trillion"), "GPU-hours per trillion tokens")
    page.number("published_v3_days_per_trillion", data.published("v3_days_per_trillion"), "days")
    v2_rate, v67_rate = data.published("v2_gpu_hours_per_trillion"), data.published("v2_67b_gpu_hours_per_trillion")
    page.number("v2_gpu_hours_per_trillion", v2_rate, "GPU-hours per trillion tokens")
    page.number("v2_67b_gpu_hours_per_trillion", v67_rate, "GPU-hours per trillion tokens")
    page.number("v2_saving_vs_67b", 1 - v2_rate / v67_rate, "fraction")
    page.number("published_v2_training_cost_saving", data.published("v2_training_cost_saving"), "fraction")
    page.number("v3_rate_vs_v2", per_trillion / v2_rate, "times")


def mfu_chart(page: Page, run: Run, counts: Counts) -> None:
    """MFU beside published runs (every figure on the BF16 peak)."""
    page.number("pretrain_seq_len", run.pretrain_seq_len, "tokens")
    page.number("v3_pretrain_gpu_hours_millions", run.pretrain_gpu_hours / 1e6, "million GPU-hours")
    published_mfu = data.load_table("published_mfu.csv")
    own = published_mfu["model"] == "deepseek_v3"
    # Every V3 dot names its basis (issue 24): the FLOP count and the pre-training GPU-hours; the axis names the peak.
    page.figure("fig_mfu", charts.mfu_comparison(
        {f"V3 ÷ pre-training hours: {COUNT_LABELS[n]}": counts.mfu_count[n] for n in ("6nd", "causal", "refined", "full")},
        published_mfu.assign(name=published_mfu["name"].where(~own, "V3: DeepSeek's own (Table 4 throughput)")),
        (run.mfu_plausible_min, run.mfu_plausible_max), highlight=f"V3 ÷ pre-training hours: {COUNT_LABELS['full']}",
    ))


def comparator_basis(run: Run, flops_6nd: float, r1_hours: float) -> pd.DataFrame:
    """V3, R1 and data/comparators.csv on one basis: the book's price (H800-class GPUs only) and cost per 10²⁴ FLOP."""
    gpus = gpu_catalogue()
    h800 = gpus["h800"]
    v3_row = {"model": "deepseek_v3", "name": "DeepSeek-V3 (this book)", "training_flops": flops_6nd, "flops_low": None,
              "flops_high": None, "gpu": "h800", "gpu_hours": run.gpu_hours_total, "reported_cost_usd": data.published("v3_total_usd"),
              "estimate": "computed from DeepSeek's report"}
    r1_row = {"model": "deepseek_r1", "name": "DeepSeek-R1 (post-training only)", "training_flops": None, "flops_low": None,
              "flops_high": None, "gpu": "h800", "gpu_hours": r1_hours, "reported_cost_usd": data.published("r1_total_usd"),
              "estimate": "DeepSeek's own accounting"}
    basis = pd.concat([pd.DataFrame([v3_row, r1_row]), data.load_table("comparators.csv")], ignore_index=True)
    # The common price is an H800-class price: an A100-hour (a third of the FLOP/s) is not priced at it.
    priced = basis["gpu"].map(lambda g: gpus[g].bf16_tflops == h800.bf16_tflops if isinstance(g, str) and g in gpus else False)
    basis["cost_common_usd"] = compute.cost_usd(basis["gpu_hours"], run.gpu_hour_usd).where(priced)
    # Cost per 10²⁴ FLOP pairs GPU-hours and FLOP of the same scope: V3's pre-training hours with its pre-training FLOP.
    scope_hours = basis["gpu_hours"].where(basis["model"] != "deepseek_v3", run.pretrain_gpu_hours)
    basis["usd_per_1e24_flop"] = compute.cost_per_1e24_flop(compute.cost_usd(scope_hours, run.gpu_hour_usd).where(priced), basis["training_flops"])
    basis["scope"] = basis["model"].map(RATIO_SCOPES).where(basis["usd_per_1e24_flop"].notna())
    return basis


def beside_other_models(page: Page, run: Run, flops_6nd: float, claims: pd.DataFrame) -> float:
    """Beside other models, on one basis: R1, Llama 3.1 405B, GPT-4 (Epoch's estimates). Returns R1's cost at the price."""
    r1_hours = r1_gpu_hours()
    r1_cost = float(compute.cost_usd(r1_hours, run.gpu_hour_usd))
    basis = comparator_basis(run, flops_6nd, r1_hours)
    llama = basis.set_index("model").loc["llama31_405b"]
    page.number("r1_training_gpu_hours", r1_hours, "GPU-hours")
    page.number("r1_training_cost_usd", r1_cost, "USD")
    page.text("r1_training_cost_text", usd(r1_cost))
    page.number("llama31_405b_cost_usd", float(llama["cost_common_usd"]), "USD")
    page.text("llama31_405b_cost_text", usd(float(llama["cost_common_usd"])))
    page.number("llama31_405b_gpu_hours_millions", float(llama["gpu_hours"]) / 1e6, "million GPU-hours")
    page.number("llama31_over_v3_gpu_hours", float(llama["gpu_hours"]) / run.gpu_hours_total, "times")
    page.number("llama31_over_v3_flops", float(llama["training_flops"]) / flops_6nd, "times")
    v3_per_1e24 = float(basis.set_index("model").loc["deepseek_v3", "usd_per_1e24_flop"])
    page.number("v3_usd_per_1e24_flop", v3_per_1e24, "USD per 10^24 FLOP (pre-training)")
    page.text("v3_usd_per_1e24_flop_text", usd(v3_per_1e24, 2))
    page.number("llama31_usd_per_1e24_flop", float(llama["usd_per_1e24_flop"]), "USD per 10^24 FLOP")
    page.text("llama31_usd_per_1e24_flop_text", usd(float(llama["usd_per_1e24_flop"]), 2))
    gpt4_epoch = (data.published("gpt4_epoch_amortised_usd"), data.published("gpt4_epoch_cloud_usd"))
    page.text("gpt4_epoch_amortised_text", usd(gpt4_epoch[0]))
    page.text("gpt4_epoch_cloud_text", usd(gpt4_epoch[1]))
    gpt4_name = str(basis.set_index("model").loc["gpt4", "name"])
    page.figure("fig_comparators", charts.comparators(basis, {gpt4_name: gpt4_epoch}))
    page.text("gpt4_claim_text", usd(float(claims.loc["gpt4_cost_100m", "value"])))
    comparator_tables(page, run, basis)
    return r1_cost


def comparator_tables(page: Page, run: Run, basis: pd.DataFrame) -> None:
    """The comparators' compute, then their cost at the book's price."""
    on_gpu = [f"{n}, on {g.upper()}" if isinstance(g, str) else n for n, g in zip(basis["name"], basis["gpu"], strict=True)]
    page.table(
        "comparators_compute",
        basis.assign(name=on_gpu, hours_m=basis["gpu_hours"] / 1e6)[["name", "hours_m", "training_flops", "estimate"]]
        .rename(columns={"name": "Model, GPU", "hours_m": "GPU-hours (millions)", "training_flops": "Training FLOP", "estimate": "Status"}),
        {"GPU-hours (millions)": "{:,.3f}", "Training FLOP": lambda v: si(v, 2)},
    )
    at_price = f"At {usd(run.gpu_hour_usd, 2)} per GPU-hour"
    page.table(
        "comparators",
        basis[["name", "cost_common_usd", "usd_per_1e24_flop", "scope", "reported_cost_usd"]]
        .rename(columns={
            "name": "Model", "cost_common_usd": at_price, "usd_per_1e24_flop": "Per 10²⁴ FLOP",
            "scope": "GPU-hours ÷ FLOP, scope", "reported_cost_usd": "Reported cost",
        }),
        {at_price: usd, "Per 10²⁴ FLOP": lambda v: usd(v, 2), "Reported cost": usd},
    )


def r1_claim(page: Page, run: Run, r1_cost: float, claims: pd.DataFrame) -> None:
    """The article's figure for R1: the figures here; the verdict is the claims ledger's (quoted on the page)."""
    r1_claimed = float(claims.loc["r1_cost_5m", "value"])
    v3_cost = float(compute.cost_usd(run.gpu_hours_total, run.gpu_hour_usd))
    page.text("r1_claim_text", usd(r1_claimed))
    page.number("r1_with_v3_cost_usd", r1_cost + v3_cost, "USD")
    page.text("r1_with_v3_cost_text", usd(r1_cost + v3_cost, 2))
    page.text("r1_stage_table_cost_text", usd(data.published("r1_total_usd")))
    runs = data.load_table("training_runs.csv")
    r1_runs = runs[runs["model"] == "DeepSeek-R1"]
    page.table(
        "r1_stages",
        r1_runs[["stage", "gpu_hours", "usd_published"]].assign(at_price=lambda f: compute.cost_usd(f["gpu_hours"], run.gpu_hour_usd))
        .rename(columns={"stage": "R1 stage", "gpu_hours": "H800 GPU-hours", "usd_published": "Published (USD)",
                         "at_price": "At the book's price (USD)"}),
        {"H800 GPU-hours": "{:,.0f}", "Published (USD)": "${:,.0f}", "At the book's price (USD)": "${:,.0f}"},
    )


@dataclass(frozen=True)
class ModelRun:
    """One DeepSeek model's training on the section's basis: FLOP and H800 GPU-hours, each a (low, high) range equal at
    both ends where DeepSeek disclosed it; `disclosed` names what DeepSeek published, `counted` what the row covers."""

    key: str
    name: str
    released: str
    flops: tuple[float, float]
    gpu_hours: tuple[float, float]
    disclosed: str
    counted: str


def _hours_at_band(flops: float, peak: float, run: Run) -> tuple[float, float]:
    """H800-hours `flops` take at the book's MFU band: the band's ceiling gives the fewest."""
    return compute.gpu_hours_needed(flops, peak, run.mfu_plausible_max), compute.gpu_hours_needed(flops, peak, run.mfu_plausible_min)


def _flops_at_band(gpu_hours: float, peak: float, run: Run) -> tuple[float, float]:
    """The FLOP `gpu_hours` deliver at the book's MFU band (an estimate where DeepSeek gives hours, not tokens)."""
    per_hour = peak * compute.SECONDS_PER_HOUR
    return gpu_hours * per_hour * run.mfu_plausible_min, gpu_hours * per_hour * run.mfu_plausible_max


def deepseek_model_runs(run: Run, counts: Counts) -> list[ModelRun]:
    """V2, V3, R1, V3.2, V4-Flash and V4-Pro on one basis: FLOP counted causally (6 per multiplied weight plus attention
    at the average position of a training sequence) and H800 GPU-hours, converted one into the other at the book's MFU
    band on the H800's BF16 peak where DeepSeek disclosed only one of them."""
    peak = counts.peak["bf16"]
    configs = {key: load_config(MODELS_DIR / f"deepseek_{key}.json") for key in ("v2", "v3_2_exp", "v4_pro", "v4_flash")}
    v2_tokens = data.published("v2_pretrain_tokens")
    v2_flops = v2_tokens * arch.causal_training_flops_per_token(configs["v2"], run.pretrain_seq_len)
    v2_hours = data.published("v2_gpu_hours_per_trillion") * v2_tokens / 1e12
    r1_hours = r1_gpu_hours()
    dsa_tokens = data.published("v32_dsa_warmup_tokens") + data.published("v32_dsa_sparse_tokens")
    dsa_flops = dsa_tokens * arch.causal_training_flops_per_token(configs["v3_2_exp"], data.published("v32_dsa_seq_len"))
    rl_share = data.published("v32_rl_share_of_pretrain_min")
    rl_hours, rl_flops = rl_share * run.pretrain_gpu_hours, rl_share * counts.flops["causal"]
    dsa_hours = _hours_at_band(dsa_flops, peak, run)
    rows = [
        ModelRun("v2", "DeepSeek-V2", "2024-05-07", (v2_flops,) * 2, (v2_hours,) * 2, "GPU-hours per trillion tokens, tokens",
                 "pre-training"),
        ModelRun("v3", "DeepSeek-V3", "2024-12-27", (counts.flops["causal"],) * 2, (run.gpu_hours_total,) * 2,
                 "GPU-hours of every stage, tokens", "FLOP: pre-training; GPU-hours: every stage"),
        ModelRun("r1", "DeepSeek-R1", "2025-01-20", _flops_at_band(r1_hours, peak, run), (r1_hours,) * 2, "GPU-hours",
                 "R1's own stages, on top of V3"),
        ModelRun("v3_2", "DeepSeek-V3.2", "2025-12-02", (dsa_flops + rl_flops,) * 2, (dsa_hours[0] + rl_hours, dsa_hours[1] + rl_hours),
                 "tokens of the sparse-attention stage; RL above a share of pre-training", "sparse-attention training + RL (a floor)"),
    ]
    for key, name in (("v4_flash", "DeepSeek-V4-Flash"), ("v4_pro", "DeepSeek-V4-Pro")):
        flops = data.published(f"{key}_pretrain_tokens") * arch.causal_training_flops_per_token(
            configs[key], data.published("v4_pretrain_seq_len_start"))
        rows.append(ModelRun(key, name, "2026-04-24", (flops,) * 2, _hours_at_band(flops, peak, run), "tokens", "pre-training"))
    return rows


def deepseek_models(page: Page, run: Run, counts: Counts) -> None:
    """DeepSeek's models since V2 on one basis: compute, GPU-hours and cost at the book's price, estimates labelled."""
    rows = deepseek_model_runs(run, counts)
    by_key = {r.key: r for r in rows}
    for r in rows:
        # Keys named <model>_run_…; the FLOP as <model>_training_flops where no earlier key names V3's or R1's on another basis.
        if r.key not in ("v3", "r1"):
            page.number(f"{r.key}_training_flops", r.flops[0], "FLOP (causal count: 6 per multiplied weight + attention)")
        for end, i in (("low", 0), ("high", 1)):
            page.number(f"{r.key}_run_flops_{end}", r.flops[i], "FLOP (causal count; an estimate from GPU-hours where DeepSeek gave no tokens)")
            page.number(f"{r.key}_run_gpu_hours_{end}", r.gpu_hours[i], "H800 GPU-hours (an estimate at the MFU band unless disclosed)")
            page.number(f"{r.key}_run_cost_{end}_usd", float(compute.cost_usd(r.gpu_hours[i], run.gpu_hour_usd)), "USD at gpu_hour_usd")
        page.text(f"{r.key}_run_flops_text", _range_text(list(r.flops), lambda v: si(v, 2)))
        page.text(f"{r.key}_run_cost_text", _range_text([float(compute.cost_usd(h, run.gpu_hour_usd)) for h in r.gpu_hours], usd))
        page.text(f"{r.key}_run_gpu_hours_text", _range_text(list(r.gpu_hours), _hours))
    deepseek_model_numbers(page, run, counts, by_key)
    deepseek_model_table(page, rows, run)
    page.figure("fig_deepseek_models", charts.deepseek_models(
        [(f"{r.name} ({pd.Timestamp(r.released):%b %Y})", r.flops, tuple(float(compute.cost_usd(h, run.gpu_hour_usd)) for h in r.gpu_hours),
          (r.flops[0] != r.flops[1], r.gpu_hours[0] != r.gpu_hours[1])) for r in rows], run.gpu_hour_usd))


def _hours(value: float) -> str:
    """GPU-hours for people: 2.79M, 147K."""
    return f"{value / 1e6:,.2f}M" if value >= 1e6 else f"{value / 1e3:,.0f}K"


def _range_text(values: list[float], fmt: Callable[[float], str]) -> str:
    """'$5.58M' for a point, '$14.5M–17.6M'-style for a range (each end formatted alike)."""
    low, high = fmt(values[0]), fmt(values[1])
    return low if low == high else f"{low}–{high}"


def deepseek_model_numbers(page: Page, run: Run, counts: Counts, by_key: Mapping[str, ModelRun]) -> None:
    """The figures the prose quotes beside the table: V3.2's share, V4's tokens, V3's own MFU on this basis."""
    page.number("v3_2_post_training_share", data.published("v32_rl_share_of_pretrain_min"), "fraction of pre-training cost (at least)")
    page.number("v3_2_rl_gpu_hours_min", data.published("v32_rl_share_of_pretrain_min") * run.pretrain_gpu_hours, "H800 GPU-hours (floor)")
    page.number("v3_2_dsa_tokens_billions", (data.published("v32_dsa_warmup_tokens") + data.published("v32_dsa_sparse_tokens")) / 1e9,
                "billion tokens")
    for key in ("v4_pro", "v4_flash"):
        page.number(f"{key}_pretrain_tokens_trillions", data.published(f"{key}_pretrain_tokens") / 1e12, "trillion tokens")
        page.number(f"{key}_over_v3_training_flops", sum(by_key[key].flops) / 2 / counts.flops["causal"], "times (causal counts)")
    page.number("v4_pretrain_seq_len_start", data.published("v4_pretrain_seq_len_start"), "tokens")
    page.number("v3_2_dsa_seq_len", data.published("v32_dsa_seq_len"), "tokens")
    page.number("v3_mfu_causal_all_hours_bf16", compute.implied_mfu(counts.flops["causal"], run.gpu_hours_total, counts.peak["bf16"]),
                "fraction of BF16 peak (causal count of pre-training ÷ every Table 1 GPU-hour)")


def deepseek_model_table(page: Page, rows: list[ModelRun], run: Run) -> None:
    """The models as a table: FLOP, GPU-hours, cost at the book's price, and what DeepSeek disclosed."""
    at_price = f"At {usd(run.gpu_hour_usd, 2)}/GPU-hour"
    page.table("deepseek_models", pd.DataFrame([{
        "Model": r.name, "Released": f"{pd.Timestamp(r.released):%b %Y}", "Counted": r.counted,
        "Training FLOP": _range_text(list(r.flops), lambda v: si(v, 2)),
        "H800 GPU-hours": _range_text(list(r.gpu_hours), _hours),
        at_price: _range_text([float(compute.cost_usd(h, run.gpu_hour_usd)) for h in r.gpu_hours], lambda v: usd(v, 2)),
        "DeepSeek disclosed": r.disclosed,
    } for r in rows]))
