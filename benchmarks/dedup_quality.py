"""Dedup quality: precision, recall and F1 of curate's MinHash pairs against all-pairs exact Jaccard.

Truth is computed here, independently of curate's code: every document's word n-grams (tokens
`[^\\W_]+` of the lower-cased text, n = 5, joined by spaces, hashed with xxh64), then the
exact Jaccard of *every* pair through a sparse product X·Xᵀ of the document × shingle matrix.
A pair is a true duplicate when J ≥ threshold (0.8).

curate runs its real dedup phases (signatures → buckets → cluster → filter, two tasks, no
persistent index) on the same documents. "Pairs found" are the pairs curate judges duplicates:
every pair inside one of its clusters whose similarity, verified by curate (exact Jaccard of its
shingle sets), is at or above the threshold; that is what `--pairs-out` writes. All pairs inside
its clusters, unverified (chains included), are reported next to them as `*_cluster`.

Pair scores grade clusters; what the corpus ends up with is graded apart (`outcome`): `lost`,
dropped documents that no kept document resembles at J ≥ threshold (dropped for nothing), and
`left`, true pairs whose two documents are both kept (duplicates the corpus still holds). Star
clusters (`curate.dedup.cluster`) split a chain A ~ B ~ C that does not hold together, which
counts as missed pairs (B, C) above and as no loss here; connected components count it as found
and drop C although nothing kept resembles it.

Corpora: the real one defaults to the Debian copyright files (/usr/share/doc/*/copyright: many
packages ship the same licence texts with small changes) or is given with `--corpus` (a folder
of text files, or a JSONL file of {"id", "text"}); the planted one takes documents of the real
corpus and adds copies with random word edits (substitute / delete / insert) at known rates.

    python benchmarks/dedup_quality.py [--corpus PATH] [--pairs-out FILE] [--quick]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, write_result  # noqa: E402

RATES = (0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2)  # word edit rates of the planted copies
_TOKEN = re.compile(r"[^\W_]+")


def load_corpus(path: str | None, limit: int | None = None) -> list[tuple[str, str]]:
    """(id, text) pairs from a folder of text files, a JSONL file, or the Debian copyright files."""
    if path and Path(path).is_file():
        docs = []
        with open(path, encoding="utf-8") as f:
            for i, line in enumerate(f):
                if line.strip():
                    row = json.loads(line)
                    docs.append((str(row.get("id", i)), row["text"]))
    else:
        files = sorted(Path(path).rglob("*")) if path else sorted(Path("/usr/share/doc").glob("*/copyright"))
        docs = [(str(p), p.read_text(encoding="utf-8", errors="replace")) for p in files if p.is_file()]
    docs = [(i, t) for i, t in docs if t.strip()]
    return docs[:limit] if limit else docs


def reference_shingles(text: str, n: int = 5) -> np.ndarray:
    """Distinct hashed word n-grams, computed independently of curate."""
    import xxhash

    tokens = _TOKEN.findall(text.lower())
    grams = [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)] or (
        [" ".join(tokens)] if tokens else []
    )
    return np.unique(
        np.fromiter((xxhash.xxh64_intdigest(g) for g in grams), dtype=np.uint64, count=len(grams))
    )


def truth_pairs(texts: list[str], threshold: float, n: int = 5) -> dict[tuple[int, int], float]:
    """{(i, j): J} for every pair i < j with exact Jaccard ≥ threshold."""
    from scipy import sparse

    sets = [reference_shingles(t, n) for t in texts]
    sizes = np.array([len(s) for s in sets])
    vocab, cols = np.unique(np.concatenate(sets) if sets else np.zeros(0, np.uint64), return_inverse=True)
    rows = np.repeat(np.arange(len(sets)), sizes)
    x = sparse.csr_matrix((np.ones(len(cols), np.float32), (rows, cols)), shape=(len(sets), len(vocab)))
    inter = sparse.triu(x @ x.T, k=1).tocoo()
    jac = inter.data / (sizes[inter.row] + sizes[inter.col] - inter.data)
    keep = jac >= threshold - 1e-9
    pairs = zip(inter.row[keep].tolist(), inter.col[keep].tolist(), strict=True)
    return dict(zip(pairs, jac[keep].tolist(), strict=True))


def cluster_pairs(labels: list) -> set[tuple[int, int]]:
    """All pairs (i < j) of documents sharing a label (None = alone)."""
    groups: dict = {}
    for i, label in enumerate(labels):
        if label is not None:
            groups.setdefault(label, []).append(i)
    return {(a, b) for members in groups.values() for k, a in enumerate(members) for b in members[k + 1 :]}


def scores(found: set, truth: set) -> dict[str, float]:
    tp = len(found & truth)
    p = tp / len(found) if found else 1.0
    r = tp / len(truth) if truth else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "pairs": len(found)}


def outcome(kept: list[bool], truth: set) -> dict[str, float]:
    """What a dedup leaves in the corpus, whatever its clusters: `lost`, dropped documents with no
    kept document at J ≥ threshold (dropped for nothing: a chain A ~ B ~ C that drops C for A);
    `left`, true pairs with both documents kept (duplicates the corpus still holds)."""
    partners: dict[int, list[int]] = {}
    for a, b in truth:
        partners.setdefault(a, []).append(b)
        partners.setdefault(b, []).append(a)
    dropped = [i for i, k in enumerate(kept) if not k]
    lost = sum(1 for i in dropped if not any(kept[j] for j in partners.get(i, ())))
    left = sum(1 for a, b in truth if kept[a] and kept[b])
    return {
        "dropped": len(dropped),
        "lost": lost,
        "lost_share": lost / len(dropped) if dropped else 0.0,
        "left": left,
        "left_share": left / len(truth) if truth else 0.0,
    }


def run_curate(texts: list[str], work: Path, threshold: float, num_perm: int, tasks: int = 2, **mh):
    """Run curate's dedup phases; return (judged pairs {(i, j): similarity}, cluster label per doc,
    kept flag per doc)."""
    from datatrove.executor import LocalPipelineExecutor

    from curate import data as M
    from curate.dedup.buckets import run_tables
    from curate.dedup.minhash import MinhashDedup
    from curate.dedup.plan import DedupSettings, phases_for
    from curate.dedup.table import TableSet
    from curate.dedup.verify import shingle_counts, similarity
    from curate.stageio import StageJsonlReader

    write_shards(work / "stages" / "ingest", texts, tasks)
    settings = DedupSettings(
        str(work / "stages" / "ingest"),
        str(work / "stages" / "dedup"),
        str(work / "dedup"),
        str(work / "state"),
        str(work),
        "quality",
        tasks,
        minhash=MinhashDedup(threshold=threshold, num_perm=num_perm, index=False, **mh),
        order=["minhash"],
    )
    for phase in phases_for(settings):
        LocalPipelineExecutor(
            phase.steps,
            tasks=phase.tasks,
            workers=min(2, phase.tasks),
            logging_dir=str(work / "logs" / phase.name),
        ).run()
    labels: list = [None] * len(texts)
    kept = [True] * len(texts)
    for doc in StageJsonlReader(settings.output_dir).run(None, 0, 1):
        labels[int(doc.id)] = doc.metadata.get("minhash_cluster")
        kept[int(doc.id)] = doc.metadata.get(M.DECISION) != M.REJECT
    # judged pairs: every pair inside a cluster whose similarity, verified by curate, is >= threshold
    tables = TableSet(run_tables(settings))
    row_of = {int(i): r for r, i in enumerate(tables.ids(np.arange(tables.n)))}
    candidates = np.array(sorted(cluster_pairs(labels)), dtype=np.int64).reshape(-1, 2)
    a, b = [np.array([row_of[i] for i in candidates[:, k]], dtype=np.int64) for k in (0, 1)]
    sim = similarity(tables, shingle_counts(tables, 0), a, b, num_perm)
    keep = sim >= threshold - 1e-6
    verified = {(int(i), int(j)): float(x) for (i, j), x in zip(candidates[keep], sim[keep], strict=True)}
    return verified, labels, kept


def write_shards(folder: Path, texts: list[str], tasks: int) -> None:
    """Write texts as datatrove JSONL shards (id = index) for the dedup phases to read."""
    import gzip

    folder.mkdir(parents=True, exist_ok=True)
    for rank in range(tasks):
        with gzip.open(folder / f"{rank:05d}.jsonl.gz", "wt", encoding="utf-8", compresslevel=1) as f:
            for i in range(rank, len(texts), tasks):
                f.write(json.dumps({"id": str(i), "text": texts[i], "metadata": {}}) + "\n")


def planted(docs: list[str], bases: int, seed: int = 0) -> tuple[list[str], list[float]]:
    """`bases` documents of ≥ 100 words, each with one copy per edit rate in `RATES`."""
    rng = random.Random(seed)
    pool = sorted({t for t in docs if len(t.split()) >= 100})
    chosen = rng.sample(pool, min(bases, len(pool)))
    vocab = [w for t in chosen for w in t.split()]
    texts, rates = [], []
    for base in chosen:
        texts.append(base)
        rates.append(0.0)
        for rate in RATES:
            out = []
            for w in base.split():
                r = rng.random()
                if r < rate / 3:
                    continue  # delete
                out.append(rng.choice(vocab) if r < 2 * rate / 3 else w)  # substitute
                if r > 1 - rate / 3:
                    out.append(rng.choice(vocab))  # insert
            texts.append(" ".join(out))
            rates.append(rate)
    return texts, rates


def evaluate(name: str, texts: list[str], args, work: Path) -> dict:
    start = time.perf_counter()
    truth = truth_pairs(texts, args.threshold)
    verified, labels, kept = run_curate(texts, work / name, args.threshold, args.num_perm)
    found = scores(set(verified), set(truth))
    clusters = scores(cluster_pairs(labels), set(truth))
    left = outcome(kept, set(truth))
    print(
        f"{name}: {len(texts)} docs, {len(truth)} true pairs, P {found['precision']:.4f} "
        f"R {found['recall']:.4f} F1 {found['f1']:.4f} (clusters: F1 {clusters['f1']:.4f}); "
        f"dropped {left['dropped']}: {left['lost']} with no near copy kept, "
        f"{left['left']} duplicate pairs left"
    )
    return {
        "docs": len(texts),
        "true_pairs": len(truth),
        **found,
        **{f"{k}_cluster": v for k, v in clusters.items()},
        **left,
        "seconds": time.perf_counter() - start,
        "_verified": verified,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="folder of text files, or JSONL with id and text")
    parser.add_argument(
        "--pairs-out", help="write the pairs judged duplicates as TSV (id_a, id_b, similarity)"
    )
    parser.add_argument("--quick", action="store_true", help="small corpora, a few seconds")
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--num-perm", type=int, default=128)
    args = parser.parse_args()
    docs = load_corpus(args.corpus, 200 if args.quick else None)
    with tempfile.TemporaryDirectory(prefix="dedup-quality-") as tmp:
        real = evaluate("real", [t for _, t in docs], args, Path(tmp))
        texts, _ = planted([t for _, t in docs], 25 if args.quick else 150)
        plant = evaluate("planted", texts, args, Path(tmp))
    if args.pairs_out:
        with open(args.pairs_out, "w", encoding="utf-8") as f:
            for (a, b), sim in sorted(real["_verified"].items()):
                f.write(f"{docs[a][0]}\t{docs[b][0]}\t{sim:.4f}\n")
    real.pop("_verified"), plant.pop("_verified")
    result = {
        "precision": real["precision"],
        "recall": real["recall"],
        "f1": real["f1"],
        "f1_planted": plant["f1"],
        "lost_share": real["lost_share"],
        "lost_share_planted": plant["lost_share"],
        "left_share": real["left_share"],
        "left_share_planted": plant["left_share"],
        "threshold": args.threshold,
        "num_perm": args.num_perm,
        "shingles": "word 5-grams",
        "corpus": args.corpus or "/usr/share/doc/*/copyright",
        "quick": args.quick,
        "real": real,
        "planted": {**plant, "edit_rates": list(RATES)},
        "machine": machine(),
    }
    if not args.quick or not (Path(__file__).parent / "results" / "dedup_quality.json").exists():
        write_result("dedup_quality", result)
    print(
        f"F1 at J>={args.threshold}: real corpus {real['f1']:.4f} (P {real['precision']:.4f}, "
        f"R {real['recall']:.4f}), planted {plant['f1']:.4f}; dropped with no near copy kept: "
        f"real {real['lost']}/{real['dropped']}, planted {plant['lost']}/{plant['dropped']}; "
        f"duplicate pairs left: real {real['left']}, planted {plant['left']}"
    )


if __name__ == "__main__":
    main()
