"""Vectorised shingling: a batch of texts → 32-bit shingle hashes, with no per-token Python loop.

A batch is lower-cased, joined with newlines and viewed as one array of Unicode code points `c`.
Separators are code points whose Unicode category is punctuation, symbol, separator or control
(plus `_`); for code points above the Basic Multilingual Plane only the emoji blocks
U+1F000–U+1FAFF count as separators. Tokens are maximal runs of non-separators (`word` mode) or
single non-separator code points (`char` mode, for scripts written without spaces, e.g. Japanese).
`code` mode tokenises source code: identifiers and numbers (runs of letters, digits and `_`) and
every punctuation or symbol character (operators, brackets) are tokens, white space separates;
`mixed_shingles` gives each text its own mode (code files by their kind, see `dedup.signature`).
`auto` mode picks per text: `char` n-grams (of `char_n` characters) when at least
`NO_SPACE_SHARE` of its non-separator code points belong to scripts written without spaces
(kana, CJK ideographs, Thai, Lao, Khmer, Myanmar), `word` n-grams otherwise, so Japanese and
English documents share one index.

Hashing uses polynomial prefix sums mod 2**64 (all arithmetic wraps in `uint64`):

    H[i] = sum_{j<i} c[j] * B**j,   hash(c[s:e]) = (H[e] - H[s]) * B**(-s) + (e - s)

B is odd, so B**(-1) mod 2**64 exists and the hash of a substring does not depend on where it
sits. Token hashes t are combined the same way over token positions, so the hash of the n-gram
t[i:i+n] costs O(1), whatever n is. The result goes through MurmurHash3's fmix64 finaliser and
its high 32 bits are the shingle. A document with fewer than n tokens gets one shingle made of
all its tokens; a document with no tokens gets none.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal, NamedTuple

import numpy as np

ShingleMode = Literal["word", "char", "code", "auto"]
NO_SPACE_SHARE = 0.3  # share of no-space-script characters from which `auto` shingles by character
# (first, last) code points of scripts written without spaces between words
NO_SPACE_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3040, 0x30FF),  # hiragana, katakana
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width katakana
    (0x20000, 0x3FFFF),  # CJK extensions B and later
)

_NO_SPACE_CHAR = re.compile("[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in NO_SPACE_RANGES) + "]")

MAX_BATCH_CHARS = 1 << 20  # code points per batch; the power tables are this long (2 x 8 MiB)
_BASE = 0x100000001B3  # odd, so invertible mod 2**64
_S33, _S32 = np.uint64(33), np.uint64(32)
_M1, _M2 = np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53)


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(separator flag per BMP code point + one slot for 'astral', B**i, B**-i), built once (~12 ms)."""
    sep = _category_flags("PSZC")
    sep[0x5F] = True
    powers = []
    for base in (_BASE, pow(_BASE, -1, 1 << 64)):
        p = np.empty(MAX_BATCH_CHARS + 1, dtype=np.uint64)
        p[0] = 1
        np.cumprod(np.full(MAX_BATCH_CHARS, base, dtype=np.uint64), out=p[1:])
        powers.append(p)
    return sep, powers[0], powers[1]


@lru_cache(maxsize=1)
def _space_table() -> np.ndarray:
    """White space and control flag per BMP code point (+ one slot for 'astral'): `code` mode's separators."""
    return _category_flags("ZC")


@lru_cache(maxsize=1)
def _major_categories() -> np.ndarray:
    """The first letter of the Unicode general category of every BMP code point, as ASCII bytes."""
    first = "".join(cat[0] for cat in map(unicodedata.category, map(chr, range(0x10000))))
    return np.frombuffer(first.encode("ascii"), dtype=np.uint8)


def _category_flags(majors: str) -> np.ndarray:
    """Per BMP code point (+ one slot for 'astral', False): whether its Unicode general category
    starts with one of `majors` (P, S, Z, C...)."""
    flags = np.zeros(0x10001, dtype=bool)
    flags[:-1] = np.isin(_major_categories(), list(majors.encode("ascii")))
    return flags


def _code_tokens(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of `code` mode tokens, in text order: word runs (with `_`) and single symbols."""
    space = _space_table().take(np.minimum(c, 0x10000))
    symbol = _separators(c) & ~space & (c != 0x5F)
    word = ~space & ~symbol
    padded = np.zeros(len(c) + 2, dtype=np.int8)
    padded[1:-1] = word
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    single = np.flatnonzero(symbol)
    starts = np.concatenate((edges[0::2], single))
    ends = np.concatenate((edges[1::2], single + 1))
    order = np.argsort(starts, kind="stable")
    return starts[order], ends[order]


def fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, in place on a uint64 array; returns it."""
    h ^= h >> _S33
    h *= _M1
    h ^= h >> _S33
    h *= _M2
    h ^= h >> _S33
    return h


def _separators(c: np.ndarray) -> np.ndarray:
    sep_table = _tables()[0]
    if len(c) == 0 or c.max() <= 0xFFFF:  # the usual batch: no code point beyond the BMP
        return sep_table.take(c)
    sep = sep_table.take(np.minimum(c, 0x10000))
    astral = c > 0xFFFF
    sep[astral] = (c[astral] >= 0x1F000) & (c[astral] < 0x1FB00)
    return sep


def _prefix(values: np.ndarray) -> np.ndarray:
    """H with H[0] = 0 and H[i+1] = H[i] + values[i] * B**i (mod 2**64)."""
    pw = _tables()[1]
    out = np.empty(len(values) + 1, dtype=np.uint64)
    out[0] = 0
    np.multiply(values, pw[: len(values)], out=out[1:], dtype=np.uint64)  # code points widened on the fly
    np.cumsum(out[1:], out=out[1:])
    return out


def _span_hash(prefix: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    ipw = _tables()[2]
    return (prefix[ends] - prefix[starts]) * ipw[starts] + (ends - starts).astype(np.uint64)


class Shingles(NamedTuple):
    """Shingles of a batch: `hashes[offsets[i]:offsets[i+1]]` belong to text i."""

    hashes: np.ndarray  # uint32, texts' shingles concatenated in text order (repeats possible)
    counts: np.ndarray  # int64, shingles per text
    tokens: np.ndarray  # int64, tokens per text (0: nothing to shingle; < n: one shingle of all)

    @property
    def offsets(self) -> np.ndarray:
        return np.concatenate(([0], np.cumsum(self.counts)))


def no_space_texts(texts: list[str]) -> np.ndarray:
    """Boolean per text: at least NO_SPACE_SHARE of its non-separator code points are in a script
    written without spaces (the texts `auto` mode shingles by character). Texts with no such
    character at all (one regex scan; ASCII texts not even that) are answered without counting."""
    out = np.zeros(len(texts), dtype=bool)
    wide = [i for i, t in enumerate(texts) if not t.isascii() and _NO_SPACE_CHAR.search(t)]
    if not wide:
        return out
    texts = [texts[i] for i in wide]
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    c = np.frombuffer("\n".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    letters = ~_separators(c)
    nospace = _no_space_table().take(np.minimum(c, 0x10000))
    astral = c > 0xFFFF
    if astral.any():
        a = c[astral]
        nospace[astral] = np.any([(a >= lo) & (a <= hi) for lo, hi in NO_SPACE_RANGES], axis=0)
    doc = np.repeat(np.arange(len(texts)), lengths + 1)[: len(c)]
    n_letters = np.bincount(doc, weights=letters, minlength=len(texts))
    n_nospace = np.bincount(doc, weights=nospace & letters, minlength=len(texts))
    out[wide] = (n_letters > 0) & (n_nospace >= NO_SPACE_SHARE * np.maximum(n_letters, 1))
    return out


@lru_cache(maxsize=1)
def _no_space_table() -> np.ndarray:
    """Whether each BMP code point is in `NO_SPACE_RANGES` (+ one slot, False, for 'astral')."""
    table = np.zeros(0x10001, dtype=bool)
    for lo, hi in NO_SPACE_RANGES:
        table[lo : min(hi, 0xFFFF) + 1] = True
    return table


def batch_shingles(
    texts: list[str], mode: ShingleMode = "word", n: int = 5, char_n: int | None = None
) -> Shingles:
    """Shingle hashes of every text in `texts` (lower-cased already).

    The batch may hold at most `MAX_BATCH_CHARS` code points in all, counting one newline
    between texts. Shingles may repeat: MinHash takes a minimum, so multiplicity does not matter.
    In `auto` mode texts of no-space scripts get character `char_n`-grams (default `n`).
    """
    if mode == "auto":
        return mixed_shingles(texts, auto_modes(texts), n, {"char": char_n or n})
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    total = int(lengths.sum()) + len(texts)
    if total > MAX_BATCH_CHARS + 1:
        raise OverflowError(f"shingle batch of {total} code points exceeds {MAX_BATCH_CHARS}")
    c = np.frombuffer("\n".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    word = ~_separators(c)
    if mode == "code":
        starts, ends = _code_tokens(c)
        tokens = _span_hash(_prefix(c), starts, ends)
    elif mode == "word":
        padded = np.zeros(len(c) + 2, dtype=np.int8)
        padded[1:-1] = word
        edges = np.flatnonzero(padded[1:] != padded[:-1])  # start, end, start, end, ...
        starts, ends = edges[0::2], edges[1::2]
        tokens = _span_hash(_prefix(c), starts, ends)
    else:
        starts = np.flatnonzero(word)
        tokens = c[starts].astype(np.uint64) + np.uint64(1)
    doc_start = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
    tok_doc = np.searchsorted(doc_start, starts, side="right") - 1
    n_tok = np.bincount(tok_doc, minlength=len(texts))
    first = np.concatenate(([0], np.cumsum(n_tok)[:-1]))
    index = np.arange(len(tokens))
    full = index + n <= (first + n_tok)[tok_doc]  # the n-gram starting here stays in its text
    short = np.flatnonzero((n_tok > 0) & (n_tok < n))
    lo = np.concatenate((index[full], first[short]))
    hi = np.concatenate((index[full] + n, first[short] + n_tok[short]))
    doc = np.concatenate((tok_doc[full], short))
    order = np.argsort(doc, kind="stable")
    hashes = fmix64(_span_hash(_prefix(tokens), lo[order], hi[order]))
    return Shingles((hashes >> _S32).astype(np.uint32), np.bincount(doc, minlength=len(texts)), n_tok)


def auto_modes(texts: list[str]) -> list[str]:
    """`char` for texts of no-space scripts (`no_space_texts`), `word` for the others."""
    return ["char" if flag else "word" for flag in no_space_texts(texts)]


def mixed_shingles(
    texts: list[str], modes: list[str], n: int = 5, sizes: dict[str, int] | None = None
) -> Shingles:
    """Shingles of texts that each have their own mode (one call of `batch_shingles` per mode),
    back in text order. `sizes` gives a mode its own n (e.g. {"char": 4} for `auto`)."""
    sizes = sizes or {}
    if len(set(modes)) <= 1:
        mode = modes[0] if modes else "word"
        return batch_shingles(texts, mode, sizes.get(mode, n))
    modes_arr = np.array(modes)
    counts = np.zeros(len(texts), dtype=np.int64)
    tokens = np.zeros(len(texts), dtype=np.int64)
    parts = []
    for mode in dict.fromkeys(modes):
        idx = np.flatnonzero(modes_arr == mode)
        part = batch_shingles([texts[i] for i in idx], mode, sizes.get(mode, n))
        counts[idx], tokens[idx] = part.counts, part.tokens
        parts.append((idx, part))
    owner = np.concatenate([np.repeat(idx, part.counts) for idx, part in parts])
    hashes = np.concatenate([part.hashes for _, part in parts])
    order = np.argsort(owner, kind="stable")
    return Shingles(hashes[order], counts, tokens)
