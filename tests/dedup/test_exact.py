"""The exact-duplicate key: `content_key` on bytes gives the digest of `normalize_for_key`'s text."""

from __future__ import annotations

import hashlib
import itertools
import random
import sys

from curate.dedup.exact import NORMALIZE_ORDER, WIDE_SPACE, content_key, normalize_for_key

# characters each step treats specially: every ASCII white space and control character,
# punctuation, digits, upper case; NFKC forms (full width, ligature, superscript, no-break and
# ideographic spaces), case folding that changes length (ß, İ), white space NFKC keeps (U+0085,
# U+1680, U+2028), a lone surrogate, an emoji, non-ASCII digits and punctuation
ALPHABET = (
    [chr(c) for c in range(128)]
    + list("ÄéßİΣςＡｂ１ﬁ²\xa0\u3000\u2003\u0085\u1680\u2028\u2029\u202f\ud800😀٣“”—…")
    + ["  ", "\n\n", " \t ", "word", "Word", "WORD"] * 8
)


def reference(text: str, steps: tuple[str, ...]) -> bytes:
    return hashlib.sha1(normalize_for_key(text, steps).encode("utf-8", "surrogatepass")).digest()


def texts(seed: int, ascii_only: bool) -> list[str]:
    rng = random.Random(seed)
    pool = [c for c in ALPHABET if c.isascii()] if ascii_only else ALPHABET
    out = ["", " ", "\t\n ", "a", "  leading and trailing  ", "Ａ\xa0B\u3000c\u2028d \x1cE\x1f"]
    out += ["".join(rng.choice(pool) for _ in range(rng.randint(1, 60))) for _ in range(150)]
    return out


def test_the_key_equals_the_digest_of_the_normalized_text_for_every_set_of_steps():
    samples = texts(1, ascii_only=True) + texts(2, ascii_only=False)
    assert sum(t.isascii() for t in samples) > 100 and sum(not t.isascii() for t in samples) > 100
    for size in range(len(NORMALIZE_ORDER) + 1):
        for steps in itertools.combinations(NORMALIZE_ORDER, size):
            for text in samples:
                assert content_key(text, steps) == reference(text, steps), (steps, text)


def test_known_keys():
    steps = ("nfkc", "lowercase", "whitespace")
    same = ["Proof of Stake", "  proof\tOF\n\nstake ", "ＰＲＯＯＦ\xa0of\u3000stake", "proof\x1cof\x1fstake"]
    assert {content_key(t, steps) for t in same} == {hashlib.sha1(b"proof of stake").digest()}
    # white space that NFKC keeps still separates words: the string path collapses it
    assert content_key("Straße\u2028 two", steps) == hashlib.sha1(b"strasse two").digest()
    assert content_key("a\u2028b", ("whitespace",)) == hashlib.sha1(b"a b").digest()


def test_the_wide_space_list_holds_every_non_ascii_white_space_character():
    wide = "".join(c for c in map(chr, range(0x80, sys.maxunicode + 1)) if c.isspace())
    assert wide == WIDE_SPACE
