"""Loading fastText models once per process, with curate's errors (used by language and relevance)."""

from __future__ import annotations

from pathlib import Path

from curate.errors import MissingDependencyError, ModelLoadError

_MODELS: dict[str, object] = {}


def load_fasttext(path: Path, what: str, missing_hint: str = ""):
    """The fastText model at `path`, loaded once per process; `what` names it in errors."""
    key = str(path)
    if key not in _MODELS:
        if not path.is_file():
            raise ModelLoadError(f"{what} not found: {path}{missing_hint}")
        try:
            import fasttext
        except ImportError:
            raise MissingDependencyError("fasttext-numpy2-wheel", what) from None
        fasttext.FastText.eprint = lambda *args, **kwargs: None  # silence a deprecation print
        try:
            _MODELS[key] = fasttext.load_model(key)
        except ValueError as exc:
            raise ModelLoadError(f"cannot load {what} {path}: {exc}") from None
    return _MODELS[key]
