"""DeepSeek-V4's layer shapes: hybrid attention (a sliding window, Compressed Sparse Attention and Heavily
Compressed Attention), manifold-constrained hyper-connections (mHC) and the checkpoint's storage formats.

Every count follows DeepSeek's reference inference code, `inference/model.py` of the Hugging Face repository
deepseek-ai/DeepSeek-V4-Flash @60d8d70770c6776ff598c94bb586a859a38244f1 (sha256 ce962f1f…; read in a vendored
copy that is byte-identical apart from lines it tags), whose ModelArgs fields map to config.json as follows:
dim = hidden_size, n_heads = num_attention_heads, head_dim, rope_head_dim = qk_rope_head_dim, q_lora_rank,
o_groups, o_lora_rank, window_size = sliding_window, compress_ratios, index_n_heads, index_head_dim,
index_topk, hc_mult, n_hash_layers = num_hash_layers, n_mtp_layers = num_nextn_predict_layers,
moe_inter_dim = moe_intermediate_size, n_activated_experts = num_experts_per_tok, expert_dtype.

What one layer holds (class names of model.py):
- Attention: one shared key/value head of head_dim (K = V, "MQA"), a learned sink logit per head
  (attn_sink), a low-rank query (wq_a → q_norm → wq_b, as V3's), wkv (hidden → head_dim) + kv_norm, and a
  grouped low-rank output: wo_a maps each of o_groups groups of heads (heads·head_dim / o_groups) to
  o_lora_rank, wo_b maps o_groups·o_lora_rank back to hidden.
- compress_ratios[i] is layer i's ratio (the list runs on into the MTP layers, which take the index
  num_hidden_layers + j): 0 = the sliding window alone; 4 = Compressed Sparse Attention (CSA): a
  Compressor pools each 4 tokens (with overlapping windows, so its projections are twice as wide) and an
  Indexer, with its own keys (a Compressor of index_head_dim), picks the index_topk compressed entries to
  attend; 128 = Heavily Compressed Attention (HCA): a Compressor pools each 128 tokens and every
  compressed entry is attended. Every layer also attends its last `sliding_window` tokens uncompressed.
  Compressor: ape (ratio × width), wkv and wgate (hidden → width), norm (head_dim); width = head_dim,
  doubled when ratio is 4. Indexer: wq_b (q_lora_rank → index heads·index_head_dim), weights_proj
  (hidden → index heads) and its Compressor.
- mHC (Block.hc_*): the residual stream is hc_mult copies of the hidden state; before attention and
  before the MoE, a mixing map hc_fn ((2 + hc)·hc × hc·hidden) with a base ((2 + hc)·hc) and 3 scales;
  the head (and each MTP block's head) reduces the copies with hc_head_fn (hc × hc·hidden), a base (hc)
  and one scale.
- MoE: every layer; one shared expert and n_routed_experts routed (SwiGLU of moe_intermediate_size); the
  gate's weight (experts × hidden) and, except in the first num_hash_layers layers, a bias per expert.
  Hash layers route by token id through a table tid2eid (vocab × experts per token): an index table,
  counted in the checkpoint but not as parameters.
- MTP block: a Block (with compress_ratios[num_hidden_layers + j]) plus e_proj and h_proj (hidden → hidden),
  enorm, hnorm, norm and its own hc head; its embedding and output head are the main model's, and the
  checkpoint stores no copies of them (the published tensor count has no room for them).

Storage (checked to the byte against the published safetensors indexes, data/published_figures.csv):
routed experts in FP4 (e2m1, two per byte) with one UE8M0 scale byte per 32 inputs; the projections
wq_a, wq_b, wkv, wo_a, wo_b, the indexer's wq_b, the shared expert and MTP's e_proj/h_proj in FP8 (e4m3)
with one UE8M0 scale byte per 128 × 128 block; embedding, head, norms, the compressors' wkv/wgate, the
indexer's weights_proj and the gate weight in BF16; sinks, ape, the mHC parameters and gate biases in FP32;
tid2eid as 8-byte integers (model.py declares int32, but only 8 bytes per entry meets the published total).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

SLIDING, CSA, HCA = "sliding_window", "compressed_sparse", "heavily_compressed"
INDEXED_RATIO = 4  # model.py: a layer of ratio 4 has an Indexer and overlapping compression windows
FP4_BLOCK = 32  # model.py fp4_block_size: one scale per 32 FP4 weights along the input
BYTES = {"fp4": 0.5, "fp8": 1, "ue8m0": 1, "bf16": 2, "fp32": 4, "int64": 8}  # per element, by storage format


@dataclass(frozen=True)
class Hybrid:
    """The fields of a DeepSeek-V4 config that V3's shapes do not have."""

    compress_ratios: tuple[int, ...]  # one per layer, main layers first, then the MTP layers
    window: int  # sliding_window: tokens every layer keeps uncompressed
    o_groups: int
    o_lora_rank: int
    hc_mult: int
    hash_layers: int
    expert_fp4: bool  # expert_dtype "fp4"
    fp8: bool = True  # quantization_config.quant_method "fp8"; otherwise the projections are BF16
    fp8_block: tuple[int, int] = (128, 128)  # quantization_config.weight_block_size
    scale_dtype: str = "ue8m0"  # quantization_config.scale_fmt "ue8m0"; otherwise FP32 scales


@dataclass(frozen=True)
class Shape:
    """Plain sizes the counts need (from the config)."""

    hidden: int
    heads: int
    head_dim: int
    q_lora_rank: int
    index_heads: int
    index_head_dim: int
    index_topk: int
    vocab: int
    routed: int
    active: int
    shared: int
    expert_intermediate: int
    layers: int
    mtp_layers: int


def layer_kind(ratio: int) -> str:
    return SLIDING if ratio == 0 else CSA if ratio == INDEXED_RATIO else HCA


# --- parameters -------------------------------------------------------------------------------

def attention_params(s: Shape, hy: Hybrid) -> int:
    """One layer's attention without its compressor and indexer: sinks, low-rank query, the shared K=V head,
    the grouped low-rank output."""
    q = s.hidden * s.q_lora_rank + s.q_lora_rank + s.q_lora_rank * s.heads * s.head_dim
    kv = s.hidden * s.head_dim + s.head_dim
    out = (s.heads * s.head_dim // hy.o_groups) * hy.o_groups * hy.o_lora_rank + hy.o_groups * hy.o_lora_rank * s.hidden
    return s.heads + q + kv + out


def _compressor(hidden: int, ratio: int, head_dim: int) -> int:
    width = head_dim * (2 if ratio == INDEXED_RATIO else 1)
    return ratio * width + 2 * hidden * width + head_dim  # ape, wkv, wgate, norm


def compressor_params(s: Shape, ratio: int) -> int:
    """The Compressor of one layer's attention (0 for a sliding-window layer)."""
    return _compressor(s.hidden, ratio, s.head_dim) if ratio else 0


def indexer_params(s: Shape, ratio: int) -> int:
    """The Indexer of a CSA layer: wq_b, weights_proj and its own Compressor of index_head_dim."""
    if ratio != INDEXED_RATIO:
        return 0
    return s.q_lora_rank * s.index_heads * s.index_head_dim + s.hidden * s.index_heads + _compressor(s.hidden, ratio, s.index_head_dim)


def hc_block_params(hidden: int, hc: int) -> int:
    """mHC of one block: before attention and before the MoE, hc_fn, hc_base and hc_scale (3)."""
    mix = (2 + hc) * hc
    return 2 * (mix * hc * hidden + mix + 3)


def hc_head_params(hidden: int, hc: int) -> int:
    """mHC at a head (the model's, or an MTP block's): hc_head_fn, hc_head_base, hc_head_scale."""
    return hc * hc * hidden + hc + 1


def router_params(s: Shape, layer: int, hy: Hybrid) -> int:
    """The gate's weight, and its bias except in a hash-routed layer (tid2eid is an index table, not counted)."""
    return s.routed * s.hidden + (0 if layer < hy.hash_layers else s.routed)


# --- KV cache ---------------------------------------------------------------------------------

def kv_entries(ratio: int, window: int, tokens: float) -> float:
    """Entries one layer keeps for a sequence of `tokens`: its window, plus one compressed entry per `ratio`
    tokens (model.py: kv_cache holds window + seqlen // ratio entries; a part-filled group waits in the
    compressor's state, a fixed buffer not counted here)."""
    return min(tokens, window) + (math.floor(tokens / ratio) if ratio else 0)


def kv_elements_kept(s: Shape, hy: Hybrid, tokens: float) -> tuple[float, float]:
    """(attention entries × head_dim, the indexers' keys) one sequence keeps across the main layers."""
    ratios = hy.compress_ratios[: s.layers]
    attention = sum(kv_entries(r, hy.window, tokens) for r in ratios) * s.head_dim
    indexer = sum(math.floor(tokens / r) for r in ratios if r == INDEXED_RATIO) * s.index_head_dim
    return attention, indexer


def kv_elements_per_token(s: Shape, hy: Hybrid) -> tuple[float, float]:
    """What each further token adds once the windows are full: head_dim / ratio per compressing layer, and
    index_head_dim / 4 per CSA layer for the indexer's keys."""
    ratios = hy.compress_ratios[: s.layers]
    return (sum(s.head_dim / r for r in ratios if r), sum(s.index_head_dim / r for r in ratios if r == INDEXED_RATIO))


# --- FLOPs ------------------------------------------------------------------------------------

def attended_entries(ratio: int, window: int, topk: int, tokens: float) -> float:
    """Cache entries one query attends in a layer: its window, plus the indexer's top-k compressed entries
    (CSA) or every compressed entry (HCA)."""
    compressed = math.floor(tokens / ratio) if ratio else 0
    return min(tokens, window) + (min(topk, compressed) if ratio == INDEXED_RATIO else compressed)


def attention_flops_per_token(s: Shape, hy: Hybrid, tokens: float) -> float:
    """Forward FLOPs of scores and outputs for one token with `tokens` of context: each head multiplies its
    query with each attended entry (head_dim) and sums the entries into its output (head_dim); each CSA
    indexer scores every compressed entry (index heads × index_head_dim multiply-adds)."""
    ratios = hy.compress_ratios[: s.layers]
    entries = sum(attended_entries(r, hy.window, s.index_topk, tokens) for r in ratios)
    indexed = sum(math.floor(tokens / r) for r in ratios if r == INDEXED_RATIO)
    return 2.0 * s.heads * 2 * s.head_dim * entries + 2.0 * s.index_heads * s.index_head_dim * indexed


# --- checkpoint -------------------------------------------------------------------------------

def _fp8(out: int, inp: int, hy: Hybrid) -> Iterator[tuple[str, int]]:
    if not hy.fp8:
        yield "bf16", out * inp
        return
    yield "fp8", out * inp
    yield hy.scale_dtype, math.ceil(out / hy.fp8_block[0]) * math.ceil(inp / hy.fp8_block[1])


def _expert(s: Shape, hy: Hybrid, routed: bool) -> Iterator[tuple[str, int]]:
    for out, inp in ((s.expert_intermediate, s.hidden), (s.hidden, s.expert_intermediate), (s.expert_intermediate, s.hidden)):
        if routed and hy.expert_fp4:
            yield "fp4", out * inp
            yield hy.scale_dtype, out * math.ceil(inp / FP4_BLOCK)
        else:
            yield from _fp8(out, inp, hy)


def _compressor_tensors(hidden: int, ratio: int, head_dim: int) -> Iterator[tuple[str, int]]:
    width = head_dim * (2 if ratio == INDEXED_RATIO else 1)
    yield from (("fp32", ratio * width), ("bf16", hidden * width), ("bf16", hidden * width), ("bf16", head_dim))


def _block_tensors(s: Shape, hy: Hybrid, layer: int) -> Iterator[tuple[str, int]]:
    h, ratio = s.hidden, hy.compress_ratios[layer]
    yield "fp32", s.heads  # attn_sink
    yield from _fp8(s.q_lora_rank, h, hy)
    yield "bf16", s.q_lora_rank
    yield from _fp8(s.heads * s.head_dim, s.q_lora_rank, hy)
    yield from _fp8(s.head_dim, h, hy)
    yield "bf16", s.head_dim
    yield from _fp8(hy.o_groups * hy.o_lora_rank, s.heads * s.head_dim // hy.o_groups, hy)
    yield from _fp8(h, hy.o_groups * hy.o_lora_rank, hy)
    if ratio:
        yield from _compressor_tensors(h, ratio, s.head_dim)
    if ratio == INDEXED_RATIO:
        yield from _fp8(s.index_heads * s.index_head_dim, s.q_lora_rank, hy)
        yield "bf16", s.index_heads * h
        yield from _compressor_tensors(h, ratio, s.index_head_dim)
    yield "bf16", s.routed * h  # gate weight
    yield ("int64", s.vocab * s.active) if layer < hy.hash_layers else ("fp32", s.routed)  # tid2eid or bias
    for _ in range(s.routed):
        yield from _expert(s, hy, routed=True)
    for _ in range(s.shared):
        yield from _expert(s, hy, routed=False)
    yield from (("bf16", h), ("bf16", h))  # attn_norm, ffn_norm
    mix = (2 + hy.hc_mult) * hy.hc_mult
    for _ in ("attn", "ffn"):
        yield from (("fp32", mix * hy.hc_mult * h), ("fp32", mix), ("fp32", 3))


def _hc_head_tensors(h: int, hc: int) -> Iterator[tuple[str, int]]:
    yield from (("fp32", hc * hc * h), ("fp32", hc), ("fp32", 1))


def checkpoint_tensors(s: Shape, hy: Hybrid) -> Iterator[tuple[str, int]]:
    """(storage format, elements) of every tensor of the released checkpoint, MTP included."""
    h = s.hidden
    yield from (("bf16", s.vocab * h), ("bf16", h), ("bf16", s.vocab * h))  # embed, norm, head
    yield from _hc_head_tensors(h, hy.hc_mult)
    for layer in range(s.layers):
        yield from _block_tensors(s, hy, layer)
    for j in range(s.mtp_layers):
        yield from _block_tensors(s, hy, s.layers + j)
        yield from _fp8(h, h, hy)  # e_proj
        yield from _fp8(h, h, hy)  # h_proj
        yield from (("bf16", h),) * 3  # enorm, hnorm, norm
        yield from _hc_head_tensors(h, hy.hc_mult)


def checkpoint(s: Shape, hy: Hybrid) -> dict[str, object]:
    """Tensors and bytes of the released checkpoint, each also by storage format."""
    tensors, elements = Counter[str](), Counter[str]()
    for fmt, n in checkpoint_tensors(s, hy):
        tensors[fmt] += 1
        elements[fmt] += n
    bytes_by = {fmt: int(n * BYTES[fmt]) for fmt, n in sorted(elements.items())}
    return {"tensors": sum(tensors.values()), "bytes": sum(bytes_by.values()), "bytes_by_format": bytes_by,
            "tensors_by_format": dict(sorted(tensors.items()))}
