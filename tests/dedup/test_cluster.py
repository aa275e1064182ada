"""Star clusters, group winners and the keep rule."""

from __future__ import annotations

import numpy as np

from curate.dedup.cluster import first_of_groups, star_heads
from curate.dedup.keep import keep_rank


def stars(n: int, edges: list[tuple[int, int, float]], rank=None, max_rounds: int = 64) -> list[int]:
    a = np.array([e[0] for e in edges], dtype=np.int64)
    b = np.array([e[1] for e in edges], dtype=np.int64)
    sim = np.array([e[2] for e in edges], dtype=np.float32)
    rank = np.arange(n) if rank is None else np.asarray(rank)
    return star_heads(n, a, b, sim, rank, max_rounds)[0].tolist()


def sequential(n: int, edges, rank) -> list[int]:
    """The greedy loop of a MinHash-LSH dedup, one document at a time (the reference)."""
    head = list(range(n))
    kept: list[int] = []
    for v in sorted(range(n), key=lambda x: rank[x]):
        near = [(s, -rank[u], u) for x, y, s in edges for u, w in ((x, y), (y, x)) if w == v and u in kept]
        if near:
            head[v] = max(near)[2]
        else:
            kept.append(v)
    return head


def test_a_chain_does_not_drop_a_document_for_one_it_is_not_similar_to():
    # 0 ~ 1 ~ 2, 0 !~ 2: union-find would drop 2 for 0; the star keeps 2 (its only near copy is dropped)
    assert stars(3, [(0, 1, 0.9), (1, 2, 0.85)]) == [0, 0, 2]
    # a member joins its most similar earlier head
    assert stars(4, [(0, 3, 0.81), (1, 3, 0.95)]) == [0, 1, 2, 1]
    assert stars(3, []) == [0, 1, 2]


def test_the_keep_order_decides_who_heads_a_star():
    assert stars(3, [(0, 1, 0.9), (1, 2, 0.85)], rank=[2, 0, 1]) == [1, 1, 1]


def test_star_rounds_match_the_sequential_greedy_loop_on_random_graphs():
    rng = np.random.RandomState(0)
    for trial in range(30):
        n = 60
        pairs = {tuple(sorted(p)) for p in rng.randint(0, n, (70, 2)).tolist() if p[0] != p[1]}
        edges = [(a, b, float(rng.choice([0.8, 0.85, 0.9, 1.0]))) for a, b in sorted(pairs)]
        rank = rng.permutation(n)
        want = sequential(n, edges, rank)
        assert stars(n, edges, rank) == want
        assert stars(n, edges, rank, max_rounds=1 + trial % 3) == want  # the loop that finishes chains


def test_first_of_groups_picks_the_lowest_priority():
    best, is_best = first_of_groups(np.array([0, 1, 0, 1, 2]), np.array([5, 1, 3, 4, 0]))
    assert best.tolist() == [2, 1, 2, 1, 4]
    assert is_best.tolist() == [False, True, True, False, True]


def test_keep_rule_orders_by_kind_then_length_then_fetch_time():
    vocab = ["news", "whitepaper", "blog"]
    kind = np.array([0, 1, 2, 2, -1, 2])
    length = np.array([900, 100, 500, 500, 5000, 500])
    fetched = np.array([1.0, 2.0, 30.0, 20.0, 0.0, np.nan])
    rank = keep_rank(
        ["kind", "longest", "earliest"], ["whitepaper", "docs", "blog", "news"], vocab, kind, length, fetched
    )
    assert np.argsort(rank).tolist() == [
        1,
        3,
        2,
        5,
        0,
        4,
    ]  # whitepaper, blogs by fetch (NaN last), news, no kind
    rank = keep_rank(["longest"], [], vocab, kind, length, fetched)
    assert np.argsort(rank)[0] == 4
    rank = keep_rank(["latest", "shortest"], [], vocab, kind, length, fetched)
    assert np.argsort(rank).tolist()[:2] == [2, 3]


def test_candidate_pairs_are_all_pairs_of_a_small_band_group_and_two_per_row_of_a_large_one():
    from curate.dedup.buckets import candidate_pairs

    keys = np.array([7, 3, 7, 7, 3, 9, 7], dtype=np.uint64)
    rows = np.arange(7) * 10
    a, b = candidate_pairs(keys, rows)
    got = set(zip(a.tolist(), b.tolist(), strict=True))
    assert got == {(0, 20), (0, 30), (0, 60), (20, 30), (20, 60), (30, 60), (10, 40)}
    a, b = candidate_pairs(keys, rows, all_pairs_up_to=3)  # the group of 7s (4 rows) is large now
    got = set(zip(a.tolist(), b.tolist(), strict=True))
    assert got == {(0, 20), (0, 30), (0, 60), (20, 30), (30, 60), (10, 40)}


def test_candidate_pairs_match_the_rule_on_random_keys():
    from collections import defaultdict

    from curate.dedup.buckets import candidate_pairs

    rng = np.random.default_rng(5)
    for _ in range(50):
        n = int(rng.integers(0, 200))
        keys = rng.integers(0, max(1, n // 3), n).astype(np.uint64)  # singletons, pairs and large groups
        rows = np.sort(rng.choice(10_000, n, replace=False)).astype(np.int64)
        limit = int(rng.integers(2, 8))
        groups = defaultdict(list)
        for key, row in zip(keys.tolist(), rows.tolist(), strict=True):
            groups[key].append(row)  # rows in input order, as the stable sort keeps them
        want = set()
        for members in groups.values():
            if len(members) <= limit:
                want |= {(x, y) for i, x in enumerate(members) for y in members[i + 1 :]}
            else:
                want |= {(members[0], m) for m in members[1:]} | set(zip(members, members[1:], strict=False))
        a, b = candidate_pairs(keys, rows, all_pairs_up_to=limit)
        assert set(zip(a.tolist(), b.tolist(), strict=True)) == want and (a < b).all()


def test_bucket_tasks_verify_each_pair_once_and_decide_as_with_their_own_bands(tmp_path, monkeypatch):
    from curate import data as M
    from curate.dedup import buckets
    from tests.dedup.conftest import edit, lorem, read_stage, run_phases, settings_for, write_ingest

    originals = [{"id": f"o{i}", "text": lorem(i, 150)} for i in range(12)]
    copies = [{"id": f"c{i}", "text": edit(originals[i]["text"], 0.005, i)} for i in range(0, 12, 2)]
    shards = [originals[:6] + copies[:3], originals[6:] + copies[3:]]
    results, pair_files = {}, {}
    for mode, limit in (("shared", buckets.ALL_BANDS_UP_TO), ("own", 0)):
        monkeypatch.setattr(buckets, "ALL_BANDS_UP_TO", limit)
        run_dir = tmp_path / mode / "p" / "r1"
        write_ingest(run_dir, shards)
        run_phases(settings_for(run_dir, run_dir.parent / "state", 2, exact=False))
        results[mode] = {k: d["metadata"] for k, d in read_stage(run_dir).items()}
        pair_files[mode] = [np.load(run_dir / "dedup" / "pairs" / f"{r:05d}.npy") for r in range(2)]
    assert results["shared"] == results["own"]
    assert sum(1 for m in results["own"].values() if m.get(M.DECISION) == M.REJECT) == 6
    ids = [set(zip(p["a"].tolist(), p["b"].tolist(), strict=True)) for p in pair_files["shared"]]
    assert ids[0] and ids[1] and not ids[0] & ids[1]  # each verified pair in one task's file
    own = [set(zip(p["a"].tolist(), p["b"].tolist(), strict=True)) for p in pair_files["own"]]
    assert ids[0] | ids[1] == own[0] | own[1]
