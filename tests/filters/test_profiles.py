"""Language profiles: Japanese words from SudachiPy, per-language thresholds and overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from datatrove.data import Document

from curate import data as M
from curate.config import parse_config
from curate.errors import ConfigError
from curate.filters.length import LengthFilter
from curate.filters.quality import FineWebQuality, GopherQuality, GopherRepetition
from curate.lang.profiles import guess_language, profile_of
from curate.lang.words import SudachiWordTokenizer, count_words

DATA = Path(__file__).resolve().parents[2] / "data" / "bilingual"
JA = (DATA / "ja" / "02_railways.txt").read_text(encoding="utf-8")
EN = (DATA / "en" / "02_lighthouses.txt").read_text(encoding="utf-8")


def run(step, text: str, lang: str | None = None) -> Document:
    doc = Document(text=text, id="d", metadata={M.LANG: lang} if lang else {})
    (out,) = list(step.run([doc]))
    return out


def test_japanese_words_come_from_sudachi_not_whitespace():
    words = SudachiWordTokenizer().word_tokenize("日本の鉄道は時刻表どおりに運行されます。")
    assert words[:4] == ["日本", "の", "鉄道", "は"] and words[-1] == "。"
    assert count_words(JA, "ja") > 200 > len(JA.split())  # whitespace sees a handful of "words"
    assert count_words(EN, "en") == len(EN.split())
    sentences = SudachiWordTokenizer().sent_tokenize("一つ目の文です。二つ目！\n三つ目")
    assert sentences == ["一つ目の文です。", "二つ目！", "三つ目"]


def test_japanese_words_of_the_last_text_are_reused_and_copied():
    tokenizer = SudachiWordTokenizer()
    first = tokenizer.word_tokenize("日本の鉄道は時刻表どおりに運行されます。")
    first.append("変更")  # a caller's list is its own
    again = tokenizer.word_tokenize("日本の鉄道は" + "時刻表どおりに運行されます。")  # equal, not identical
    assert again == first[:-1] and "変更" not in again
    assert tokenizer.word_tokenize("東京は晴れです。")[0] == "東京"


def test_long_japanese_text_is_cut_below_sudachis_input_limit():
    text = (JA + "\n") * 60  # ~85 kB of UTF-8, over SudachiPy's 49,149-byte limit
    assert count_words(text, "ja") == 60 * count_words(JA + "\n", "ja")


def test_profile_follows_the_detected_language_then_the_script():
    assert profile_of(Document(text=EN, id="a", metadata={M.LANG: "en"})) == "en"
    assert profile_of(Document(text=EN, id="a", metadata={M.LANG: "de"})) == "default"
    assert profile_of(Document(text=JA, id="a", metadata={})) == "ja"  # no language yet: kana
    assert guess_language("漢字だけでなく、かなも使う。") == "ja" and guess_language(EN) is None


def test_japanese_prose_passes_with_its_profile_and_fails_with_english_thresholds():
    for step in (GopherQuality(), GopherRepetition(), FineWebQuality(), LengthFilter()):
        assert M.DECISION not in run(step, JA, "ja").metadata, step.name
    # the same text under the English profile (as curate treated Japanese before profiles)
    english = GopherQuality(per_language={"ja": {"stop_words": None, "max_avg_word_length": 10}})
    assert run(english, JA, "ja").metadata[M.REASON] == "gopher_enough_stop_words"
    assert run(LengthFilter(), JA, "ja").metadata[M.N_WORDS] == count_words(JA, "ja")


def test_per_language_overrides_change_one_language_only():
    strict = LengthFilter(min_words=50, per_language={"ja": {"min_words": 10_000}})
    assert run(strict, JA, "ja").metadata[M.REASON] == "too_short"
    assert M.DECISION not in run(strict, EN, "en").metadata
    by_default = GopherQuality(per_language={"default": {"min_doc_words": 10_000}})
    assert run(by_default, EN, "de").metadata[M.REASON] == "gopher_short_doc"
    assert M.DECISION not in run(by_default, EN, "en").metadata


def test_per_language_is_validated_like_every_other_key():
    config = {
        "name": "p",
        "sources": [{"files": {"paths": ["x"]}}],
        "filters": [
            {"gopher_quality": {"per_language": {"ja": {"min_doc_wordz": 3, "max_doc_words": "many"}}}},
            {"length": {"per_language": {"JA!": {"min_words": 1}}}},
        ],
    }
    with pytest.raises(ConfigError) as err:
        parse_config(config, "p.yaml")
    text = str(err.value)
    assert "p.yaml: filters.0.gopher_quality: per_language.ja.min_doc_wordz: unknown option" in text
    assert "per_language.ja.max_doc_words: input should be a valid integer" in text
    assert "filters.1.length: per_language.JA!: expected an ISO 639-1 language code" in text


def test_english_letter_words_are_whitespace_words_not_tokenizer_pieces():
    manual = EN + "\n" + " ".join(f"See ls(1), cp(1) and /etc/hosts.{i}." for i in range(60))
    assert M.DECISION not in run(GopherQuality(), manual, "en").metadata  # spaCy: ls ( 1 ) , ...
    numbers = EN + "\n" + " ".join(f"{i} {i * 7} {i * 13}" for i in range(200))
    assert run(GopherQuality(), numbers, "en").metadata[M.REASON] == "gopher_below_alpha_threshold"


def test_fineweb_duplicated_line_share_is_the_published_one():
    """FineWeb (Penedo et al. 2024, 3.6) drops >= 0.1 of characters in duplicated lines; datatrove's
    default 0.01 dropped documentation that says "For example, try the following" before two examples."""
    lead = "For example, try the following"
    paragraphs = [
        "The Debian system keeps its configuration files under the directory /etc, one file per program.",
        lead,
        "Each command prints what it changed, so you can check the result before you go on to the next.",
        lead,
    ]
    text = "\n".join(paragraphs + [EN])
    assert M.DECISION not in run(FineWebQuality(), text, "en").metadata
    strict = FineWebQuality(char_duplicates_ratio=0.01)
    assert run(strict, text, "en").metadata[M.REASON] == "char_dup_ratio"
    spam = "\n".join([EN] + ["Click here to subscribe to our newsletter and win a prize today!"] * 12)
    assert run(FineWebQuality(), spam, "en").metadata[M.REASON] == "char_dup_ratio"


# Debian Reference (debian-reference-ja, ch09): prose about files, so "/", '"' and "-" are many words.
PATHS = "\n".join(
    [
        '"/etc/fstab" により静的なファイルシステム設定がなされます。',
        '例えば "/dev/hda" に対して "hdparm -tT /dev/hda" とするとハードディスクのアクセス速度をテ'
        "ストできます。",
        '例えば "/dev/sda" に対して "hdparm -W /dev/sda" とするとハードディスクの書込みキャッシュ機'
        '能をテストできます。"hdparm -W 0 /dev/sda" とするとハードディスクの書込みキャッシュ機能を'
        "無効にできます。",
        '通常アプリケーションは一時保存ディレクトリー "/tmp" のもとに一時ファイルを作成します。もし'
        ' "/tmp" が十分なスペースを提供できない場合、行儀のいいプログラムなら $TMPDIR 変数を使って'
        "そのような一時保存ディレクトリを指定できます。",
        '空のパーティションがあれば (例えば "/dev/sdx")、それを mkfs.ext4(1) を使ってフォーマットし'
        "、それをあなたが空間をより必要とするディレクトリーに mount(8) することができます。",
        '使える空間がある他のパーティション中に空のディレクトリーがあれば (例えば "/path/to/emp-dir'
        '")、そのディレクトリーへ ln(8) を使ってシムリンクを作成することができます。',
    ]
)


FINEWEB2_JA = {"ja": {"alpha_words": "tokens", "max_non_alpha_words_ratio": 0.759}}


@pytest.mark.slow
def test_japanese_letter_word_share_with_tokens_is_fineweb2s_own():
    """FineWeb-2 ran datatrove's GopherQualityFilter with `language=jpn_Jpan` (spaCy-ja over SudachiPy,
    split mode A), where a punctuation token ('/', '"', '。') is a word without a letter; its 0.759 was
    set on that count. With `alpha_words: tokens` curate counts the same tokens, so the share and the
    decision are FineWeb-2's."""
    from datatrove.pipeline.filters import GopherQualityFilter
    from datatrove.utils.word_tokenizers import load_word_tokenizer

    words = SudachiWordTokenizer().word_tokenize(PATHS)
    assert words == load_word_tokenizer("jpn_Jpan").word_tokenize(PATHS)
    letters = sum(any(c.isalpha() for c in w) for w in words)
    assert "/" in words and letters / len(words) < 0.759
    fineweb2 = GopherQualityFilter(
        language="jpn_Jpan",
        min_avg_word_length=1,
        max_avg_word_length=5,
        stop_words=list("のにをはたてがとで年し・月れさ"),  # configs/jpn_Jpan.yml
        max_non_alpha_words_ratio=0.759,
        min_stop_words=2,
    )
    for text in (PATHS, JA):
        published = fineweb2.filter(Document(text=text, id="d", metadata={}))
        ours = run(GopherQuality(per_language=FINEWEB2_JA), text, "ja").metadata.get(M.REASON)
        assert ours == (None if published is True else published[1])
    assert (
        run(GopherQuality(per_language=FINEWEB2_JA), PATHS, "ja").metadata[M.REASON]
        == "gopher_below_alpha_threshold"
    )


def test_japanese_letter_words_leave_out_punctuation_tokens_as_whitespace_words_do():
    """By default a Japanese punctuation token is not a word, as punctuation in English sticks to its
    whitespace word: the paths prose FineWeb-2's count drops is kept; numbers stay letterless words."""
    assert M.DECISION not in run(GopherQuality(), PATHS, "ja").metadata
    numbers = JA + "\n" + "、".join(f"{i}、{i * 7}、{i * 13}" for i in range(150))
    assert run(GopherQuality(), numbers, "ja").metadata[M.REASON] == "gopher_below_alpha_threshold"


def test_alpha_words_is_checked():
    with pytest.raises(ConfigError, match="alpha_words must be 'words' or 'tokens'"):
        GopherQuality(alpha_words="spaces")
