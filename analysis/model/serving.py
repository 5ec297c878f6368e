"""Does a model fit on a serving deployment, and how many full contexts fit beside it?"""

from __future__ import annotations

from dataclasses import dataclass

GB = 1e9


@dataclass(frozen=True)
class Capacity:
    hbm_bytes: float
    weight_bytes: float
    weights_fit: bool
    free_bytes: float
    kv_bytes_per_context: float
    contexts: int  # full-length contexts that fit in the HBM left after the weights


def serving_capacity(
    params: float, weight_dtype_bytes: float, gpus: int, hbm_gb_per_gpu: float,
    kv_bytes_per_token: float, context_tokens: int,
) -> Capacity:
    """Weights first; whatever HBM is left holds KV caches (activations and fragmentation ignored)."""
    hbm = gpus * hbm_gb_per_gpu * GB
    weights = params * weight_dtype_bytes
    free = max(hbm - weights, 0.0)
    per_context = kv_bytes_per_token * context_tokens
    return Capacity(
        hbm_bytes=hbm, weight_bytes=weights, weights_fit=weights <= hbm, free_bytes=free,
        kv_bytes_per_context=per_context, contexts=int(free // per_context) if per_context > 0 else 0,
    )
