"""Sample the corpus to target proportions within a token budget, deterministically.

With target shares p_g (summing to 1) over groups g of a column (`lang`, `source`, `kind`, ...)
and a budget of B tokens, group g gets p_g·B' tokens where B' = min(B, min_g avail_g / p_g): if a
group has too little text the whole mixture shrinks so the proportions still hold. Inside a group
documents are taken in a seeded pseudo-random order until its share is filled (a document that
would overshoot is skipped), so the same seed always gives the same mixture. With `--by kind`,
the group `text` stands for every kind but `code` (`--target text=0.7,code=0.3`).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from curate.corpus import corpus_rows, corpus_tokenizer, seeded_key, tokens_of
from curate.errors import CurateError
from curate.io import write_json_atomic

COLUMNS = ["id", "text", "lang", "source", "kind", "project", "n_tokens"]


def parse_target(spec: str) -> dict[str, float]:
    """`ja=0.8,en=0.2` → {"ja": 0.8, "en": 0.2}; shares must be positive and sum to 1."""
    try:
        target = {k.strip(): float(v) for k, v in (part.split("=") for part in spec.split(","))}
    except ValueError:
        raise CurateError(
            f"--target: expected GROUP=SHARE,... such as ja=0.8,en=0.2; found {spec!r}"
        ) from None
    if any(v <= 0 for v in target.values()) or abs(sum(target.values()) - 1) > 1e-6:
        raise CurateError(f"--target: shares must be positive and sum to 1, found {target}")
    return target


def mix_group(value: str | None, by: str, target: dict[str, float]) -> str:
    """The group a row counts in: its `by` value, except that with `--by kind` a target `text`
    gathers every kind that is not `code` and not named in the target (whitepaper, blog, docs, ...),
    so `--target text=0.7,code=0.3` mixes prose and code."""
    group = value or "(none)"
    if by == "kind" and "text" in target and group not in target and group != "code":
        return "text"
    return group


def build_mix(
    pipeline_root: Path,
    by: str,
    target: dict[str, float],
    budget_tokens: int,
    seed: int,
    out_dir: Path,
    tokenizer: str | None = None,
) -> dict[str, Any]:
    """Write the mixture to `out_dir/mix.parquet` and `out_dir/mix.json`; return the summary.

    Tokens are the stored `n_tokens` counts; documents without one are counted with `tokenizer`
    (default: the pipeline's, see `curate.corpus.count.pipeline_tokenizer`)."""
    if by not in COLUMNS:
        raise CurateError(f"--by: expected one of {COLUMNS}, found {by!r}")
    candidates: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for row in corpus_rows(pipeline_root, ["id", "text", "n_tokens", by], tokenizer):
        group = mix_group(row[by], by, target)
        if group in target:
            candidates[group].append((seeded_key(seed, row["id"]), row["id"], tokens_of(row)))
    available = {g: sum(t for *_, t in candidates[g]) for g in target}
    missing = [g for g, n in available.items() if n == 0]
    if missing:
        raise CurateError(f"no kept documents with {by} = {missing}; available: {sorted(candidates)}")
    total = min(budget_tokens, *(available[g] / share for g, share in target.items()))
    chosen: set[str] = set()
    achieved: dict[str, int] = {}
    for group, share in target.items():
        quota, used = share * total, 0
        for _, doc_id, tokens in sorted(candidates[group]):
            if used + tokens <= quota * (1 + 1e-9):  # the whole group when quota = all of it
                chosen.add(doc_id)
                used += tokens
        achieved[group] = used
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = [r for r in corpus_rows(pipeline_root, COLUMNS, tokenizer) if r["id"] in chosen]
    rows.sort(key=lambda r: seeded_key(seed, r["id"]))
    pq.write_table(pa.Table.from_pylist(rows), out_dir / "mix.parquet", compression="zstd")
    mixed = sum(achieved.values()) or 1
    summary = {
        "by": by,
        "seed": seed,
        "budget_tokens": budget_tokens,
        "tokens": sum(achieved.values()),
        "documents": len(rows),
        "target": target,
        "achieved": {g: round(n / mixed, 4) for g, n in achieved.items()},
        "available_tokens": available,
        "achieved_tokens": achieved,
        "tokenizer": tokenizer or corpus_tokenizer(pipeline_root),
    }
    write_json_atomic(out_dir / "mix.json", summary)
    return summary


def build_configured_mix(run_dir: Path) -> dict[str, Any] | None:
    """Build the mixture of the run's `mix:` section (if any) over the whole corpus, into
    `out/<pipeline>/mixes/<name>/`. A mixture that cannot be built (a group without kept
    documents) is recorded as `{"error": ...}` in its mix.json and does not fail the run."""
    import yaml

    config = yaml.safe_load((run_dir / "config.resolved.yaml").read_text(encoding="utf-8")) or {}
    mix = config.get("mix")
    if not mix:
        return None
    root, out_dir = run_dir.parent, run_dir.parent / "mixes" / mix["name"]
    try:
        return build_mix(root, mix["by"], mix["target"], mix["budget_tokens"], mix["seed"], out_dir)
    except CurateError as exc:
        out_dir.mkdir(parents=True, exist_ok=True)
        summary = {"by": mix["by"], "target": mix["target"], "error": str(exc)}
        write_json_atomic(out_dir / "mix.json", summary)
        return summary
