"""The `relevance` filter with a real fastText model trained in the test."""

from __future__ import annotations

import random

import pytest
from datatrove.data import Document

from curate import data as M
from curate.errors import ConfigError, ModelLoadError
from curate.filters.relevance import RelevanceFilter, prepare
from tests.review.texts import CRYPTO, OFF_TOPIC, corpus, text


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    import fasttext

    folder = tmp_path_factory.mktemp("relevance")
    data = folder / "train.txt"
    data.write_text("".join(f"__label__{lab} {prepare(t)}\n" for lab, t in corpus(40)))
    model = fasttext.train_supervised(
        input=str(data), epoch=25, lr=0.5, wordNgrams=2, thread=1, seed=0, verbose=0
    )
    model.save_model(str(folder / "m.bin"))
    return str(folder / "m.bin")


def test_scores_drops_and_sends_unsure_documents_to_review(model_path):
    rng = random.Random(7)
    mixed = text(CRYPTO, rng, 6) + " " + text(OFF_TOPIC, rng, 6)
    docs = [
        Document(text=text(CRYPTO, rng), id="c"),
        Document(text=text(OFF_TOPIC, rng), id="o"),
        Document(text=mixed, id="m"),
        Document(text="x", id="done", metadata={M.DECISION: M.REJECT}),
    ]
    step = RelevanceFilter(model_path=model_path, min_score=0.3, unsure=0.4)
    crypto, off, mix, done = step.run(docs)
    assert M.DECISION not in crypto.metadata and crypto.metadata["relevance_score"] >= 0.7
    assert (off.metadata[M.STAGE], off.metadata[M.REASON]) == ("filters", "not_relevant")
    assert 0.3 <= mix.metadata["relevance_score"] < 0.7 and mix.metadata[M.REASON] == "relevance_unsure"
    assert "relevance_score" not in done.metadata  # decided documents pass untouched


def test_prepare_makes_one_lowercase_line_without_label_markers():
    assert prepare("Hello\n\nWORLD __label__relevant  x", 100) == "hello world relevant x"
    assert len(prepare("word " * 1000, 50)) == 50


def test_bad_options_and_models_are_reported(model_path, tmp_path):
    with pytest.raises(ConfigError, match="min_score"):
        RelevanceFilter(model_path=model_path, min_score=1.5)
    with pytest.raises(ConfigError, match="unsure"):
        RelevanceFilter(model_path=model_path, min_score=0.9, unsure=0.2)
    with pytest.raises(ModelLoadError, match="not found"):
        RelevanceFilter(model_path=str(tmp_path / "none.bin")).score("text")
    with pytest.raises(ModelLoadError, match="not 'useful'"):
        RelevanceFilter(model_path=model_path, label="useful").score("text")
    (tmp_path / "junk.bin").write_bytes(b"not a model")
    with pytest.raises(ModelLoadError, match="cannot load"):
        RelevanceFilter(model_path=str(tmp_path / "junk.bin")).score("text")
