"""The dedup phases end to end: planted duplicates, the keep rule, bad input, pass-through."""

from __future__ import annotations

import hashlib

from curate import data as M
from curate.config import parse_config
from curate.dedup.minhash import MinhashDedup
from curate.dedup.plan import dedup_phases
from curate.phase import RunContext
from tests.dedup.conftest import edit, lorem


def meta(doc: dict) -> dict:
    return doc.get("metadata", {})


def test_planted_duplicates_are_found_across_tasks(dedup_run):
    originals = {f"o{i}": lorem(i, 150) for i in range(12)}
    docs_kind, copy_kind = {"kind": "docs"}, {"kind": "news"}  # the keep rule prefers docs over news
    shard0 = [{"id": k, "text": t, "metadata": docs_kind} for k, t in list(originals.items())[:6]]
    shard1 = [{"id": k, "text": t, "metadata": docs_kind} for k, t in list(originals.items())[6:]]
    shard0 += [{"id": "exact-of-o7", "text": "  " + originals["o7"].upper() + "\n", "metadata": copy_kind}]
    shard1 += [{"id": "near-of-o1", "text": edit(originals["o1"], 0.01, 1), "metadata": copy_kind}]
    shard0 += [{"id": "near-of-o9", "text": edit(originals["o9"], 0.01, 2), "metadata": copy_kind}]
    shard1 += [{"id": "far-from-o2", "text": edit(originals["o2"], 0.3, 3), "metadata": copy_kind}]
    docs = dedup_run([shard0, shard1])
    assert len(docs) == 16
    drops = {k: meta(d) for k, d in docs.items() if meta(d).get(M.DECISION) == M.REJECT}
    assert set(drops) == {"exact-of-o7", "near-of-o1", "near-of-o9"}
    assert drops["exact-of-o7"][M.REASON] == "exact_duplicate" and drops["exact-of-o7"][M.DUP_OF] == "o7"
    for dup, orig in (("near-of-o1", "o1"), ("near-of-o9", "o9")):
        assert drops[dup][M.REASON] == "near_duplicate" and drops[dup][M.STAGE] == "dedup"
        assert drops[dup][M.DUP_OF] == orig
        assert 0.8 <= drops[dup][M.DUP_SIMILARITY] < 1.0
        assert drops[dup][M.CLUSTER_ID] == meta(docs[orig])[M.CLUSTER_ID]  # the kept one heads the cluster
    assert M.CLUSTER_ID not in meta(docs["o3"]) and M.DECISION not in meta(docs["far-from-o2"])
    for d in docs.values():  # the SHA-1 of the default normalization, lowercase hex
        normalized = " ".join(d["text"].casefold().split()).encode()
        assert meta(d)[M.CONTENT_SHA1] == hashlib.sha1(normalized).hexdigest()
    assert meta(docs["exact-of-o7"])[M.CONTENT_SHA1] == meta(docs["o7"])[M.CONTENT_SHA1]


def test_keep_rule_prefers_kind_then_length_then_earliest(dedup_run):
    text = lorem(1, 200)
    docs = dedup_run(
        [
            [
                {
                    "id": "news",
                    "text": text,
                    "metadata": {"kind": "news", "fetched_at": "2024-01-01T00:00:00Z"},
                },
                {
                    "id": "paper",
                    "text": text,
                    "metadata": {"kind": "whitepaper", "fetched_at": "2025-06-01T00:00:00Z"},
                },
                {"id": "late", "text": lorem(2, 200), "metadata": {"fetched_at": "2025-02-01T00:00:00Z"}},
                {"id": "early", "text": lorem(2, 200), "metadata": {"fetched_at": "2024-02-01T00:00:00Z"}},
                {"id": "short", "text": lorem(3, 200)},
                {"id": "long", "text": lorem(3, 200) + " and a few more words here"},
            ]
        ]
    )
    assert meta(docs["news"])[M.DUP_OF] == "paper" and M.DECISION not in meta(docs["paper"])
    assert meta(docs["late"])[M.DUP_OF] == "early"
    assert meta(docs["short"])[M.DUP_OF] == "long" and meta(docs["short"])[M.REASON] == "near_duplicate"


def test_bad_input_is_handled_with_a_reason(dedup_run):
    giant = lorem(5, 400_000)  # ~3 MB: signed on its first max_chars characters
    docs = dedup_run(
        [
            [
                {"id": "empty", "text": ""},
                {"id": "blank", "text": " \n\t "},
                {"id": "one", "text": "Bitcoin"},
                {"id": "one-again", "text": "bitcoin!"},
                {"id": "symbols", "text": "$$$ --- ### !!!"},
                {"id": "giant", "text": giant},
                {"id": "giant-copy", "text": giant[:-5]},
                {"id": "ja-word-mode", "text": "暗号資産の自己管理では秘密鍵を安全に保管することが重要です"},
            ]
        ],
        shingle="word",  # the default `auto` would shingle the Japanese text by character
    )
    assert len(docs) == 8
    assert meta(docs["empty"])[M.REASON] == meta(docs["blank"])[M.REASON] == "empty_text"
    assert meta(docs["one"])["dedup_note"] == "short_text"
    assert meta(docs["one"])[M.DUP_OF] == "one-again"  # one shingle each, the same; the longer is kept
    assert meta(docs["symbols"])["dedup_note"] == "no_shingles" and M.DECISION not in meta(docs["symbols"])
    assert meta(docs["giant"])["dedup_note"] == "minhash_truncated"
    assert meta(docs["giant-copy"])[M.DUP_OF] == "giant"
    assert meta(docs["ja-word-mode"])["dedup_note"] == "short_text"


def test_japanese_near_duplicates_with_character_shingles(dedup_run):
    a = (
        "暗号資産の自己管理では、秘密鍵を安全に保管することが最も重要です。" * 3
        + "バックアップは複数の場所に。"
    )
    b = a.replace("最も重要", "最も大切", 1)  # same length: the keep rule falls back to input order
    c = "分散型取引所では流動性提供者が手数料を受け取り、価格は自動マーケットメーカーが決めます。" * 3
    docs = dedup_run(
        [[{"id": "a", "text": a}, {"id": "b", "text": b}, {"id": "c", "text": c}]], shingle="char", ngram=5
    )
    assert meta(docs["b"])[M.REASON] == "near_duplicate" and meta(docs["b"])[M.DUP_OF] == "a"
    assert M.DECISION not in meta(docs["c"]) and "dedup_note" not in meta(docs["a"])


def test_decided_documents_pass_through_untouched(dedup_run):
    text = lorem(8, 100)
    rejected = {"decision": "reject", "stage": "filters", "reason": "too_short"}
    docs = dedup_run([[{"id": "r", "text": text, "metadata": rejected}, {"id": "k", "text": text}]])
    assert meta(docs["r"]) == rejected
    assert M.DECISION not in meta(docs["k"])


def test_without_dedup_steps_documents_are_copied(dedup_run):
    docs = dedup_run(
        [[{"id": "a", "text": "x y z"}, {"id": "b", "text": "x y z"}]], exact=False, minhash=False
    )
    assert set(docs) == {"a", "b"} and all(not meta(d) for d in docs.values())


def test_yaml_options_reach_the_phases(tmp_path):
    config = parse_config(
        {
            "name": "p",
            "executor": {"tasks": 3},
            "sources": [{"files": {"paths": [str(tmp_path / "*.txt")]}}],
            "dedup": [
                {"exact": {"normalize": ["lowercase", "whitespace", "punctuation"]}},
                {
                    "minhash": {
                        "threshold": 0.7,
                        "num_perm": 64,
                        "shingle": "char",
                        "ngram": 4,
                        "keep": ["earliest"],
                        "index": False,
                    }
                },
            ],
        }
    )
    ctx = RunContext(config, "r1", tmp_path / "r1", tmp_path / "state", 3, 2)
    phases = dedup_phases(config.steps["dedup"], ctx)
    assert [(p.name, p.tasks) for p in phases] == [
        ("dedup-signatures", 3),
        ("dedup-buckets", 3),
        ("dedup-cluster", 1),
        ("dedup-filter", 3),
    ]
    settings = phases[0].steps[1].settings
    assert settings.exact.normalize == ("lowercase", "punctuation", "whitespace")
    assert (
        isinstance(settings.minhash, MinhashDedup)
        and settings.minhash.bands_rows[0] * settings.minhash.bands_rows[1] <= 64
    )
    assert settings.order == ["exact", "minhash"]
    assert (tmp_path / "r1" / "dedup" / "index_snapshot.json").exists()  # frozen at plan time (exact indexes)


def test_a_chain_of_near_copies_drops_only_what_a_kept_document_resembles(dedup_run):
    from curate.dedup.shingles import batch_shingles

    a = lorem(40, 300)
    b = edit(a, 0.012, 41)  # B ~ A
    words = b.split()
    c = " ".join(w + "y" if i % 50 == 25 else w for i, w in enumerate(words))  # C ~ B, C !~ A

    def jaccard(x: str, y: str) -> float:
        sx, sy = (set(batch_shingles([t.lower()]).hashes.tolist()) for t in (x, y))
        return len(sx & sy) / len(sx | sy)

    assert jaccard(a, b) >= 0.8 and jaccard(b, c) >= 0.8 and jaccard(a, c) < 0.8
    docs = dedup_run([[{"id": "a", "text": a}, {"id": "b", "text": b}, {"id": "c", "text": c}]], keep=[])
    assert meta(docs["b"])[M.DUP_OF] == "a" and meta(docs["b"])[M.DUP_SIMILARITY] >= 0.8
    assert M.DECISION not in meta(docs["a"]) and M.DECISION not in meta(docs["c"])  # C resembles no kept one
