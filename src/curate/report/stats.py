"""Figures for the report, computed from a run's shards in one streaming pass.

Tokens are the target model's token counts where a document was scored (`n_tokens`), else an
estimate of UTF-8 bytes / 4 (about right for English BPE vocabularies); the report marks
estimated totals.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow.compute as pc
import pyarrow.parquet as pq

from curate.corpus import BYTES_PER_TOKEN

STAGES = ("sources", "extract", "filters", "dedup", "membership", "review")
COLUMNS = [
    "id",
    "text",
    "source",
    "kind",
    "project",
    "lang",
    "decision",
    "stage",
    "reason",
    "url",
    "minhash_cluster",
    "membership_score",
    "n_tokens",
    "metadata",
]


@dataclass
class Mix:
    docs: int = 0
    tokens: int = 0
    bytes: int = 0
    estimated: bool = False


@dataclass
class RunStats:
    """Everything the report shows, for one run or a whole corpus."""

    inputs: int = 0
    routes: Counter = field(default_factory=Counter)
    reasons: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))  # stage -> reason
    review_by_stage: Counter = field(default_factory=Counter)
    mix: dict[str, dict[str, Mix]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(Mix)))
    languages: Counter = field(default_factory=Counter)
    lang_routes: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))  # lang -> route
    lang_reasons: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))  # lang -> reason
    scores: list[float] = field(default_factory=list)
    clusters: Counter = field(default_factory=Counter)
    host_errors: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def funnel(self) -> list[dict]:
        """Per stage in flow order: documents in, dropped, sent to review, out, top reasons."""
        rows, current = [], self.inputs
        for stage in STAGES:
            dropped = sum(self.reasons[stage].values())
            review = self.review_by_stage[stage]
            if not dropped and not review and stage in ("review",):
                continue
            out = current - dropped - review
            top = ", ".join(f"{r} ({n})" for r, n in self.reasons[stage].most_common(3))
            rows.append(
                {
                    "stage": stage,
                    "in": current,
                    "dropped": dropped,
                    "review": review,
                    "out": out,
                    "top_reasons": top,
                }
            )
            current = out
        return rows


def _category(meta_json: str | None) -> str | None:
    if not meta_json:
        return None
    return json.loads(meta_json).get("category")


def _code_language(meta_json: str | None) -> str:
    language = json.loads(meta_json).get("code_language") if meta_json else None
    return language or "(unknown)"


def collect(run_dirs: list[Path], kept_only: bool = False) -> RunStats:
    """Stream the shards of `run_dirs` into a `RunStats`."""
    stats = RunStats()
    routes = ("kept",) if kept_only else ("kept", "rejected", "review")
    for run_dir in run_dirs:
        manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
        stats.inputs += manifest["kept"] if kept_only else manifest["inputs"]
        for route in routes:
            for shard in sorted((run_dir / route).glob("*.parquet")):
                for batch in pq.ParquetFile(shard).iter_batches(columns=COLUMNS, batch_size=2048):
                    nbytes = pc.binary_length(pc.cast(batch.column("text"), "binary")).to_pylist()
                    rows = batch.drop_columns(["text"]).to_pylist()
                    for row, size in zip(rows, nbytes, strict=True):
                        _add(stats, route, row, size or 0)
    return stats


def _add(stats: RunStats, route: str, row: dict, size: int) -> None:
    stats.routes[route] += 1
    if route == "rejected":
        stats.reasons[row["stage"] or "unknown"][row["reason"] or "unknown"] += 1
        if row["stage"] == "sources" and row["url"]:
            stats.host_errors[urlsplit(row["url"]).hostname or "?"][row["reason"]] += 1
    elif route == "review":
        stats.review_by_stage[row["stage"] or "unknown"] += 1
    if row["lang"]:  # every document that reached the language filter
        stats.languages[row["lang"]] += 1
    lang = row["lang"] or "(unknown)"
    stats.lang_routes[lang][route] += 1
    if route == "rejected":
        stats.lang_reasons[lang][row["reason"] or "unknown"] += 1
    if row["membership_score"] is not None:
        stats.scores.append(row["membership_score"])
    if row["minhash_cluster"]:
        stats.clusters[row["minhash_cluster"]] += 1
    if route != "kept":
        return
    tokens = row["n_tokens"]
    groups = {
        "source": row["source"],
        "kind": row["kind"],
        "project": row["project"],
        "category": _category(row["metadata"]),
        "lang": row["lang"],
        "lang × source": f"{row['lang'] or '(unknown)'} · {row['source'] or '(none)'}",
        "lang × kind": f"{row['lang'] or '(unknown)'} · {row['kind'] or '(none)'}",
    }
    if row["kind"] == "code":  # code breaks down by programming language in the data mix
        groups["code language"] = _code_language(row["metadata"])
    for dimension, value in groups.items():
        mix = stats.mix[dimension][value or "(none)"]
        mix.docs += 1
        mix.bytes += size
        mix.tokens += tokens if tokens is not None else size // BYTES_PER_TOKEN
        mix.estimated |= tokens is None
