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
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Literal

from curate.dedup.keep import DEFAULT_KEEP, DEFAULT_PREFER_KIND, KeepCriterion, check_keep
from curate.errors import ConfigError

NormalizeStep = Literal["nfkc", "lowercase", "punctuation", "digits", "whitespace"]
NORMALIZE_ORDER = ("nfkc", "lowercase", "punctuation", "digits", "whitespace")
DEFAULT_NORMALIZE = ("nfkc", "lowercase", "whitespace")
_PUNCT = re.compile(r"[^\w\s]|_")
_DIGIT = re.compile(r"\d")


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
    """SHA-1 digest (20 bytes) of the normalized text: the exact-duplicate key."""
    return hashlib.sha1(normalize_for_key(text, steps).encode("utf-8", "surrogatepass")).digest()


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
