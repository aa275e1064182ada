"""Vectorised shingling agrees with a plain Python reference and never crosses documents."""

from __future__ import annotations

import re

import numpy as np
import pytest

from curate import data as M
from curate.dedup.shingles import MAX_BATCH_CHARS, batch_shingles, no_space_texts
from tests.dedup.conftest import edit, lorem

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


JA_TEXT = (
    "日本の鉄道は、時刻表どおりに運行されることで世界的に知られています。大都市の通勤路線では、"
    "朝の混雑する時間帯でも数分おきに列車が到着し、遅れはたいてい一分に満たない程度です。"
)


def test_auto_picks_characters_for_no_space_scripts_and_words_for_the_rest():
    texts = [
        lorem(1, 60),
        JA_TEXT,
        "タイ語ではなく英語の word が少し混ざる日本語の文章です。",
        "",
        lorem(2, 8),
    ]
    assert no_space_texts(texts).tolist() == [False, True, True, False, False]
    auto = batch_shingles(texts, "auto", 5, char_n=4)
    for i, text in enumerate(texts):
        mode, n = ("char", 4) if i in (1, 2) else ("word", 5)
        alone = batch_shingles([text], mode, n)
        part = np.split(auto.hashes, np.cumsum(auto.counts)[:-1])[i]
        assert np.array_equal(part, alone.hashes) and auto.tokens[i] == alone.tokens[0], i


def test_auto_shingles_find_japanese_near_duplicates_in_one_index_with_english(dedup_run):
    edited = JA_TEXT.replace("数分おき", "二分おき")  # a few characters changed: one "word" to spaces
    docs = dedup_run(
        [
            [{"id": "ja", "text": JA_TEXT * 3}, {"id": "en", "text": lorem(5, 150)}],
            [{"id": "ja-edit", "text": edited * 3}, {"id": "en-edit", "text": edit(lorem(5, 150), 0.01, 1)}],
        ],
    )  # shingle: auto is the default
    for pair in (("ja", "ja-edit"), ("en", "en-edit")):  # one of each pair dropped, pointing at the other
        dropped = [k for k in pair if docs[k]["metadata"].get(M.REASON) == "near_duplicate"]
        assert len(dropped) == 1 and docs[dropped[0]]["metadata"][M.DUP_OF] in pair, pair


def test_word_shingles_miss_the_same_japanese_near_duplicate(dedup_run):
    edited = JA_TEXT.replace("数分おき", "二分おき")
    word_only = dedup_run(
        [[{"id": "a", "text": JA_TEXT * 3}], [{"id": "b", "text": edited * 3}]], shingle="word"
    )
    assert {k: d["metadata"].get(M.REASON) for k, d in word_only.items()} == {"a": None, "b": None}


def test_separator_tables_follow_each_code_points_unicode_category():
    import unicodedata

    from curate.dedup.shingles import _space_table, _tables

    sep, space = _tables()[0], _space_table()
    for cp in range(0x10000):
        major = unicodedata.category(chr(cp))[0]
        assert sep[cp] == (major in "PSZC" or cp == 0x5F), hex(cp)
        assert space[cp] == (major in "ZC"), hex(cp)
    assert not sep[0x10000] and not space[0x10000]  # the astral slot is decided per code point
