"""Parameter counts, KV cache and FLOPs per token from a Hugging Face style config.json.

Families: DeepSeek-V2/V3 (MLA, shared + routed experts, leading dense layers, MTP),
Mixtral (MoE), Qwen MoE (with/without a shared expert), dense Llama/Mistral/Qwen (GQA).
Counting follows the reference implementations' weight shapes (transformers'
modeling_deepseek_v3 / modeling_mixtral / modeling_qwen2_moe / modeling_llama):
gated MLPs have three h×i matrices; norms have one weight vector each.
Unknown or inconsistent configs raise InputError naming the field, never a guess.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from analysis.errors import InputError

MLA_TYPES = {"deepseek_v2", "deepseek_v3"}
MOE_TYPES = {"mixtral", "qwen2_moe", "qwen3_moe"}
DENSE_TYPES = {"llama", "mistral", "qwen2", "qwen3"}
KNOWN_TYPES = sorted(MLA_TYPES | MOE_TYPES | DENSE_TYPES)


@dataclass(frozen=True)
class Attention:
    kind: str  # "mla" | "gqa"
    heads: int
    kv_heads: int  # for MLA: heads (each head gets its own decompressed K/V)
    qk_head_dim: int
    v_head_dim: int
    q_lora_rank: int | None = None
    kv_lora_rank: int | None = None
    qk_rope_head_dim: int = 0
    qkv_bias: bool = False
    qk_norm: bool = False


@dataclass(frozen=True)
class Experts:
    routed: int
    active: int
    expert_intermediate: int
    shared: int  # number of shared experts (DeepSeek) or 1 (Qwen shared expert)
    shared_intermediate: int  # intermediate size of all shared experts together
    shared_gate: bool = False  # Qwen's sigmoid gate on the shared expert
    router_bias: bool = False  # DeepSeek-V3's e_score_correction_bias


@dataclass(frozen=True)
class ModelConfig:
    name: str
    model_type: str
    vocab_size: int
    hidden_size: int
    layers: int
    intermediate_size: int  # dense MLP
    attention: Attention
    experts: Experts | None
    moe_layers: tuple[int, ...]
    tie_word_embeddings: bool
    mtp_layers: int = 0


@dataclass(frozen=True)
class Breakdown:
    """Parameter counts by component (main model; the MTP module separately)."""

    embeddings: int
    attention: int
    dense_mlp: int
    shared_experts: int
    routed_experts: int
    routers: int
    norms: int
    output_head: int
    mtp: int  # as stored in the checkpoint, with its copies of embedding and head
    mtp_unique: int  # without the embedding and head it shares with the main model
    mtp_block: int  # its transformer block alone
    total: int  # main model, MTP excluded
    active: int  # weights used per token; the input embedding is a lookup, not counted
    active_with_embeddings: int  # the same with the whole embedding matrix counted
    routed_experts_active: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _get(raw: dict[str, Any], key: str, *, positive: bool = True, default: Any = ..., name: str = "config") -> Any:
    if key not in raw or raw[key] is None:
        if default is ...:
            raise InputError(f"{name}: missing field {key!r}")
        return default
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{name}: field {key!r} must be a number, got {value!r}")
    if value != int(value):
        raise InputError(f"{name}: field {key!r} must be a whole number, got {value!r}")
    if positive and value <= 0:
        raise InputError(f"{name}: field {key!r} must be positive, got {value!r}")
    if not positive and value < 0:
        raise InputError(f"{name}: field {key!r} must not be negative, got {value!r}")
    return int(value)


def parse_config(raw: dict[str, Any], name: str = "config") -> ModelConfig:
    """Normalise a config.json dictionary; raise InputError naming any bad field."""
    model_type = raw.get("model_type")
    if model_type not in KNOWN_TYPES:
        raise InputError(f"{name}: unknown architecture, field 'model_type' is {model_type!r}; expected one of {', '.join(KNOWN_TYPES)}")

    def g(key: str, **kw: Any) -> Any:
        return _get(raw, key, name=name, **kw)

    hidden, layers, vocab, heads = g("hidden_size"), g("num_hidden_layers"), g("vocab_size"), g("num_attention_heads")
    intermediate = g("intermediate_size")
    tie = bool(raw.get("tie_word_embeddings", False))
    if model_type in MLA_TYPES:
        attention = Attention(
            kind="mla", heads=heads, kv_heads=heads,
            qk_head_dim=g("qk_nope_head_dim") + g("qk_rope_head_dim"), v_head_dim=g("v_head_dim"),
            q_lora_rank=g("q_lora_rank", default=None), kv_lora_rank=g("kv_lora_rank"),
            qk_rope_head_dim=g("qk_rope_head_dim"),
        )
    else:
        kv_heads = g("num_key_value_heads", default=heads)
        if "head_dim" in raw and raw["head_dim"] is not None:
            head_dim = g("head_dim")
        else:
            if hidden % heads:
                raise InputError(
                    f"{name}: field 'hidden_size' ({hidden}) is not divisible by 'num_attention_heads' ({heads}) and no 'head_dim' is given"
                )
            head_dim = hidden // heads
        if heads % kv_heads:
            raise InputError(f"{name}: field 'num_attention_heads' ({heads}) is not a multiple of 'num_key_value_heads' ({kv_heads})")
        attention = Attention(
            kind="gqa", heads=heads, kv_heads=kv_heads, qk_head_dim=head_dim, v_head_dim=head_dim,
            qkv_bias=model_type in ("qwen2", "qwen2_moe") or bool(raw.get("attention_bias", False)),
            qk_norm=model_type in ("qwen3", "qwen3_moe"),
        )

    experts: Experts | None = None
    moe_layers: tuple[int, ...] = ()
    if model_type in MLA_TYPES and raw.get("n_routed_experts"):
        routed, active = g("n_routed_experts"), g("num_experts_per_tok")
        expert_i, shared = g("moe_intermediate_size"), g("n_shared_experts", positive=False, default=0)
        first_dense, freq = g("first_k_dense_replace", positive=False, default=0), g("moe_layer_freq", default=1)
        experts = Experts(routed, active, expert_i, shared, shared * expert_i,
                          router_bias=raw.get("topk_method") == "noaux_tc")
        moe_layers = tuple(i for i in range(layers) if i >= first_dense and i % freq == 0)
    elif model_type == "mixtral":
        experts = Experts(g("num_local_experts"), g("num_experts_per_tok"), intermediate, 0, 0)
        moe_layers = tuple(range(layers))
    elif model_type in ("qwen2_moe", "qwen3_moe"):
        shared_i = g("shared_expert_intermediate_size", positive=False, default=0)
        experts = Experts(g("num_experts"), g("num_experts_per_tok"), g("moe_intermediate_size"),
                          1 if shared_i else 0, shared_i, shared_gate=bool(shared_i))
        step = g("decoder_sparse_step", default=1)
        dense_only = set(raw.get("mlp_only_layers") or [])
        moe_layers = tuple(i for i in range(layers) if i not in dense_only and (i + 1) % step == 0)
    if experts and experts.active > experts.routed:
        raise InputError(
            f"{name}: field 'num_experts_per_tok' ({experts.active}) exceeds the number of routed experts ({experts.routed})"
        )
    if attention.kind == "gqa" and attention.kv_heads > attention.heads:
        raise InputError(f"{name}: field 'num_key_value_heads' exceeds 'num_attention_heads'")
    return ModelConfig(
        name=name, model_type=model_type, vocab_size=vocab, hidden_size=hidden, layers=layers,
        intermediate_size=intermediate, attention=attention, experts=experts, moe_layers=moe_layers,
        tie_word_embeddings=tie, mtp_layers=g("num_nextn_predict_layers", positive=False, default=0),
    )


# --- parameter counting ---------------------------------------------------------------

def attention_params(cfg: ModelConfig) -> int:
    a, h = cfg.attention, cfg.hidden_size
    if a.kind == "mla":
        assert a.kv_lora_rank is not None
        if a.q_lora_rank:
            q = h * a.q_lora_rank + a.q_lora_rank + a.q_lora_rank * a.heads * a.qk_head_dim
        else:
            q = h * a.heads * a.qk_head_dim
        kv = h * (a.kv_lora_rank + a.qk_rope_head_dim) + a.kv_lora_rank  # down-projection + its norm
        kv += a.kv_lora_rank * a.heads * (a.qk_head_dim - a.qk_rope_head_dim + a.v_head_dim)
        return q + kv + a.heads * a.v_head_dim * h
    q = h * a.heads * a.qk_head_dim
    kv = 2 * h * a.kv_heads * a.qk_head_dim
    bias = (a.heads + 2 * a.kv_heads) * a.qk_head_dim if a.qkv_bias else 0
    norm = 2 * a.qk_head_dim if a.qk_norm else 0
    return q + kv + bias + norm + a.heads * a.v_head_dim * h


def mlp_params(hidden: int, intermediate: int) -> int:
    """Gated (SwiGLU) MLP: gate, up and down projections."""
    return 3 * hidden * intermediate


def _moe_layer(cfg: ModelConfig) -> tuple[int, int, int, int]:
    """(shared experts, routed experts, router, routed active) of one MoE layer."""
    e, h = cfg.experts, cfg.hidden_size
    assert e is not None
    shared = mlp_params(h, e.shared_intermediate) + (h if e.shared_gate else 0)
    routed = e.routed * mlp_params(h, e.expert_intermediate)
    router = e.routed * h + (e.routed if e.router_bias else 0)
    return shared, routed, router, e.active * mlp_params(h, e.expert_intermediate)


def breakdown(cfg: ModelConfig) -> Breakdown:
    h, n_moe = cfg.hidden_size, len(cfg.moe_layers)
    n_dense = cfg.layers - n_moe
    embeddings = cfg.vocab_size * h
    head = 0 if cfg.tie_word_embeddings else cfg.vocab_size * h
    attention = cfg.layers * attention_params(cfg)
    dense = n_dense * mlp_params(h, cfg.intermediate_size)
    norms = cfg.layers * 2 * h + h  # two per block, one final
    shared = routed = router = routed_active = 0
    if cfg.experts and n_moe:
        s, r, g, ra = _moe_layer(cfg)
        shared, routed, router, routed_active = n_moe * s, n_moe * r, n_moe * g, n_moe * ra
    total = embeddings + attention + dense + shared + routed + router + norms + head
    active_with_embeddings = total - routed + routed_active
    # MTP (DeepSeek-V3): per depth, enorm + hnorm + eh_proj (2h→h) + one MoE block + final norm;
    # its embedding and output head are the main model's (the checkpoint stores copies).
    mtp_unique = mtp_block = 0
    if cfg.mtp_layers:
        s, r, g, _ = _moe_layer(cfg) if cfg.experts else (mlp_params(h, cfg.intermediate_size), 0, 0, 0)
        mtp_block = cfg.mtp_layers * (attention_params(cfg) + s + r + g + 2 * h)
        mtp_unique = mtp_block + cfg.mtp_layers * (2 * h + 2 * h * h + h)
    mtp = mtp_unique + cfg.mtp_layers * (embeddings + (head or embeddings))
    return Breakdown(
        embeddings=embeddings, attention=attention, dense_mlp=dense, shared_experts=shared,
        routed_experts=routed, routers=router, norms=norms, output_head=head, mtp=mtp, mtp_unique=mtp_unique,
        mtp_block=mtp_block, total=total, active=active_with_embeddings - embeddings,
        active_with_embeddings=active_with_embeddings, routed_experts_active=routed_active,
    )


def mtp_active_params(cfg: ModelConfig) -> int:
    """Weights one MTP depth multiplies per token (projection, block, output head)."""
    if not cfg.mtp_layers:
        return 0
    h = cfg.hidden_size
    s, _, g, ra = _moe_layer(cfg) if cfg.experts else (mlp_params(h, cfg.intermediate_size), 0, 0, 0)
    head = cfg.vocab_size * h
    return cfg.mtp_layers * (2 * h * h + attention_params(cfg) + s + g + ra + head)


# --- KV cache ---------------------------------------------------------------------------

def kv_cache_elements_per_token(cfg: ModelConfig) -> int:
    """Cached elements per token across all layers (V2 report, Table 1)."""
    a = cfg.attention
    if a.kind == "mla":
        assert a.kv_lora_rank is not None
        return (a.kv_lora_rank + a.qk_rope_head_dim) * cfg.layers  # compressed latent + shared RoPE key
    return 2 * a.kv_heads * a.qk_head_dim * cfg.layers


def kv_cache_equivalents(cfg: ModelConfig, gqa_groups: int = 8) -> dict[str, int]:
    """Elements per token if the same model used MHA, GQA (gqa_groups) or MQA instead."""
    a = cfg.attention
    d = a.v_head_dim
    return {
        "own": kv_cache_elements_per_token(cfg),
        "mha": 2 * a.heads * d * cfg.layers,
        "gqa": 2 * min(gqa_groups, a.heads) * d * cfg.layers,
        "mqa": 2 * d * cfg.layers,
    }


def kv_cache_bytes_per_token(cfg: ModelConfig, dtype_bytes: float = 2) -> float:
    if dtype_bytes <= 0:
        raise InputError(f"dtype bytes must be positive, got {dtype_bytes}")
    return kv_cache_elements_per_token(cfg) * dtype_bytes


# --- FLOPs ------------------------------------------------------------------------------

def matmul_params_per_token(cfg: ModelConfig) -> int:
    """Activated weights that are multiplied per token (the embedding is a lookup)."""
    b = breakdown(cfg)
    tied_head = 0 if b.output_head else b.embeddings  # a tied head still multiplies
    return b.active + tied_head - b.norms


def attention_flops_per_token(cfg: ModelConfig, context_tokens: float) -> float:
    """Forward FLOPs of scores and context for one token attending to `context_tokens`."""
    a = cfg.attention
    return 2.0 * cfg.layers * a.heads * (a.qk_head_dim + a.v_head_dim) * context_tokens


def flops_per_token(cfg: ModelConfig, context_tokens: float) -> float:
    """Forward FLOPs per token: 2 × multiplied weights + the attention term."""
    if context_tokens < 0:
        raise InputError(f"context tokens must not be negative, got {context_tokens}")
    return 2.0 * matmul_params_per_token(cfg) + attention_flops_per_token(cfg, context_tokens)


def summary(cfg: ModelConfig, dtype_bytes: float = 2, context_tokens: float = 4096) -> dict[str, Any]:
    """What `python -m analysis model --json` prints."""
    b = breakdown(cfg)
    return {
        "model": cfg.name, "model_type": cfg.model_type,
        "total_params": b.total, "active_params": b.active, "active_params_with_embeddings": b.active_with_embeddings,
        "mtp_params": b.mtp, "mtp_unique_params": b.mtp_unique,
        "kv_cache_elements_per_token": kv_cache_elements_per_token(cfg),
        "kv_cache_bytes_per_token": kv_cache_bytes_per_token(cfg, dtype_bytes),
        "flops_per_token": flops_per_token(cfg, context_tokens), "context_tokens": context_tokens,
        "breakdown": b.as_dict(),
    }
