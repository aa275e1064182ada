"""Vectorised shingling agrees with a plain Python reference and never crosses documents."""

from __future__ import annotations

import re

import numpy as np
import pytest

from curate.dedup.shingles import MAX_BATCH_CHARS, batch_shingles
from tests.dedup.conftest import lorem

TOKEN = re.compile(r"[^\W_]+")


def reference(text: str, n: int) -> set[str]:
    tokens = TOKEN.findall(text.lower())
    grams = {" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}
    return grams or ({" ".join(tokens)} if tokens else set())


TEXTS = [
    lorem(1),
    "Proof-of-stake: validators (and delegators) lock ETH; slashing = 32 ETH × 1/32... done!",
    "Zürich's Ökonomie naïve café — déjà vu; ΑΒΓ δέλτα; кириллица текст здесь и там сейчас",
    "one two three four",
    "word",
    "",
    "   ,,, --- !!!   ",
]


@pytest.mark.parametrize("n", [1, 3, 5])
def test_distinct_shingle_counts_match_a_python_reference(n):
    shingles = batch_shingles([t.lower() for t in TEXTS], "word", n)
    for text, part in zip(TEXTS, np.split(shingles.hashes, np.cumsum(shingles.counts)[:-1]), strict=True):
        assert len(set(part.tolist())) == len(reference(text, n)), text
    assert shingles.tokens.tolist() == [len(TOKEN.findall(t)) for t in TEXTS]


def test_a_batch_equals_its_documents_one_by_one():
    texts = [lorem(i, 50 + i) for i in range(5)] + ["short text"]
    together = batch_shingles(texts)
    alone = [batch_shingles([t]).hashes for t in texts]
    assert np.array_equal(together.hashes, np.concatenate(alone))
    assert together.counts.tolist() == [len(a) for a in alone]


def test_punctuation_and_spacing_do_not_change_word_shingles():
    a = batch_shingles(["the quick brown fox jumps over the lazy dog"]).hashes
    b = batch_shingles(["the  quick, brown fox -- jumps over... the lazy dog!"]).hashes
    c = batch_shingles(["thequick brown fox jumps over the lazy dog"]).hashes
    assert set(a.tolist()) == set(b.tolist())
    assert set(a.tolist()) != set(c.tolist())  # token boundaries matter


def test_character_shingles_for_japanese():
    text = "暗号資産の自己管理では秘密鍵を安全に保管することが重要です。"
    shingles = batch_shingles([text], "char", 3)
    chars = [c for c in text if c not in "。"]
    assert shingles.tokens[0] == len(chars)
    assert shingles.counts[0] == len(chars) - 2
    assert batch_shingles([text], "word", 5).tokens[0] <= 2  # one "word" without spaces


def test_batch_size_is_checked():
    with pytest.raises(OverflowError):
        batch_shingles(["x" * MAX_BATCH_CHARS, "y"])


def test_lone_surrogates_and_control_characters_do_not_crash():
    shingles = batch_shingles(["broken \ud800 surrogate text here and more words", "nul\x00byte"])
    assert shingles.tokens.tolist() == [7, 2]  # the surrogate and the NUL separate words
