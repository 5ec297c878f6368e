"""Parameter counts, KV cache and FLOPs per token from a Hugging Face style config.json.

Families and the reference implementation each count follows (weight shapes, not prose):

- DeepSeek-V2/V3 and Kimi K2 (`deepseek_v2`, `deepseek_v3`, `kimi_k2`): MLA, shared + routed
  experts, leading dense layers, MTP - transformers' models/deepseek_v3/modeling_deepseek_v3.py
  (Kimi K2's config names DeepseekV3ForCausalLM as its architecture).
- DeepSeek-V3.2-Exp (`deepseek_v32`): V3 plus the lightning indexer of every MLA layer -
  deepseek-ai/DeepSeek-V3.2-Exp inference/model.py (class Indexer).
- Mixtral (`mixtral`) - models/mixtral/modeling_mixtral.py; Qwen MoE (`qwen2_moe`, `qwen3_moe`) -
  models/qwen2_moe/modeling_qwen2_moe.py and models/qwen3_moe/modeling_qwen3_moe.py.
- GLM-4.5 (`glm4_moe`) - models/glm4_moe/modeling_glm4_moe.py; its MTP layer (which transformers
  does not load) as in DeepSeek-V3's: enorm, hnorm, eh_proj, one decoder block, a final norm.
- gpt-oss (`gpt_oss`) - models/gpt_oss/modeling_gpt_oss.py (the same shapes as OpenAI's gpt-oss
  reference torch/model.py).
- Llama 4 text decoder (`llama4`, fields under `text_config`; or `llama4_text`) -
  models/llama4/modeling_llama4.py and configuration_llama4.py.
- Dense Llama/Mistral/Qwen2/Qwen3 (GQA) - models/llama/modeling_llama.py and its copies.
- DeepSeek-V4 (`deepseek_v4`): hybrid attention (sliding window, CSA with an indexer, HCA), mHC and FP4
  experts - deepseek-ai/DeepSeek-V4-Flash inference/model.py; the shapes and formulas are in
  analysis.model.hybrid_attention, which this module calls for a config with `hybrid` set.

Gated MLPs have three h x i matrices; RMSNorms have one weight vector each (LayerNorm two).
Unknown or inconsistent configs raise InputError naming the field, never a guess: where a
family's config class has a default that is not hidden_size / heads (head_dim of Qwen3, GLM,
gpt-oss) or that differs between releases (attention_bias, first_k_dense_replace), the field
is required.

KV cache. `kv_cache_elements_per_token` is the full-context figure: every layer keeps every
token. Layers that attend to a window - gpt-oss' sliding-window layers (128 tokens), Llama 4's
chunked-attention layers (8,192) - keep at most that many tokens, so `kv_cache_elements_kept`
gives what one sequence of a given length actually keeps, and `kv_cache_elements_per_token_kept`
that total divided by the length (the average per token, comparable with the full figure).
A chunked layer is counted at min(length, chunk): the capacity an engine reserves, since the
next token may sit at the end of a chunk (what is really needed varies from 1 to chunk tokens).
V3.2-Exp's indexer keeps one key of index_head_dim per token per layer beside MLA's latent;
DeepSeek stores it in FP8 (plus one FP32 scale per 128 elements), so counts here are elements
and bytes use whatever dtype the caller gives; `kv_cache_indexer_elements_per_token` lets a
caller price it separately.
V4 keeps, per layer, its last sliding_window tokens plus one compressed entry of head_dim per 4 (CSA) or 128
(HCA) tokens, and each CSA indexer one key of index_head_dim per 4 tokens; its `kv_cache_elements_per_token`
is what each further token adds once the windows are full (see hybrid_attention).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from analysis.errors import InputError
from analysis.model import hybrid_attention as hy

MLA_TYPES = {"deepseek_v2", "deepseek_v3", "kimi_k2", "deepseek_v32"}
MOE_TYPES = {"mixtral", "qwen2_moe", "qwen3_moe", "glm4_moe", "gpt_oss", "llama4", "llama4_text"}
DENSE_TYPES = {"llama", "mistral", "qwen2", "qwen3"}
HYBRID_TYPES = {"deepseek_v4"}
KNOWN_TYPES = sorted(MLA_TYPES | MOE_TYPES | DENSE_TYPES | HYBRID_TYPES)

FULL, SLIDING, CHUNKED = "full_attention", "sliding_attention", "chunked_attention"
# Families whose config class defaults head_dim to a constant, not hidden_size / heads.
# Beyond any real model: no config field counted here exceeds 2^20 (the largest vocabularies are ~262K), and
# the largest published models have ~2 trillion parameters.
MAX_FIELD = 2**20
MAX_PARAMS = 10**14


def _shown(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


HEAD_DIM_REQUIRED = {"qwen3", "qwen3_moe", "glm4_moe", "gpt_oss"}


@dataclass(frozen=True)
class Attention:
    kind: str  # "mla" | "gqa" | "hybrid" (DeepSeek-V4: one shared K=V head of qk_head_dim, see hybrid_attention)
    heads: int
    kv_heads: int  # for MLA: heads (each head gets its own decompressed K/V)
    qk_head_dim: int
    v_head_dim: int
    q_lora_rank: int | None = None
    kv_lora_rank: int | None = None
    qk_rope_head_dim: int = 0
    qkv_bias: bool = False
    qk_norm: bool = False
    o_bias: bool = False  # bias on the output projection (Llama with attention_bias, gpt-oss)
    sinks: bool = False  # gpt-oss: one learned attention-sink logit per head


@dataclass(frozen=True)
class Indexer:
    """DeepSeek-V3.2-Exp's lightning indexer (one per MLA layer)."""

    heads: int
    head_dim: int
    topk: int


@dataclass(frozen=True)
class Experts:
    routed: int
    active: int
    expert_intermediate: int
    shared: int  # number of shared experts (DeepSeek) or 1 (Qwen shared expert)
    shared_intermediate: int  # intermediate size of all shared experts together
    shared_gate: bool = False  # Qwen's sigmoid gate on the shared expert
    router_bias: bool = False  # DeepSeek-V3's e_score_correction_bias; gpt-oss' router bias
    expert_bias: bool = False  # gpt-oss: biases on each expert's gate_up (2i) and down (h) projections


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
    layer_types: tuple[str, ...] = ()  # per layer FULL | SLIDING | CHUNKED; empty = all full
    attention_window: int | None = None  # tokens a sliding layer sees, or the chunk of a chunked layer
    indexer: Indexer | None = None
    hybrid: hy.Hybrid | None = None  # DeepSeek-V4's compress ratios, output groups, mHC, storage formats


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
    indexer: int = 0  # V3.2-Exp's lightning indexers, V4's CSA indexers (main model; not inside `attention`)
    compressor: int = 0  # V4: the KV compressors of CSA and HCA layers (main model)
    hyper_connections: int = 0  # V4: mHC mixing parameters of every block and of the head (main model)

    def as_dict(self) -> dict[str, int]:
        """Every count; the V4-only components only where the model has them."""
        return {k: v for k, v in asdict(self).items() if v or k not in HYBRID_ONLY}


HYBRID_ONLY = ("compressor", "hyper_connections")


def _get(raw: dict[str, Any], key: str, *, positive: bool = True, default: Any = ..., name: str = "config",
         prefix: str = "") -> Any:
    field = f"{prefix}{key}"
    if key not in raw or raw[key] is None:
        if default is ...:
            raise InputError(f"{name}: missing field {field!r}")
        return default
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{name}: field {field!r} must be a number, got {_shown(value)}")
    if not math.isfinite(value):
        raise InputError(f"{name}: field {field!r} must be a finite number, got {value!r}")
    if abs(value) > MAX_FIELD:
        raise InputError(f"{name}: field {field!r} is {value:.3g}, beyond any real model (at most {MAX_FIELD:,})")
    if value != int(value):
        raise InputError(f"{name}: field {field!r} must be a whole number, got {value!r}")
    if positive and value <= 0:
        raise InputError(f"{name}: field {field!r} must be positive, got {value!r}")
    if not positive and value < 0:
        raise InputError(f"{name}: field {field!r} must not be negative, got {value!r}")
    return int(value)


def _flag(raw: dict[str, Any], key: str, *, default: Any = ..., name: str, prefix: str = "") -> bool:
    field = f"{prefix}{key}"
    if key not in raw or raw[key] is None:
        if default is ...:
            raise InputError(f"{name}: missing field {field!r}")
        return bool(default)
    if not isinstance(raw[key], bool):
        raise InputError(f"{name}: field {field!r} must be true or false, got {raw[key]!r}")
    return raw[key]


def _int_list(raw: dict[str, Any], key: str, *, name: str, prefix: str, layers: int) -> list[int]:
    value = raw[key]
    if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        raise InputError(f"{name}: field '{prefix}{key}' must be a list of whole numbers, got {value!r}")
    bad = [v for v in value if not 0 <= v < layers]
    if bad:
        raise InputError(f"{name}: field '{prefix}{key}' names layer(s) {bad} outside 0..{layers - 1}")
    return value


def _layer_types(raw: dict[str, Any], model_type: str, layers: int, g: Any, name: str, prefix: str) -> tuple[tuple[str, ...], int | None]:
    """Per-layer attention kind and the window (sliding) or chunk (chunked) size, as transformers derives them."""
    allowed = {FULL, SLIDING} if model_type != "llama4" else {FULL, CHUNKED}
    if model_type == "gpt_oss" and "layer_types" not in raw:
        raise InputError(f"{name}: missing field '{prefix}layer_types'")
    if raw.get("layer_types") is not None:
        types = raw["layer_types"]
        if not isinstance(types, list) or len(types) != layers:
            raise InputError(f"{name}: field '{prefix}layer_types' must list one attention type per layer ({layers})")
        unknown = sorted({t for t in types if t not in allowed}, key=str)
        if unknown:
            raise InputError(f"{name}: field '{prefix}layer_types' has {unknown}; expected {', '.join(sorted(allowed))}")
        types = tuple(types)
    elif model_type == "llama4":
        # configuration_llama4: no_rope_layers[i] = 1 means "uses RoPE", and RoPE layers are chunked;
        # by default every no_rope_layer_interval-th layer (4th) is a NoPE, full-attention layer.
        if raw.get("no_rope_layers"):
            flags = raw["no_rope_layers"]
            if not isinstance(flags, list) or len(flags) != layers or any(f not in (0, 1) or isinstance(f, bool) for f in flags):
                raise InputError(f"{name}: field '{prefix}no_rope_layers' must list 0 or 1 for each of {layers} layers")
        else:
            interval = g("no_rope_layer_interval", default=4)
            flags = [int((i + 1) % interval != 0) for i in range(layers)]
        types = tuple(CHUNKED if f else FULL for f in flags)
    elif model_type in ("mistral", "mixtral") and raw.get("sliding_window") is not None:
        types = (SLIDING,) * layers  # modeling_mistral: every layer slides when sliding_window is set
    elif model_type in ("qwen2", "qwen2_moe", "qwen3", "qwen3_moe") and raw.get("use_sliding_window"):
        first = g("max_window_layers", positive=False)
        types = tuple(SLIDING if i >= first else FULL for i in range(layers))
    else:
        types = ()
    window = None
    if SLIDING in types:
        window = g("sliding_window")
    elif CHUNKED in types:
        window = g("attention_chunk_size")
    return (types if window else ()), window


def parse_config(raw: dict[str, Any], name: str = "config") -> ModelConfig:
    """Normalise a config.json dictionary; raise InputError naming any bad field."""
    model_type = raw.get("model_type")
    if model_type not in KNOWN_TYPES:
        raise InputError(f"{name}: unknown architecture, field 'model_type' is {model_type!r}; expected one of {', '.join(KNOWN_TYPES)}")
    if model_type in HYBRID_TYPES:
        return _checked_size(_parse_hybrid(raw, name))
    prefix = ""
    if model_type == "llama4":
        text = raw.get("text_config")
        if not isinstance(text, dict):
            raise InputError(f"{name}: missing field 'text_config' (a llama4 config keeps its text decoder there)")
        raw, prefix = text, "text_config."
    elif model_type == "llama4_text":
        model_type = "llama4"
    p = prefix

    def g(key: str, **kw: Any) -> Any:
        return _get(raw, key, name=name, prefix=prefix, **kw)

    def flag(key: str, **kw: Any) -> bool:
        return _flag(raw, key, name=name, prefix=prefix, **kw)

    hidden, layers, vocab, heads = g("hidden_size"), g("num_hidden_layers"), g("vocab_size"), g("num_attention_heads")
    intermediate = g("intermediate_size")
    tie = bool(raw.get("tie_word_embeddings", False))
    indexer: Indexer | None = None
    if model_type in MLA_TYPES:
        attention = Attention(
            kind="mla", heads=heads, kv_heads=heads,
            qk_head_dim=g("qk_nope_head_dim") + g("qk_rope_head_dim"), v_head_dim=g("v_head_dim"),
            q_lora_rank=g("q_lora_rank", default=None), kv_lora_rank=g("kv_lora_rank"),
            qk_rope_head_dim=g("qk_rope_head_dim"),
        )
        if model_type == "deepseek_v32":
            indexer = Indexer(g("index_n_heads"), g("index_head_dim"), g("index_topk"))
            if attention.q_lora_rank is None:
                raise InputError(f"{name}: missing field 'q_lora_rank' (the V3.2 indexer's query projection starts from it)")
    else:
        kv_heads = g("num_key_value_heads", default=heads)
        if model_type in HEAD_DIM_REQUIRED or ("head_dim" in raw and raw["head_dim"] is not None):
            head_dim = g("head_dim")
        else:
            if hidden % heads:
                raise InputError(
                    f"{name}: field '{p}hidden_size' ({hidden}) is not divisible by '{p}num_attention_heads' ({heads}) and no '{p}head_dim' is given"
                )
            head_dim = hidden // heads
        if heads % kv_heads:
            raise InputError(f"{name}: field '{p}num_attention_heads' ({heads}) is not a multiple of '{p}num_key_value_heads' ({kv_heads})")
        if model_type in ("qwen2", "qwen2_moe"):
            qkv_bias, o_bias = True, False  # modeling_qwen2: q/k/v biased, o_proj not
        elif model_type in ("gpt_oss", "glm4_moe"):
            qkv_bias = flag("attention_bias")
            o_bias = qkv_bias and model_type == "gpt_oss"  # glm4_moe's o_proj never has a bias
        else:
            qkv_bias = o_bias = flag("attention_bias", default=False)  # Llama, Qwen3, Llama 4: all four
        attention = Attention(
            kind="gqa", heads=heads, kv_heads=kv_heads, qk_head_dim=head_dim, v_head_dim=head_dim,
            qkv_bias=qkv_bias, o_bias=o_bias,
            # Qwen3 and GLM-4.5 have RMSNorm q_norm/k_norm (head_dim weights each); Llama 4's
            # qk_norm is an L2 norm without weights, so it adds nothing here.
            qk_norm=model_type in ("qwen3", "qwen3_moe") or (model_type == "glm4_moe" and flag("use_qk_norm")),
            sinks=model_type == "gpt_oss",
        )

    experts: Experts | None = None
    moe_layers: tuple[int, ...] = ()
    if model_type in MLA_TYPES:
        # transformers reads a missing, null or zero expert count as "dense", but every model of these
        # architectures is a Mixture-of-Experts: refuse rather than count a different model.
        if raw.get("n_routed_experts") is None:
            raise InputError(f"{name}: missing field 'n_routed_experts' (every {model_type} model is a Mixture-of-Experts)")
        routed, active = g("n_routed_experts"), g("num_experts_per_tok")
        expert_i, shared = g("moe_intermediate_size"), g("n_shared_experts", positive=False, default=0)
        first_dense, freq = g("first_k_dense_replace", positive=False, default=0), g("moe_layer_freq", default=1)
        experts = Experts(routed, active, expert_i, shared, shared * expert_i,
                          router_bias=raw.get("topk_method") == "noaux_tc")
        moe_layers = tuple(i for i in range(layers) if i >= first_dense and i % freq == 0)
    elif model_type == "glm4_moe":
        # Glm4MoeMoE: routed experts, shared_experts MLP of moe_intermediate_size·n_shared_experts,
        # a router with e_score_correction_bias; layers before first_k_dense_replace are dense.
        expert_i, shared = g("moe_intermediate_size"), g("n_shared_experts", positive=False)
        experts = Experts(g("n_routed_experts"), g("num_experts_per_tok"), expert_i, shared, shared * expert_i, router_bias=True)
        moe_layers = tuple(range(g("first_k_dense_replace", positive=False), layers))
    elif model_type == "gpt_oss":
        # GptOssExperts: gate_up_proj [E, h, 2i] + bias [E, 2i], down_proj [E, i, h] + bias [E, h];
        # GptOssTopKRouter: weight [E, h] + bias [E]. Every layer is MoE; there is no dense MLP.
        experts = Experts(g("num_local_experts"), g("num_experts_per_tok"), intermediate, 0, 0,
                          router_bias=True, expert_bias=True)
        moe_layers = tuple(range(layers))
    elif model_type == "llama4":
        # Llama4TextMoe: experts of intermediate_size, one shared expert of intermediate_size, a
        # bias-free router; the other layers are dense MLPs of intermediate_size_mlp.
        experts = Experts(g("num_local_experts"), g("num_experts_per_tok"), intermediate, 1, intermediate)
        if raw.get("moe_layers") is not None:
            moe_layers = tuple(sorted(set(_int_list(raw, "moe_layers", name=name, prefix=p, layers=layers))))
        else:
            step = g("interleave_moe_layer_step")
            moe_layers = tuple(range(step - 1, layers, step))
        if len(moe_layers) < layers:
            intermediate = g("intermediate_size_mlp")
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
            f"{name}: field '{p}num_experts_per_tok' ({experts.active}) exceeds the number of routed experts ({experts.routed})"
        )
    if attention.kind == "gqa" and attention.kv_heads > attention.heads:
        raise InputError(f"{name}: field '{p}num_key_value_heads' exceeds '{p}num_attention_heads'")
    types, window = _layer_types(raw, model_type, layers, g, name, p)
    cfg = ModelConfig(
        name=name, model_type=model_type, vocab_size=vocab, hidden_size=hidden, layers=layers,
        intermediate_size=intermediate, attention=attention, experts=experts, moe_layers=moe_layers,
        tie_word_embeddings=tie, mtp_layers=g("num_nextn_predict_layers", positive=False, default=0),
        layer_types=types, attention_window=window, indexer=indexer,
    )
    return _checked_size(cfg)


def _checked_size(cfg: ModelConfig) -> ModelConfig:
    total = breakdown(cfg).total
    if total > MAX_PARAMS:
        raise InputError(f"{cfg.name}: the fields describe {total:.3g} parameters, beyond any real model (at most {MAX_PARAMS / 1e12:,.0f} trillion)")
    return cfg


def _compress_ratios(raw: dict[str, Any], name: str, layers: int) -> tuple[int, ...]:
    """V4's compress_ratios: one whole number per layer, MTP layers included (model.py indexes it by layer id)."""
    value = raw.get("compress_ratios")
    if value is None:
        raise InputError(f"{name}: missing field 'compress_ratios'")
    if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_FIELD for v in value):
        raise InputError(f"{name}: field 'compress_ratios' must be a list of whole numbers from 0 to {MAX_FIELD:,}, got {_shown(value)}")
    if len(value) != layers:
        raise InputError(f"{name}: field 'compress_ratios' lists {len(value)} ratios; expected one per layer, MTP layers included ({layers})")
    if any(v == 1 for v in value):
        raise InputError(f"{name}: field 'compress_ratios' has a ratio of 1; a layer compresses by 2 or more tokens, or 0 for none")
    return tuple(value)


def _quantization(raw: dict[str, Any], name: str) -> dict[str, Any]:
    """V4's storage: FP8 projections in blocks (quantization_config), FP4 experts (expert_dtype)."""
    q = raw.get("quantization_config")
    if q is None:
        return {"fp8": False}
    if not isinstance(q, dict):
        raise InputError(f"{name}: field 'quantization_config' must be an object, got {_shown(q)}")
    if q.get("quant_method") != "fp8":
        raise InputError(f"{name}: field 'quantization_config.quant_method' is {q.get('quant_method')!r}; expected 'fp8'")
    block = q.get("weight_block_size", [128, 128])
    if not isinstance(block, list) or len(block) != 2 or any(isinstance(b, bool) or not isinstance(b, int) or not 0 < b <= MAX_FIELD for b in block):
        raise InputError(f"{name}: field 'quantization_config.weight_block_size' must be two positive whole numbers, got {_shown(block)}")
    return {"fp8": True, "fp8_block": (block[0], block[1]), "scale_dtype": "ue8m0" if q.get("scale_fmt") == "ue8m0" else "fp32"}


def _parse_hybrid(raw: dict[str, Any], name: str) -> ModelConfig:
    """A DeepSeek-V4 config (field meanings: hybrid_attention's docstring, after DeepSeek's model.py)."""
    def g(key: str, **kw: Any) -> Any:
        return _get(raw, key, name=name, **kw)

    hidden, layers, vocab, heads = g("hidden_size"), g("num_hidden_layers"), g("vocab_size"), g("num_attention_heads")
    head_dim, rope, mtp = g("head_dim"), g("qk_rope_head_dim"), g("num_nextn_predict_layers", positive=False, default=0)
    if rope >= head_dim:
        raise InputError(f"{name}: field 'qk_rope_head_dim' ({rope}) must be smaller than 'head_dim' ({head_dim})")
    o_groups = g("o_groups")
    if heads % o_groups:
        raise InputError(f"{name}: field 'o_groups' ({o_groups}) does not divide 'num_attention_heads' ({heads})")
    if raw.get("n_routed_experts") is None:
        raise InputError(f"{name}: missing field 'n_routed_experts' (every deepseek_v4 model is a Mixture-of-Experts)")
    routed, active, inter = g("n_routed_experts"), g("num_experts_per_tok"), g("moe_intermediate_size")
    if active > routed:
        raise InputError(f"{name}: field 'num_experts_per_tok' ({active}) exceeds the number of routed experts ({routed})")
    if g("n_shared_experts") != 1:
        raise InputError(f"{name}: field 'n_shared_experts' is {raw['n_shared_experts']!r}; DeepSeek-V4's MoE has exactly 1")
    hash_layers = g("num_hash_layers", positive=False, default=0)
    if hash_layers > layers:
        raise InputError(f"{name}: field 'num_hash_layers' ({hash_layers}) exceeds 'num_hidden_layers' ({layers})")
    if raw.get("expert_dtype") not in (None, "fp4"):
        raise InputError(f"{name}: field 'expert_dtype' is {_shown(raw['expert_dtype'])}; expected 'fp4' or none")
    if _flag(raw, "tie_word_embeddings", default=False, name=name):
        raise InputError(f"{name}: field 'tie_word_embeddings' is true; DeepSeek-V4's output head is its own matrix")
    ratios = _compress_ratios(raw, name, layers + mtp)
    indexed = hy.INDEXED_RATIO in ratios
    index = (g("index_n_heads"), g("index_head_dim"), g("index_topk")) if indexed else (0, 0, 0)
    hybrid = hy.Hybrid(ratios, g("sliding_window"), o_groups, g("o_lora_rank"), g("hc_mult"), hash_layers,
                       expert_fp4=raw.get("expert_dtype") == "fp4", **_quantization(raw, name))
    attention = Attention(kind="hybrid", heads=heads, kv_heads=1, qk_head_dim=head_dim, v_head_dim=head_dim,
                          q_lora_rank=g("q_lora_rank"), qk_rope_head_dim=rope)
    experts = Experts(routed, active, inter, 1, inter, router_bias=True)
    return ModelConfig(
        name=name, model_type="deepseek_v4", vocab_size=vocab, hidden_size=hidden, layers=layers, intermediate_size=0,
        attention=attention, experts=experts, moe_layers=tuple(range(layers)), tie_word_embeddings=False, mtp_layers=mtp,
        indexer=Indexer(*index) if indexed else None, hybrid=hybrid,
    )


# --- parameter counting ---------------------------------------------------------------

def attention_params(cfg: ModelConfig) -> int:
    """One layer's attention weights (V3.2's indexer apart: see indexer_params)."""
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
    out = a.heads * a.v_head_dim * h + (h if a.o_bias else 0)
    return q + kv + bias + norm + out + (a.heads if a.sinks else 0)


def indexer_params(cfg: ModelConfig) -> int:
    """One layer's lightning indexer (DeepSeek-V3.2-Exp inference/model.py, class Indexer):
    wq_b (q_lora_rank -> heads·head_dim), wk (hidden -> head_dim), k_norm (LayerNorm: weight and
    bias of head_dim), weights_proj (hidden -> heads); no biases on the projections."""
    x = cfg.indexer
    if x is None:
        return 0
    assert cfg.attention.q_lora_rank is not None
    h = cfg.hidden_size
    return cfg.attention.q_lora_rank * x.heads * x.head_dim + h * x.head_dim + 2 * x.head_dim + h * x.heads


def mlp_params(hidden: int, intermediate: int) -> int:
    """Gated (SwiGLU) MLP: gate, up and down projections."""
    return 3 * hidden * intermediate


def expert_params(cfg: ModelConfig) -> int:
    """One routed expert: a gated MLP, plus gpt-oss' gate_up (2i) and down (h) biases."""
    e, h = cfg.experts, cfg.hidden_size
    assert e is not None
    return mlp_params(h, e.expert_intermediate) + ((2 * e.expert_intermediate + h) if e.expert_bias else 0)


def _moe_layer(cfg: ModelConfig) -> tuple[int, int, int, int]:
    """(shared experts, routed experts, router, routed active) of one MoE layer."""
    e, h = cfg.experts, cfg.hidden_size
    assert e is not None
    shared = mlp_params(h, e.shared_intermediate) + (h if e.shared_gate else 0)
    routed = e.routed * expert_params(cfg)
    router = e.routed * h + (e.routed if e.router_bias else 0)
    return shared, routed, router, e.active * expert_params(cfg)


def hybrid_shape(cfg: ModelConfig) -> hy.Shape:
    """The plain sizes hybrid_attention counts with (a V4 config)."""
    a, e, x = cfg.attention, cfg.experts, cfg.indexer or Indexer(0, 0, 0)
    assert e is not None and a.q_lora_rank is not None
    return hy.Shape(cfg.hidden_size, a.heads, a.qk_head_dim, a.q_lora_rank, x.heads, x.head_dim, x.topk, cfg.vocab_size,
                    e.routed, e.active, e.shared, e.expert_intermediate, cfg.layers, cfg.mtp_layers)


def _hybrid_block(cfg: ModelConfig, layer: int) -> dict[str, int]:
    """One V4 block by component (layer = its id; MTP blocks follow the main layers)."""
    assert cfg.hybrid is not None
    s, ratio, h = hybrid_shape(cfg), cfg.hybrid.compress_ratios[layer], cfg.hidden_size
    shared, routed, _, routed_active = _moe_layer(cfg)
    return {
        "attention": hy.attention_params(s, cfg.hybrid), "compressor": hy.compressor_params(s, ratio),
        "indexer": hy.indexer_params(s, ratio), "hyper_connections": hy.hc_block_params(h, cfg.hybrid.hc_mult),
        "shared_experts": shared, "routed_experts": routed, "routers": hy.router_params(s, layer, cfg.hybrid),
        "norms": 2 * h, "routed_experts_active": routed_active,
    }


def _hybrid_breakdown(cfg: ModelConfig) -> Breakdown:
    """DeepSeek-V4: every block by component (model.py's Block), the head's mHC, the MTP blocks."""
    assert cfg.hybrid is not None
    h, hc = cfg.hidden_size, cfg.hybrid.hc_mult
    parts: dict[str, int] = {}
    first_of_kind: dict[tuple[int, bool], int] = {}  # blocks differ only by ratio and hash routing: count one of each
    copies: dict[int, int] = {}
    for layer in range(cfg.layers):
        kind = (cfg.hybrid.compress_ratios[layer], layer < cfg.hybrid.hash_layers)
        first = first_of_kind.setdefault(kind, layer)
        copies[first] = copies.get(first, 0) + 1
    for layer, n in copies.items():
        for key, value in _hybrid_block(cfg, layer).items():
            parts[key] = parts.get(key, 0) + n * value
    parts["norms"] += h  # the final norm
    parts["hyper_connections"] += hy.hc_head_params(h, hc)
    embeddings = head = cfg.vocab_size * h
    total = embeddings + head + sum(v for k, v in parts.items() if k != "routed_experts_active")
    active_with_embeddings = total - parts["routed_experts"] + parts["routed_experts_active"]
    # MTP (model.py MTPBlock): a block, e_proj and h_proj (h → h), enorm, hnorm, norm and its own mHC head;
    # the embedding and head are the main model's, and the checkpoint stores no copies (its tensor count shows it).
    mtp_block = sum(sum(v for k, v in _hybrid_block(cfg, cfg.layers + j).items() if k != "routed_experts_active")
                    for j in range(cfg.mtp_layers))
    mtp_unique = mtp_block + cfg.mtp_layers * (2 * h * h + 3 * h + hy.hc_head_params(h, hc))
    return Breakdown(
        embeddings=embeddings, attention=parts["attention"], dense_mlp=0, shared_experts=parts["shared_experts"],
        routed_experts=parts["routed_experts"], routers=parts["routers"], norms=parts["norms"], output_head=head,
        mtp=mtp_unique, mtp_unique=mtp_unique, mtp_block=mtp_block, total=total, active=active_with_embeddings - embeddings,
        active_with_embeddings=active_with_embeddings, routed_experts_active=parts["routed_experts_active"],
        indexer=parts["indexer"], compressor=parts["compressor"], hyper_connections=parts["hyper_connections"],
    )


def breakdown(cfg: ModelConfig) -> Breakdown:
    """Parameter counts by component. Computed once per config (a frozen, hashable value; the dependency pass asks for
    the same configs' counts on every run); a config that cannot be hashed is counted as asked."""
    try:
        return _breakdown(cfg)
    except TypeError:
        return _count(cfg)


@lru_cache(maxsize=256)
def _breakdown(cfg: ModelConfig) -> Breakdown:
    return _count(cfg)


def _count(cfg: ModelConfig) -> Breakdown:
    if cfg.hybrid:
        return _hybrid_breakdown(cfg)
    h, n_moe = cfg.hidden_size, len(cfg.moe_layers)
    n_dense = cfg.layers - n_moe
    embeddings = cfg.vocab_size * h
    head = 0 if cfg.tie_word_embeddings else cfg.vocab_size * h
    attention = cfg.layers * attention_params(cfg)
    indexer = cfg.layers * indexer_params(cfg)
    dense = n_dense * mlp_params(h, cfg.intermediate_size)
    norms = cfg.layers * 2 * h + h  # two per block, one final
    shared = routed = router = routed_active = 0
    if cfg.experts and n_moe:
        s, r, g, ra = _moe_layer(cfg)
        shared, routed, router, routed_active = n_moe * s, n_moe * r, n_moe * g, n_moe * ra
    total = embeddings + attention + indexer + dense + shared + routed + router + norms + head
    active_with_embeddings = total - routed + routed_active
    # MTP (DeepSeek-V3, GLM-4.5): per depth, enorm + hnorm + eh_proj (2h→h) + one MoE block + final norm;
    # its embedding and output head are the main model's (the checkpoint stores copies). V3.2's MTP
    # block has an indexer like every other block (its checkpoint stores layers.61.self_attn.indexer).
    mtp_unique = mtp_block = 0
    if cfg.mtp_layers:
        s, r, g, _ = _moe_layer(cfg) if cfg.experts else (mlp_params(h, cfg.intermediate_size), 0, 0, 0)
        mtp_block = cfg.mtp_layers * (attention_params(cfg) + indexer_params(cfg) + s + r + g + 2 * h)
        mtp_unique = mtp_block + cfg.mtp_layers * (2 * h + 2 * h * h + h)
    mtp = mtp_unique + cfg.mtp_layers * (embeddings + (head or embeddings))
    return Breakdown(
        embeddings=embeddings, attention=attention, dense_mlp=dense, shared_experts=shared,
        routed_experts=routed, routers=router, norms=norms, output_head=head, mtp=mtp, mtp_unique=mtp_unique,
        mtp_block=mtp_block, total=total, active=active_with_embeddings - embeddings,
        active_with_embeddings=active_with_embeddings, routed_experts_active=routed_active, indexer=indexer,
    )


def mtp_active_params(cfg: ModelConfig) -> int:
    """Weights one MTP depth multiplies per token (projection, block, output head)."""
    if not cfg.mtp_layers:
        return 0
    h = cfg.hidden_size
    if cfg.hybrid:
        blocks = [_hybrid_block(cfg, cfg.layers + j) for j in range(cfg.mtp_layers)]
        multiplied = sum(sum(v for k, v in b.items() if k not in ("routed_experts", "norms")) for b in blocks)
        return multiplied + cfg.mtp_layers * (2 * h * h + hy.hc_head_params(h, cfg.hybrid.hc_mult) + cfg.vocab_size * h)
    s, _, g, ra = _moe_layer(cfg) if cfg.experts else (mlp_params(h, cfg.intermediate_size), 0, 0, 0)
    head = cfg.vocab_size * h
    return cfg.mtp_layers * (2 * h * h + attention_params(cfg) + indexer_params(cfg) + s + g + ra + head)


# --- KV cache ---------------------------------------------------------------------------

def layer_types(cfg: ModelConfig) -> tuple[str, ...]:
    """Attention kind of every layer (FULL where the config names no window)."""
    return cfg.layer_types or (FULL,) * cfg.layers


def _layer_windows(cfg: ModelConfig) -> list[int | None]:
    return [None if t == FULL else cfg.attention_window for t in layer_types(cfg)]


def _kv_elements_per_layer(cfg: ModelConfig) -> int:
    """Attention cache per token of one layer (the indexer's key apart)."""
    a = cfg.attention
    if a.kind == "mla":
        assert a.kv_lora_rank is not None
        return a.kv_lora_rank + a.qk_rope_head_dim  # compressed latent + shared RoPE key
    return 2 * a.kv_heads * a.qk_head_dim


def kv_cache_indexer_elements_per_token(cfg: ModelConfig) -> float:
    """V3.2-Exp: the indexer's key (index_head_dim) per token per layer; DeepSeek keeps it in FP8.
    V4: index_head_dim per 4 tokens in each CSA layer."""
    if cfg.hybrid:
        return hy.kv_elements_per_token(hybrid_shape(cfg), cfg.hybrid)[1]
    return cfg.layers * cfg.indexer.head_dim if cfg.indexer else 0


def kv_cache_elements_per_token(cfg: ModelConfig) -> float:
    """Cached elements per token across all layers with the whole context kept (V2 report, Table 1);
    includes V3.2's indexer keys. V4: what each further token adds, compressed (windows full)."""
    if cfg.hybrid:
        return sum(hy.kv_elements_per_token(hybrid_shape(cfg), cfg.hybrid))
    return _kv_elements_per_layer(cfg) * cfg.layers + kv_cache_indexer_elements_per_token(cfg)


def kv_cache_elements_kept(cfg: ModelConfig, context_tokens: float) -> float:
    """Elements one sequence of `context_tokens` keeps: each windowed layer min(tokens, window), the rest all."""
    if context_tokens < 0:
        raise InputError(f"context tokens must not be negative, got {context_tokens}")
    if cfg.hybrid:
        return sum(hy.kv_elements_kept(hybrid_shape(cfg), cfg.hybrid, context_tokens))
    per_layer = _kv_elements_per_layer(cfg)
    kept = sum(per_layer * (context_tokens if w is None else min(context_tokens, w)) for w in _layer_windows(cfg))
    return kept + kv_cache_indexer_elements_per_token(cfg) * context_tokens


def kv_cache_elements_per_token_kept(cfg: ModelConfig, context_tokens: float) -> float:
    """kv_cache_elements_kept averaged over the sequence's tokens; equals the full-context
    figure up to the smallest window (and, as its limit, at zero tokens)."""
    if context_tokens == 0:
        return float(kv_cache_elements_per_token(cfg))
    return kv_cache_elements_kept(cfg, context_tokens) / context_tokens


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


def _check_dtype(dtype_bytes: float) -> None:
    if dtype_bytes <= 0:
        raise InputError(f"dtype bytes must be positive, got {dtype_bytes}")


def kv_cache_bytes_per_token(cfg: ModelConfig, dtype_bytes: float = 2) -> float:
    _check_dtype(dtype_bytes)
    return kv_cache_elements_per_token(cfg) * dtype_bytes


def kv_cache_bytes_per_token_kept(cfg: ModelConfig, context_tokens: float, dtype_bytes: float = 2) -> float:
    _check_dtype(dtype_bytes)
    return kv_cache_elements_per_token_kept(cfg, context_tokens) * dtype_bytes


# --- FLOPs ------------------------------------------------------------------------------

def matmul_params_per_token(cfg: ModelConfig) -> int:
    """Activated weights that are multiplied per token (the embedding is a lookup)."""
    b = breakdown(cfg)
    tied_head = 0 if b.output_head else b.embeddings  # a tied head still multiplies
    return b.active + tied_head - b.norms


def attention_flops_per_token(cfg: ModelConfig, context_tokens: float) -> float:
    """Forward FLOPs of scores and context for one token attending to `context_tokens`.

    A windowed layer attends to at most its window; V3.2's MLA attends to the indexer's top-k
    tokens, and its indexer scores the whole context (heads·head_dim multiply-adds per token).
    V4: hybrid_attention.attention_flops_per_token (window, CSA's top-k, every HCA entry; CSA indexers)."""
    if cfg.hybrid:
        return hy.attention_flops_per_token(hybrid_shape(cfg), cfg.hybrid, context_tokens)
    a = cfg.attention
    attended = context_tokens if cfg.indexer is None else min(context_tokens, cfg.indexer.topk)
    seen = sum(attended if w is None else min(attended, w) for w in _layer_windows(cfg))
    flops = 2.0 * a.heads * (a.qk_head_dim + a.v_head_dim) * seen
    if cfg.indexer:
        flops += 2.0 * cfg.layers * cfg.indexer.heads * cfg.indexer.head_dim * context_tokens
    return flops


def causal_training_flops_per_token(cfg: ModelConfig, seq_len: float) -> float:
    """Training FLOP per token on sequences of `seq_len` under a causal mask: 6 per multiplied weight (2 forward,
    4 backward) plus 3 × the forward attention of a token at the average position, seq_len / 2 (for V3 this is
    the training-compute chapter's "causal" count; for V3.2 and V4 the same call counts the indexer's top-k and the
    compressed entries, each as attention_flops_per_token does)."""
    if seq_len < 0:
        raise InputError(f"sequence length must not be negative, got {seq_len}")
    return 6.0 * matmul_params_per_token(cfg) + 3.0 * attention_flops_per_token(cfg, seq_len / 2)


def flops_per_token(cfg: ModelConfig, context_tokens: float) -> float:
    """Forward FLOPs per token: 2 × multiplied weights + the attention term."""
    if context_tokens < 0:
        raise InputError(f"context tokens must not be negative, got {context_tokens}")
    return 2.0 * matmul_params_per_token(cfg) + attention_flops_per_token(cfg, context_tokens)


def attention_layout(cfg: ModelConfig) -> dict[str, Any]:
    """How many layers of each attention kind, and the window or chunk of the windowed ones."""
    if cfg.hybrid:
        kinds = [hy.layer_kind(r) for r in cfg.hybrid.compress_ratios[: cfg.layers]]
        return {
            "layers": {kind: kinds.count(kind) for kind in (hy.CSA, hy.HCA, hy.SLIDING) if kind in kinds},
            "sliding_window": cfg.hybrid.window, "attention_chunk_size": None,
            "indexer": asdict(cfg.indexer) if cfg.indexer else None,
            "compress_ratios": sorted({r for r in cfg.hybrid.compress_ratios[: cfg.layers] if r}),
            "mtp_compress_ratios": list(cfg.hybrid.compress_ratios[cfg.layers:]),
        }
    types = layer_types(cfg)
    return {
        "layers": {kind: types.count(kind) for kind in (FULL, SLIDING, CHUNKED) if kind in types},
        "sliding_window": cfg.attention_window if SLIDING in types else None,
        "attention_chunk_size": cfg.attention_window if CHUNKED in types else None,
        "indexer": asdict(cfg.indexer) if cfg.indexer else None,
    }


def summary(cfg: ModelConfig, dtype_bytes: float = 2, context_tokens: float = 4096) -> dict[str, Any]:
    """What `python -m analysis model --json` prints. The *_kept figures are for one sequence of
    `context_tokens`: per token (averaged) and in total."""
    b = breakdown(cfg)
    return {
        "model": cfg.name, "model_type": cfg.model_type,
        "total_params": b.total, "active_params": b.active, "active_params_with_embeddings": b.active_with_embeddings,
        "mtp_params": b.mtp, "mtp_unique_params": b.mtp_unique,
        "kv_cache_elements_per_token": kv_cache_elements_per_token(cfg),
        "kv_cache_bytes_per_token": kv_cache_bytes_per_token(cfg, dtype_bytes),
        "kv_cache_indexer_elements_per_token": kv_cache_indexer_elements_per_token(cfg),
        "kv_cache_elements_per_token_kept": kv_cache_elements_per_token_kept(cfg, context_tokens),
        "kv_cache_bytes_per_token_kept": kv_cache_bytes_per_token_kept(cfg, context_tokens, dtype_bytes),
        "kv_cache_bytes_kept": kv_cache_elements_kept(cfg, context_tokens) * dtype_bytes,
        "attention": attention_layout(cfg),
        "flops_per_token": flops_per_token(cfg, context_tokens), "context_tokens": context_tokens,
        "breakdown": b.as_dict(),
    } | (_hybrid_summary(cfg, b) if cfg.hybrid else {})


def _hybrid_summary(cfg: ModelConfig, b: Breakdown) -> dict[str, Any]:
    """V4's extras: totals with the MTP module, and the released checkpoint's tensors and bytes."""
    assert cfg.hybrid is not None
    return {
        "total_params_with_mtp": b.total + b.mtp,
        "mhc_params": b.hyper_connections, "compressor_params": b.compressor, "indexer_params": b.indexer,
        "checkpoint": hy.checkpoint(hybrid_shape(cfg), cfg.hybrid),
    }
