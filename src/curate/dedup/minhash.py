"""`MinhashDedup`: near-duplicate removal with MinHash, LSH banding and verification.

Maths (Broder 1997; Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3):

- A document is the set S of its shingles (word or character n-grams, `curate.dedup.shingles`).
  Similarity is Jaccard J(A, B) = |A ∩ B| / |A ∪ B|.
- MinHash: for a random permutation h, P[min h(A) = min h(B)] = J(A, B). With P = `num_perm`
  permutations the share of equal signature positions estimates J with standard error
  sqrt(J (1 - J) / P): 0.035 at J = 0.8 and P = 128.
- LSH banding: the signature is cut into b bands of r rows (b·r ≤ P). Two documents become a
  candidate pair when all r rows of at least one band agree, with probability
  1 - (1 - J**r)**b, an S-curve with its steepest point near (1/b)**(1/r).
- b and r, unless given, minimise 0.02·(false-positive area below the threshold) + 0.98·(false-
  negative area above it) of that curve (datasketch's LSH parameter optimiser, called). The
  weights favour recall because every candidate is then *verified*: a pair counts as duplicate
  only when its estimated Jaccard is ≥ `threshold`. For threshold 0.8 and P = 128 this gives
  b = 17, r = 7: P[candidate] = 0.98 at J = 0.8, 0.77 at J = 0.7, 0.38 at J = 0.6.
- Verified pairs form star clusters: documents are taken in keep-rule order (`curate.dedup.keep`)
  and one is rejected as `near_duplicate` only when it has a verified pair with a document
  already kept, with `dup_of` (the most similar such kept document), `minhash_cluster` and
  `dup_similarity` (its verified Jaccard, always ≥ threshold); no two kept documents form a
  verified pair. Connected components would chain (A ~ B ~ C drops C for A at any J(A, C)).

Costs: signatures 4·P bytes per document; band keys 8·b bytes; the persistent index keeps both
for kept documents (see `curate.dedup.index` for the measured bytes per document).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from curate.dedup.keep import DEFAULT_KEEP, DEFAULT_PREFER_KIND, KeepCriterion, check_keep
from curate.dedup.shingles import MAX_BATCH_CHARS, ShingleMode
from curate.errors import ConfigError

SIGNATURE_VERSION = "curate-minhash-1"  # bump when shingling or hashing changes
FP_WEIGHT, FN_WEIGHT = 0.02, 0.98


@lru_cache(maxsize=64)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) with b·r ≤ num_perm minimising the weighted error areas, recall favoured:
    datasketch's optimiser (`MinHashLSH` picks its bands the same way).

    Importing datasketch's LSH module imports scipy (~0.5 s per process, more than the dedup of a
    few thousand documents), so its answers are remembered in `<cache>/lsh_params.json`."""
    import json
    import os

    from curate.membership.models import cache_root

    path = cache_root() / "lsh_params.json"
    key = f"{threshold!r},{num_perm},{FP_WEIGHT!r},{FN_WEIGHT!r}"
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    if isinstance(known, dict) and isinstance(found := known.get(key), list) and len(found) == 2:
        return int(found[0]), int(found[1])
    from datasketch.lsh import _optimal_param

    bands, rows = _optimal_param(threshold, num_perm, FP_WEIGHT, FN_WEIGHT)
    try:  # best effort: a read-only cache only costs the import again
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps({**(known if isinstance(known, dict) else {}), key: [bands, rows]}))
        tmp.replace(path)
    except OSError:
        pass
    return int(bands), int(rows)


def collision_probability(similarity: float, bands: int, rows: int) -> float:
    """P[two documents with Jaccard `similarity` share at least one band]."""
    return 1.0 - (1.0 - similarity**rows) ** bands


class MinhashDedup:
    """Near duplicates by MinHash LSH, verified by estimated Jaccard.

    Args:
        threshold: Jaccard similarity (0–1] at or above which two documents are duplicates.
        num_perm: permutations per signature (signature = 4·num_perm bytes).
        bands, rows: LSH banding; give both or neither (derived from `threshold`).
        shingle: `word` n-grams, `char` n-grams for scripts without spaces (Japanese, Chinese),
            or `auto` (the default): per document, character n-grams when at least 30% of its
            letters are in such a script, word n-grams otherwise (one index for both).
        ngram: n of the n-grams (words or characters).
        char_ngram: n of the character n-grams of `auto` mode (default: `ngram`).
        seed: seed of the permutations; runs sharing an index must use the same one.
        max_chars: a longer document is signed on its first `max_chars` characters
            (`dedup_note: minhash_truncated`); exact dedup still hashes all of it.
        keep, prefer_kind: the keep rule (see `curate.dedup.keep`).
        index: also drop near copies of documents kept by earlier runs of the pipeline, and add
            this run's kept documents to the persistent index in the state directory.
        code_kinds: documents of these kinds are shingled as source code (identifier, number and
            symbol tokens; `curate.dedup.shingles`), whatever `shingle` says; `[]` turns it off.
    """

    name = "minhash"

    def __init__(
        self,
        threshold: float = 0.8,
        num_perm: int = 128,
        bands: int | None = None,
        rows: int | None = None,
        shingle: ShingleMode = "auto",
        ngram: int = 5,
        char_ngram: int | None = None,
        seed: int = 1,
        max_chars: int = 1_000_000,
        keep: list[KeepCriterion] = tuple(DEFAULT_KEEP),  # type: ignore[assignment]
        prefer_kind: list[str] = tuple(DEFAULT_PREFER_KIND),  # type: ignore[assignment]
        index: bool = True,
        code_kinds: list[str] = ("code",),
    ):
        if not 0.0 < threshold <= 1.0:
            raise ConfigError(f"threshold: expected a Jaccard similarity in (0, 1], found {threshold}")
        if not 8 <= num_perm <= 1024:
            raise ConfigError(f"num_perm: expected 8 to 1024 permutations, found {num_perm}")
        if shingle not in ("word", "char", "auto"):
            raise ConfigError(f"shingle: expected 'word', 'char' or 'auto', found {shingle!r}")
        if char_ngram is not None and not 1 <= char_ngram <= 64:
            raise ConfigError(f"char_ngram: expected 1 to 64, found {char_ngram}")
        if not 1 <= ngram <= 64:
            raise ConfigError(f"ngram: expected 1 to 64, found {ngram}")
        if not 1_000 <= max_chars <= MAX_BATCH_CHARS - 1:
            raise ConfigError(f"max_chars: expected 1000 to {MAX_BATCH_CHARS - 1}, found {max_chars}")
        if (bands is None) != (rows is None):
            raise ConfigError("bands and rows: give both or neither (then they follow from threshold)")
        if bands is not None and rows is not None:
            if bands < 1 or rows < 1 or bands * rows > num_perm:
                raise ConfigError(
                    f"bands x rows must be at least 1 x 1 and at most num_perm ({num_perm}), "
                    f"found {bands} x {rows}"
                )
        check_keep(list(keep), list(prefer_kind))
        self.threshold = float(threshold)
        self.num_perm = num_perm
        self._bands, self._rows = bands, rows
        self.shingle: Literal["word", "char", "auto"] = shingle
        self.ngram = ngram
        self.char_ngram = char_ngram or ngram
        self.seed = seed
        self.max_chars = max_chars
        self.keep = list(keep)
        self.prefer_kind = list(prefer_kind)
        self.index = index
        self.code_kinds = list(code_kinds)

    @property
    def bands_rows(self) -> tuple[int, int]:
        """(bands, rows) as given, or derived from the threshold."""
        if self._bands is None or self._rows is None:  # resolved once; pickled copies carry it
            self._bands, self._rows = lsh_params(self.threshold, self.num_perm)
        return self._bands, self._rows

    def fingerprint(self) -> dict:
        """What must match for an index segment's signatures to be comparable with this run's."""
        extra = {"code_kinds": self.code_kinds} if self.code_kinds != ["code"] else {}
        return {
            **extra,
            "version": SIGNATURE_VERSION,
            "num_perm": self.num_perm,
            "seed": self.seed,
            "shingle": self.shingle,
            "ngram": self.ngram,
            **({"char_ngram": self.char_ngram} if self.shingle == "auto" else {}),
        }
