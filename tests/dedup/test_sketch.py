"""MinHash estimates Jaccard without bias; LSH parameters match datasketch's optimiser."""

from __future__ import annotations

import numpy as np
import pytest

from curate.dedup import sketch
from curate.dedup.minhash import MinhashDedup, collision_probability, lsh_params
from curate.dedup.shingles import Shingles, fmix64
from curate.dedup.verify import exact_jaccard
from curate.errors import ConfigError


def random_pair(rng: np.random.RandomState, n: int, jaccard: float) -> tuple[np.ndarray, np.ndarray, float]:
    shared = int(round(n * 2 * jaccard / (1 + jaccard)))
    own = n - shared
    values = fmix64(rng.randint(0, 2**63, size=shared + 2 * own, dtype=np.uint64)) >> np.uint64(32)
    a = values[: shared + own]
    b = np.concatenate((values[:shared], values[shared + own :]))
    return a.astype(np.uint32), b.astype(np.uint32), shared / (shared + 2 * own)


def signatures(sketcher: sketch.Sketcher, *sets: np.ndarray) -> np.ndarray:
    counts = np.array([len(s) for s in sets])
    return sketcher.signatures(Shingles(np.concatenate(sets), counts, counts))


def test_estimate_is_unbiased_with_the_expected_spread():
    rng = np.random.RandomState(0)
    sketcher = sketch.Sketcher(128, seed=1)
    z = []
    for _ in range(400):
        a, b, j = random_pair(rng, rng.randint(50, 400), rng.uniform(0.5, 0.95))
        sig = signatures(sketcher, a, b)
        z.append((sketch.estimate(sig[:1], sig[1:])[0] - j) / np.sqrt(j * (1 - j) / 128))
    assert abs(np.mean(z)) < 0.15  # no bias beyond noise (standard error of the mean is 0.05)
    assert 0.8 < np.std(z) < 1.2  # spread as sqrt(J(1-J)/P) predicts


def test_identical_sets_and_empty_documents():
    sketcher = sketch.Sketcher(64, seed=3)
    a = np.arange(100, dtype=np.uint32)
    sig = sketcher.signatures(Shingles(np.concatenate((a, a[::-1])), np.array([100, 0, 100]), np.zeros(3)))
    assert sketch.estimate(sig[:1], sig[2:])[0] == 1.0
    assert (sig[1] == sketch.EMPTY).all()


def test_a_document_larger_than_one_block_gets_the_same_signature():
    rng = np.random.RandomState(1)
    big = rng.randint(0, 2**32, size=sketch._CHUNK * 2 + 17, dtype=np.uint64).astype(np.uint32)
    sketcher = sketch.Sketcher(32, seed=1)
    direct = (sketcher.a[:, None] * big[None, :] + sketcher.b[:, None]).min(axis=1)
    small = np.arange(10, dtype=np.uint32)
    sig = signatures(sketcher, small, big, small)
    assert np.array_equal(sig[1], direct)
    assert np.array_equal(sig[0], sig[2])


def test_band_keys_agree_when_bands_agree():
    sig = np.array([[1, 2, 3, 4], [1, 2, 9, 9], [7, 2, 3, 4]], dtype=np.uint32)
    keys = sketch.band_keys(sig, 2, 2)
    assert keys[0, 0] == keys[1, 0] and keys[0, 1] != keys[1, 1]
    assert keys[0, 1] == keys[2, 1] and keys[0, 0] != keys[2, 0]
    assert keys[0, 0] != sketch.band_keys(sig[:, [2, 3, 0, 1]], 2, 2)[0, 1]  # bands are salted


@pytest.mark.parametrize("threshold,num_perm", [(0.5, 64), (0.8, 128), (0.9, 256)])
def test_lsh_params_match_datasketch(threshold, num_perm):
    from datasketch.lsh import _optimal_param

    assert lsh_params(threshold, num_perm) == tuple(_optimal_param(threshold, num_perm, 0.02, 0.98))


def test_default_banding_finds_pairs_at_the_threshold():
    bands, rows = MinhashDedup().bands_rows
    assert bands * rows <= 128
    assert collision_probability(0.8, bands, rows) > 0.97
    assert collision_probability(0.3, bands, rows) < 0.01


def test_exact_jaccard_of_many_pairs_at_once():
    rng = np.random.RandomState(2)
    sets = [np.unique(rng.randint(0, 50, size=rng.randint(1, 40))).astype(np.uint32) for _ in range(20)]
    a, b = sets[:10], sets[10:]
    got = exact_jaccard(
        np.concatenate(a), np.array([len(x) for x in a]), np.concatenate(b), np.array([len(x) for x in b])
    )
    want = [len(set(x) & set(y)) / len(set(x) | set(y)) for x, y in zip(a, b, strict=True)]
    assert np.allclose(got, want)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"threshold": 0},
        {"threshold": 1.5},
        {"bands": 4},
        {"bands": 20, "rows": 10},
        {"num_perm": 4},
        {"keep": ["longest", "shortest"]},
        {"keep": ["kind", "kind"]},
        {"max_chars": 10},
        {"ngram": 0},
    ],
)
def test_bad_options_are_config_errors(kwargs):
    with pytest.raises(ConfigError):
        MinhashDedup(**kwargs)


def test_shingles_signatures_and_band_keys_keep_their_values():
    """Index segments of earlier runs hold signatures and band keys: the same text must give the
    same values (little-endian digests of this fixed batch). A change here needs a new
    `SIGNATURE_VERSION`, so old segments are skipped instead of compared with wrong values."""
    import hashlib

    from curate.dedup.shingles import mixed_shingles
    from curate.dedup.sketch import Sketcher, band_keys

    texts = [
        "the quick brown fox jumps over the lazy dog again and again",
        "検索エンジンの重複除去は文字のシングルで行う。",
        "def f(x):\n    return x + 1  # code",
        "short",
    ]
    shingles = mixed_shingles([t.lower() for t in texts], ["word", "char", "code", "word"], 5, {"char": 5})
    sig = Sketcher(128, 1).signatures(shingles)

    def digest(*arrays: np.ndarray) -> str:
        little = [a.astype(a.dtype.newbyteorder("<")).tobytes() for a in arrays]
        return hashlib.sha1(b"".join(little)).hexdigest()

    assert digest(shingles.hashes, shingles.counts) == "a177da80d094536568d2f6d5e0f633e8464af02d"
    assert digest(sig) == "1969ec9db1d33e9426af06e7f4f28514bac3d505"
    assert digest(band_keys(sig, 17, 7)) == "81a5ee4d9a37f3091cc23d68c8cff8600f66f032"
