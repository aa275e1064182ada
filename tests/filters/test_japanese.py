"""`japanese_quality`: each rule drops what it is meant to, with its reason; real prose passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from datatrove.data import Document

from curate import data as M
from curate.config import load_config
from curate.filters.japanese import JapaneseQuality, char_stats

ROOT = Path(__file__).resolve().parents[2]
PROSE = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "bilingual" / "ja").glob("*.txt"))]
S = "今日は天気がよいので、近くの公園までゆっくり散歩に出かけることにしました。"  # 38 characters


def reason(text: str, **options) -> str | None:
    return JapaneseQuality(**options).reason(text)


def test_written_japanese_prose_passes_every_rule():
    assert PROSE and [reason(t) for t in PROSE] == [None] * len(PROSE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (S * 3, "ja_too_short"),
        ("東京都千代田区丸の内一丁目。" * 40, "ja_low_hiragana"),
        ("データベースとサーバーのパフォーマンスをモニタリングしています。" * 20, "ja_high_katakana"),
        (S * 12 + "x" * 2000, "ja_low_japanese_chars"),
        ("短い文です。" * 80, "ja_sentence_length"),
        (S * 10 + "、".join([S[:-1]] * 6) + "。", "ja_long_sentence"),
        (
            "\n".join(f"{i}番目の項目について、くわしい説明はのちほど追加する予定です…" for i in range(16)),
            "ja_ellipsis",
        ),
        ("\n".join([S * 2] * 8), "ja_repeated_lines"),
    ],
)
def test_swallow_rules(text, expected):
    assert reason(text) == expected


def test_hojichar_rules_and_their_switches():
    kuten = "\n".join(
        f"第{i}回の会合では、参加者が地域での活動について報告し、今後の計画を話し合いました"
        for i in range(14)
    )
    assert reason(kuten, repeated_ngrams=False) == "ja_rare_kuten"
    ads = PROSE[0] + "\n" + "お問い合わせください。営業時間は十時からです。送料は別途料金です。" * 6
    no_repeats = {"repeated_ngrams": False, "max_dup_line_fraction": None, "max_dup_line_char_fraction": None}
    assert reason(ads, **no_repeats) == "ja_ads"
    ng = PROSE[1] + "\n" + "".join(f"その車は{i}人をはねて逃げた殺人犯のものだった。" for i in range(1, 9))
    assert reason(ng) is None and reason(ng, max_ng_word_fraction=0.02) == "ja_ng_words"  # 殺人: 0.024
    assert reason(ng, max_ng_word_fraction=None) == "ja_ng_words"  # llm-jp v1: more than 3
    assert reason(ng, ng_words=False, max_ng_word_fraction=None) is None


def test_a_few_ng_words_in_ordinary_text_do_not_drop_it():
    """llm-jp-corpus v1 (`max_ng_word_fraction: null`) drops a page for more than 3 matches of one
    list, not for one ordinary word: 挿入 ("insert") is on HojiChar's adult list, 破壊 ("destroy")
    on its violence list."""
    v1 = {"max_ng_word_fraction": None}
    debian = (
        "そしてブランクの CD-R をドライブに挿入して、次のようにして書込みます。"  # Debian Reference, ch09
        "不適切な設定はシステムのセキュリティーを破壊するリスクを引き起こします。"
    )
    assert reason(PROSE[1] + "\n" + debian) is None
    assert reason(PROSE[1] + "\n" + debian, max_ng_words=0, **v1) == "ja_ng_words"  # HojiChar's: any match
    inserts = "".join(f"{i}枚目のディスクを挿入します。" for i in range(4))  # 4 of the adult list
    assert reason(PROSE[1] + "\n" + debian + inserts, **v1) == "ja_ng_words"


def test_swallow_character_ngram_rule_is_opt_in():
    """Technical prose repeats its terms (ディスクイメージ, 次のように): Swallow's character n-gram rule,
    Gopher's English word thresholds applied to characters, drops it; it runs only when asked for."""
    terms = "\n".join(
        f'ディスクイメージファイル "disk{i}.img" は次のようにして {dev} に書き込むことができます。'
        f"パーティションのイメージを作る場合には、次のようにしてディスクイメージを作ります。"
        for i, dev in enumerate(["/dev/sdb", "/dev/sdc", "/dev/sdd", "/dev/sde", "/dev/sdf"])
    )
    text = PROSE[1] + "\n" + terms
    assert reason(text) is None
    assert reason(text, repeated_ngrams=True) == "ja_repeated_ngrams"


def test_only_japanese_documents_are_judged():
    step = JapaneseQuality()
    english = Document(text="Too short for the Japanese rules.", id="e", metadata={M.LANG: "en"})
    japanese = Document(text=S, id="j", metadata={M.LANG: "ja"})
    out = list(step.run([english, japanese]))
    assert M.DECISION not in out[0].metadata and out[1].metadata[M.REASON] == "ja_too_short"


def test_character_fractions():
    stats = char_stats("ひらがなカタカナ漢字。abc")
    assert stats["japanese_chars"] == 11
    assert stats["hiragana_fraction"] == pytest.approx(4 / 11)
    assert stats["katakana_fraction"] == pytest.approx(4 / 11)
    assert stats["japanese_fraction"] == pytest.approx(11 / 14)


def test_bilingual_filters_drop_the_junk_fixtures_and_keep_the_prose():
    steps = [s.build() for s in load_config(ROOT / "pipelines" / "bilingual.yaml").steps["filters"]]
    for lang in ("ja", "en"):
        rows = [json.loads(line) for line in open(ROOT / "tests/fixtures/japanese" / f"junk_{lang}.jsonl")]
        prose = [
            p.read_text(encoding="utf-8") for p in sorted((ROOT / "data/bilingual" / lang).glob("*.txt"))
        ]
        docs = [Document(text=r["text"], id=r["id"], metadata={}) for r in rows]
        docs += [Document(text=t, id=f"prose-{i}", metadata={}) for i, t in enumerate(prose)]
        for step in steps:
            docs = list(step.run(docs))
        junk_kept = [d.id for d in docs[: len(rows)] if M.DECISION not in d.metadata]
        prose_dropped = [(d.id, d.metadata[M.REASON]) for d in docs[len(rows) :] if M.DECISION in d.metadata]
        assert len(junk_kept) <= 0.1 * len(rows), (lang, junk_kept)
        assert prose_dropped == [], lang


def test_latin_words_and_command_options_are_not_ng_words_or_bulletin_board_patterns():
    smtp = PROSE[1] + "\nメールは SMTP で送られ、SMB でファイルを共有します。"
    assert reason(smtp) is None
    sm = PROSE[1] + "\n写真は SM サイズで保存されます。"
    assert reason(sm, max_ng_words=0, max_ng_word_fraction=None) == "ja_ng_words"  # a whole Latin word
    options = "\n".join(f"ls -l と cp -r{i} を Ctrl-Alt-F{i} の画面で実行します。" for i in range(8))
    assert reason(PROSE[1] + "\n" + options, max_kuten_interval=None) is None  # 32 hyphens of options
    long_options = "\n".join(f"tar --create --file=a{i}.tar と指定します。" for i in range(8))
    assert (
        reason(PROSE[1] + "\n" + long_options, max_kuten_interval=None) is None
    )  # 32 hyphens, 16 of them before another
    dashes = "\n".join(["----- 投稿 -----"] * 3)
    assert (
        reason(
            PROSE[1] + "\n" + dashes,
            repeated_ngrams=False,
            max_dup_line_fraction=None,
            max_dup_line_char_fraction=None,
            max_short_line_fraction=None,
        )
        == "ja_bbs"
    )


def test_katakana_bulletin_board_keywords_count_only_as_whole_words():
    # prose about manual pages and page layout: 16 ページ inside longer katakana words, 2 alone
    pages = "\n".join(
        f"マニュアルページ {i} 章とウェブページのページレイアウトを説明します。" for i in range(8)
    )
    alone = "\n次のページへ進みます。前のページへ戻ります。"
    quiet = {"max_dup_line_fraction": None, "max_dup_line_char_fraction": None, "max_kuten_interval": None}
    assert reason(PROSE[1] + "\n" + pages + alone, **quiet) is None
    # the same keyword on its own, as a page's navigation repeats it, still counts
    navigation = "\n".join(f"{i} ページ目へ、次のページ、前のページ。" for i in range(6))
    assert reason(PROSE[1] + "\n" + navigation, **quiet) == "ja_bbs"


def test_full_width_full_stops_count_as_kuten():
    text = PROSE[1].replace("。", "．").replace("、", "，")  # the ，．style of academic Japanese
    assert reason(text) is None
    no_stops = {"max_sentence_chars": None, "max_avg_sentence_chars": None}
    assert reason(text.replace("．", ""), **no_stops) == "ja_rare_kuten"


# Debian FAQ (debian-faq-ja, compatibility): one sentence of 237 characters listing ports in progress.
PORTS = (
    "hurd-i386 (i386 32ビットPC用 GNU Hurd カーネル)、mipsel64 (リトルエンディアンモードの64ビット MIPS)、"
    "powerpcspe (「信号処理エンジン」ハードウェア向け移植版)、sparc64 (64ビット SPARC プロセッサ)、"
    "sh (日立 SuperH プロセッサ用)、x32 (32ビットのポインタを使用した amd64/x86_64 CPU) "
    "向けの Debian バイナリディストリビューションの開発が現在進行中です。"
)


def test_sentences_are_cut_as_swallow_cuts_them():
    """Swallow's annotate_quality.py: a sentence is a run ending in 。．！？!? within one line, so a line
    break ends one; 、, ASCII '.', ':' and list commas do not. Its maximum is 200 characters."""
    one_sentence = "、".join([S[:-1]] * 5) + "、そのあとで駅前の本屋にも寄ってみました"
    at_most = one_sentence[:199] + "。"
    assert len(at_most) == 200 and reason(PROSE[1] + "\n" + at_most) is None
    assert reason(PROSE[1] + "\n" + one_sentence[:200] + "。") == "ja_long_sentence"  # 201
    # line breaks and 。！？!? end sentences; ASCII '.' (followed by a space) and '：' do not
    for end in ("\n", "。", "！", "？", "!", "?"):
        assert reason(PROSE[1] + "\n" + at_most[:150] + end + at_most[:150] + "。") is None, end
    for joint in (". ", "：", "、"):
        assert reason(PROSE[1] + "\n" + at_most[:150] + joint + at_most[:150] + "。") == "ja_long_sentence"
    # an enumeration written as one sentence fails; the documentation setting keeps it
    assert len(PORTS) == 237 and reason(PROSE[1] + "\n" + PORTS) == "ja_long_sentence"
    assert reason(PROSE[1] + "\n" + PORTS, max_sentence_chars=None) is None
    assert reason(PROSE[1] + "\n" + PORTS.replace("、", "、\n")) is None  # the same list, one port a line


LONG = "\n".join(PROSE)  # ten pages of written prose, about 4,600 characters
JUNK = {r["id"]: r["text"] for r in map(json.loads, open(ROOT / "tests/fixtures/japanese/junk_ja.jsonl"))}


def test_one_long_enumeration_in_a_long_document_is_kept():
    """Swallow drops a document for one sentence over 200 characters; curate drops it when such
    sentences hold more than 0.2 of its sentence characters (`max_long_sentence_fraction`)."""
    text = LONG[:2400] + "\n" + PORTS + "\n" + LONG[2400:]  # 237 of ~4,800 characters
    assert reason(text) is None
    assert reason(text, max_long_sentence_fraction=0) == "ja_long_sentence"  # Swallow's rule
    assert reason(PROSE[1] + "\n" + PORTS) == "ja_long_sentence"  # 237 of 714: a third of the page


def test_text_without_sentence_punctuation_is_still_dropped():
    """Keyword lists and run-on spam keep failing the share rule (tests/fixtures/japanese/junk_ja.jsonl)."""
    assert reason(JUNK["keywords-2"]) == "ja_long_sentence"  # a recipe page with a tag block (0.27)
    assert reason(JUNK["keywords-3"], max_avg_sentence_chars=None) == "ja_long_sentence"  # no 。 at all
    tags = " ".join(f"{w} おすすめ 人気 比較" for w in ("東京", "大阪", "名古屋", "福岡", "札幌") * 24)
    assert reason(LONG + "\n関連キーワード " + tags) == "ja_long_sentence"  # 1,570 characters of tags: 0.25


def test_ng_words_are_judged_by_their_share_of_the_text():
    """llm-jp-corpus's later filters: NG keywords over 0.05 of the characters (or over 100 / 20 / 15
    matches) drop a page; an everyday word repeated in a long manual does not."""
    manual = LONG + "\n" + "".join(f"{i}小節目の前に装飾音を挿入します。" for i in range(1, 7))
    assert reason(manual) is None  # 挿入 ("insert", adult list) 6 times in ~4,700 characters
    assert reason(manual, max_ng_word_fraction=None) == "ja_ng_words"  # llm-jp v1: more than 3
    for page in ("ngwords-1", "ngwords-2", "ngwords-3"):  # keyword stuffing, 0.14 / 0.12 / 0.058
        assert reason(JUNK[page]) == "ja_ng_words", page
    violence = LONG + "\n" + "".join(f"{i}回目の破壊テストを行いました。" for i in range(16))
    assert reason(violence) == "ja_ng_words"  # 16 > 15 matches of the violence list, share 0.006
