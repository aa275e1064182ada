"""CTranslate2 scoring backend for CPU: `forward`'s windows and sums, run by `Generator.score_batch`.

On CPU, torch's eager decoder spends most of its time outside the matrix products (small kernels,
framework overhead, full-vocabulary logits); CTranslate2 runs the decoder as fused C++ kernels and
returns only the target tokens' log-probabilities. Measured on SmolLM2-135M with 2 threads
(benchmarks/membership_speed.py): float32 gives the torch path's per-token log-probabilities to
about 1e-5 nats; `int8` and `int8_float32` are faster and shift them by up to ~0.1 nats per token,
which is why they are an option and their effect on AUC is measured, not assumed.

A checkpoint directory is converted once (`TransformersConverter`, float32 weights) into
`<cache>/ct2/<name>-<fingerprint>/`; the compute type is chosen at load time, so one converted
copy serves float32 and int8. The backend gives log p of each scored token only: Min-K%++ needs the
full vocabulary's mean and variance at every position, which `score_batch` does not return, so a
ct2-scored model records `mink_pp` as missing (the step uses torch for the target when Min-K%++
decides).

Windows and batches are exactly `forward`'s: `make_windows` (stride, context carried over) and
`length_batches` (longest first, padded-token budget). `score_batch` returns log p(t_i | t_<i) for
i >= 1 of each row, so window w contributes entries `first - 1` onwards.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
from loguru import logger

from curate.errors import ModelLoadError

COMPUTE_TYPES = ("float32", "int8", "int8_float32")


def available() -> bool:
    """Whether the `ctranslate2` package can be imported."""
    import importlib.util

    return importlib.util.find_spec("ctranslate2") is not None


def converted(source: Path, name: str, cache: Path) -> Path:
    """Directory of the CTranslate2 copy of the transformers checkpoint in `source`; converted on first
    use (~10 s for 135M parameters) into a temporary directory and renamed: concurrent workers are safe."""
    target = cache / "ct2" / name
    if (target / "model.bin").is_file():
        return target
    import ctranslate2

    logger.info(f"converting {source} for CTranslate2 (once; saved under {target})")
    tmp = target.with_name(f"{target.name}.tmp{os.getpid()}")
    try:
        ctranslate2.converters.TransformersConverter(str(source), low_cpu_mem_usage=True).convert(
            str(tmp), quantization="float32", force=True
        )
    except Exception as exc:  # unsupported architectures raise many types; name the checkpoint
        shutil.rmtree(tmp, ignore_errors=True)
        raise ModelLoadError(f"CTranslate2 cannot convert {source}: {exc}") from exc
    try:
        tmp.rename(target)
    except OSError:  # another worker finished first
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def load_generator(directory: Path, compute_type: str, threads: int):
    """A CPU `ctranslate2.Generator` on the converted model with `threads` intra-op threads."""
    import ctranslate2

    if compute_type not in COMPUTE_TYPES:
        expected = ", ".join(COMPUTE_TYPES)
        raise ModelLoadError(f"ct2 compute type: expected one of {expected}, found {compute_type!r}")
    return ctranslate2.Generator(
        str(directory), device="cpu", compute_type=compute_type, intra_threads=threads, inter_threads=1
    )


def score_ids(
    lm,
    docs: list[list[int]],
    *,
    window: int = 2048,
    stride: int = 1536,
    batch_tokens: int = 2048,
    progress: Callable[[int], None] | None = None,
    **_unused,
) -> list[tuple[np.ndarray, None]]:
    """Per document (token ids, BOS first): ln p of every scored token (no Min-K%++ z values)."""
    from curate.membership.windows import length_batches, make_windows

    windows = [w for d, ids in enumerate(docs) if len(ids) > 1 for w in make_windows(d, ids, window, stride)]
    parts: list[list[np.ndarray]] = [[] for _ in docs]
    to_tokens = lm.tokenizer.convert_ids_to_tokens
    for batch in length_batches(windows, batch_tokens):
        results = lm.generator.score_batch([to_tokens(w.ids) for w in batch], max_input_length=0)
        for w, result in zip(batch, results, strict=True):
            parts[w.doc].append(np.asarray(result.log_probs[w.first - 1 :], dtype=np.float64))
        if progress is not None:
            progress(sum(len(w.ids) - w.first for w in batch))
    return [(np.concatenate(p) if p else np.zeros(0), None) for p in parts]
