"""`relevance` filter: a fastText classifier, trained from reviewers' decisions, scores each document.

`curate review train` writes the model (labels `relevant` and `irrelevant`). The score is the
model's probability of `label`; a document scoring below `min_score` is rejected
(`not_relevant`), one in the unsure band `min_score <= score < min_score + unsure` goes to human
review (`relevance_unsure`), the rest passes. Every scored document records `relevance_score`.

fastText reads one line: `prepare` lowercases the text, folds whitespace (newlines included) to
single spaces, removes `__label__` (fastText's label marker) and keeps the first `max_chars`
characters; training uses the same function, so the filter sees what the model was trained on.
"""

from __future__ import annotations

import re
from pathlib import Path

from datatrove.data import Document

from curate import data as M
from curate.errors import ConfigError, ModelLoadError
from curate.filters.fasttext_models import load_fasttext
from curate.steps import CurateStep

RELEVANCE_SCORE = "relevance_score"  # metadata key: probability of the configured label
LABEL_PREFIX = "__label__"
_SPACE = re.compile(r"\s+")


def prepare(text: str, max_chars: int = 20_000) -> str:
    """The one-line, lowercased form of `text` that the classifier is trained on and scores."""
    return _SPACE.sub(" ", text[: max_chars * 2].replace(LABEL_PREFIX, " ")).strip().lower()[:max_chars]


def load_model(path: Path):
    """Load (once per process) the fastText classifier at `path`."""
    return load_fasttext(path, "relevance model", " (train one with `curate review train`)")


class RelevanceFilter(CurateStep):
    """Drop documents the relevance classifier finds off-topic; send unsure ones to review.

    Args:
        model_path: fastText model from `curate review train` (e.g. out/<pipeline>/state/relevance.bin).
        label: the model's label meaning "relevant" (without `__label__`).
        min_score: probability of `label` below which a document is rejected (`not_relevant`).
        unsure: width of the band above `min_score` whose documents go to review; 0 disables it.
        max_chars: characters of each document the classifier reads.
    """

    name = "relevance"
    type = "🔻 - FILTER"
    stage = "filters"
    prose_only = True

    def __init__(
        self,
        model_path: str,
        label: str = "relevant",
        min_score: float = 0.5,
        unsure: float = 0.1,
        max_chars: int = 20_000,
    ):
        super().__init__()
        problems = []
        if not 0.0 <= min_score <= 1.0:
            problems.append(f"min_score: expected a probability in [0, 1], found {min_score}")
        if not 0.0 <= unsure <= 1.0 - min_score:
            problems.append(f"unsure: expected a width in [0, 1 - min_score], found {unsure}")
        if max_chars < 1:
            problems.append(f"max_chars: expected a positive number, found {max_chars}")
        if problems:
            raise ConfigError(problems)
        self.model_path, self.label = model_path, label
        self.min_score, self.unsure, self.max_chars = min_score, unsure, max_chars

    def score(self, text: str) -> float:
        """Probability that `text` is relevant (of `label`), in [0, 1]."""
        model = load_model(Path(self.model_path))
        wanted = LABEL_PREFIX + self.label
        if wanted not in model.labels:
            raise ModelLoadError(
                f"relevance model {self.model_path} has labels "
                f"{[lab.removeprefix(LABEL_PREFIX) for lab in model.labels]}, not {self.label!r}"
            )
        labels, probs = model.predict(prepare(text, self.max_chars), k=-1)
        return min(1.0, max(0.0, float(dict(zip(labels, probs, strict=True)).get(wanted, 0.0))))

    def process(self, doc: Document) -> None:
        score = self.score(doc.text)
        doc.metadata[RELEVANCE_SCORE] = round(score, 4)
        if score < self.min_score:
            M.reject(doc, self.stage, "not_relevant")
        elif score < self.min_score + self.unsure:
            M.send_to_review(doc, self.stage, "relevance_unsure")
