"""`ExactDedup`: drop documents whose normalized text is identical to a kept document's.

The key is the SHA-1 of the text after the `normalize` steps, applied in this fixed order:
`nfkc` (Unicode compatibility form: full-width letters, ligatures), `lowercase` (Unicode case
folding), `punctuation` (punctuation and symbols removed), `digits` (every digit becomes 0),
`whitespace` (runs of whitespace become one space, ends stripped). Its hex digest is stored as
`content_sha1` on every live document. Within a run the duplicates of a group are clustered and
one is kept by the keep rule (`curate.dedup.keep`); against earlier runs the persistent index
(`curate.dedup.index`, 20 bytes of digest per kept document) makes the earlier copy win.

The work itself runs in the sharded dedup phases (`curate.dedup.plan`); this class holds and
checks the options.

`content_key` computes the same digest as hashing `normalize_for_key`'s result, on bytes where
that is exact: on ASCII text every step is a per-character map (one `bytes.translate`, its table
derived from `normalize_for_key` itself) and whitespace runs are collapsed with `replace`; other
text without punctuation or digit steps is case-folded as a string, encoded, and its ASCII
whitespace collapsed the same way, unless it still holds non-ASCII white space (then the string
path). Splitting and re-joining every word was most of the key's cost: 13.4 → 6.6 µs per
document of ~1,700 characters (the dedup benchmark's, 78% ASCII).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from typing import Literal

from curate.dedup.keep import DEFAULT_KEEP, DEFAULT_PREFER_KIND, KeepCriterion, check_keep
from curate.errors import ConfigError

NormalizeStep = Literal["nfkc", "lowercase", "punctuation", "digits", "whitespace"]
NORMALIZE_ORDER = ("nfkc", "lowercase", "punctuation", "digits", "whitespace")
DEFAULT_NORMALIZE = ("nfkc", "lowercase", "whitespace")
_PUNCT = re.compile(r"[^\w\s]|_")
_DIGIT = re.compile(r"\d")
# white space outside ASCII (`str.isspace`; tests/dedup/test_exact.py checks the list is complete)
WIDE_SPACE = "\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
_ASCII_SPACE = bytes.maketrans(b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f", b" " * 9)


def normalize_for_key(text: str, steps: tuple[str, ...] | list[str]) -> str:
    """`text` after the given normalize steps (always applied in `NORMALIZE_ORDER`)."""
    if "nfkc" in steps and not text.isascii():  # NFKC leaves ASCII as it is
        text = unicodedata.normalize("NFKC", text)
    if "lowercase" in steps:
        text = text.casefold()
    if "punctuation" in steps:
        text = _PUNCT.sub(" " if "whitespace" in steps else "", text)
    if "digits" in steps:
        text = _DIGIT.sub("0", text)
    if "whitespace" in steps:
        text = " ".join(text.split())
    return text


def content_key(text: str, steps: tuple[str, ...] | list[str]) -> bytes:
    """SHA-1 digest (20 bytes) of the normalized text (UTF-8): the exact-duplicate key."""
    return hashlib.sha1(normalized_bytes(text, tuple(steps))).digest()


def normalized_bytes(text: str, steps: tuple[str, ...]) -> bytes:
    """`normalize_for_key(text, steps)` encoded as UTF-8 (lone surrogates passed through), computed
    on bytes where that gives the same result (see the module docstring)."""
    spaces = "whitespace" in steps
    if text.isascii():
        table, delete = _ascii_table(steps)
        data = text.encode("ascii").translate(table, delete)
    elif "punctuation" in steps or "digits" in steps:
        return normalize_for_key(text, steps).encode("utf-8", "surrogatepass")
    else:
        if "nfkc" in steps:
            text = unicodedata.normalize("NFKC", text)
        if "lowercase" in steps:
            text = text.casefold()
        if spaces and any(ch in text for ch in WIDE_SPACE):  # the steps left: white space only
            return normalize_for_key(text, ("whitespace",)).encode("utf-8", "surrogatepass")
        data = text.encode("utf-8", "surrogatepass")
        if spaces:  # a UTF-8 byte below 0x80 is always a whole ASCII character
            data = data.translate(_ASCII_SPACE)
    if spaces:
        while b"  " in data:
            data = data.replace(b"  ", b" ")
        data = data.strip(b" ")
    return data


@lru_cache(maxsize=32)
def _ascii_table(steps: tuple[str, ...]) -> tuple[bytes, bytes]:
    """(translate table, bytes to delete) that map ASCII text as `steps` do, white space runs
    aside (white space becomes one space per character; `normalized_bytes` collapses the runs)."""
    table, delete = bytearray(range(256)), bytearray()
    for code in range(128):
        # between two letters that every step keeps, so a character mapped to a space survives the strip
        mapped = normalize_for_key(f"a{chr(code)}a", steps)[1:-1]
        if not mapped:
            delete.append(code)
        else:
            table[code] = ord(mapped)
    return bytes(table), bytes(delete)


class ExactDedup:
    """Exact duplicates on normalized text.

    Args:
        normalize: steps applied before hashing, any of nfkc, lowercase, punctuation, digits,
            whitespace (applied in that order whatever the order given).
        keep: keep-rule criteria, first decides (see `curate.dedup.keep`).
        prefer_kind: `kind` values from most to least preferred, for the `kind` criterion.
        index: also drop copies of documents kept by earlier runs of the pipeline, and add this
            run's kept documents to the persistent index in the pipeline's state directory.
    """

    name = "exact"

    def __init__(
        self,
        normalize: list[NormalizeStep] = DEFAULT_NORMALIZE,  # type: ignore[assignment]
        keep: list[KeepCriterion] = tuple(DEFAULT_KEEP),  # type: ignore[assignment]
        prefer_kind: list[str] = tuple(DEFAULT_PREFER_KIND),  # type: ignore[assignment]
        index: bool = True,
    ):
        if len(set(normalize)) != len(normalize):
            raise ConfigError(f"normalize: each step may appear once, found {list(normalize)}")
        unknown = [s for s in normalize if s not in NORMALIZE_ORDER]
        if unknown:
            raise ConfigError(f"normalize: unknown steps {unknown}, expected any of {list(NORMALIZE_ORDER)}")
        check_keep(list(keep), list(prefer_kind))
        self.normalize = tuple(s for s in NORMALIZE_ORDER if s in normalize)
        self.keep = list(keep)
        self.prefer_kind = list(prefer_kind)
        self.index = index

    def fingerprint(self) -> dict:
        """What must match for an index segment's digests to be comparable with this run's."""
        return {"normalize": list(self.normalize), "hash": "sha1-utf8"}
