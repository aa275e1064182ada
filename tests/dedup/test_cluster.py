"""Union-find, group winners and the keep rule."""

from __future__ import annotations

import numpy as np

from curate.dedup.cluster import first_of_groups, union_find
from curate.dedup.keep import keep_rank


def components(n: int, edges: list[tuple[int, int]]) -> list[int]:
    a = np.array([e[0] for e in edges], dtype=np.int64)
    b = np.array([e[1] for e in edges], dtype=np.int64)
    return union_find(n, a, b).tolist()


def test_union_find_merges_chains_stars_and_leaves_singletons():
    assert components(8, [(6, 5), (5, 4), (4, 3), (1, 2)]) == [0, 1, 1, 3, 3, 3, 3, 7]
    assert components(5, [(4, 0), (3, 0), (2, 4)]) == [0, 1, 0, 0, 0]
    assert components(3, []) == [0, 1, 2]


def test_union_find_matches_a_reference_on_random_graphs():
    rng = np.random.RandomState(0)
    for _ in range(20):
        n = 200
        a, b = rng.randint(0, n, 150), rng.randint(0, n, 150)
        parent = list(range(n))

        def find(x, parent=parent):
            while parent[x] != x:
                x = parent[x]
            return x

        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            rx, ry = find(x), find(y)
            parent[max(rx, ry)] = min(rx, ry)
        assert union_find(n, a, b).tolist() == [find(x) for x in range(n)]


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
