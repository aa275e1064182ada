from __future__ import annotations

import pytest
from datatrove.data import Document

from curate import data as M
from curate.errors import ConfigError
from curate.filters.language import LanguageFilter
from curate.filters.length import LengthFilter
from curate.filters.quality import GopherQuality, GopherRepetition
from tests.conftest import article


def run(step, *texts):
    return list(step.run([Document(text=t, id=str(i)) for i, t in enumerate(texts)]))


def test_length():
    kept, short = run(LengthFilter(min_words=20), article("fees"), "only a few words here")
    assert M.DECISION not in kept.metadata
    assert short.metadata[M.REASON] == "too_short" and short.metadata[M.STAGE] == "filters"
    with pytest.raises(ConfigError):
        LengthFilter(min_words=10, max_words=5)


def test_language_with_the_shipped_model():
    japanese = "暗号資産の自己管理では、秘密鍵を安全に保管することが最も重要です。" * 3
    german = "Die Blockchain speichert alle Transaktionen in einer verketteten Liste von Blöcken. " * 3
    en, ja, de = run(LanguageFilter(languages=["en", "ja"]), article("oracles"), japanese, german)
    assert (en.metadata[M.LANG], ja.metadata[M.LANG], de.metadata[M.LANG]) == ("en", "ja", "de")
    assert M.DECISION not in en.metadata and M.DECISION not in ja.metadata
    assert de.metadata[M.REASON] == "language_not_allowed"
    assert en.metadata[M.LANG_SCORE] > 0.8


def test_gopher_filters_give_datatrove_reasons():
    good, symbols = run(GopherQuality(), article("rollups"), "# $ % & " * 40 + article("x", 1))
    assert M.DECISION not in good.metadata
    assert symbols.metadata[M.REASON].startswith("gopher_")
    repeated = ("Buy now. " * 10 + "\n") * 30
    (doc,) = run(GopherRepetition(), repeated)
    assert doc.metadata[M.DECISION] == M.REJECT and "dup" in doc.metadata[M.REASON]


def test_decided_documents_pass_through_untouched():
    doc = M.reject(Document(text="x", id="1"), "sources", "fetch_timeout")
    (out,) = list(LengthFilter().run([doc]))
    assert out.metadata[M.REASON] == "fetch_timeout"
