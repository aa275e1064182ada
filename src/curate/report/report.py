"""`report.html`: what a run (or the whole corpus) did, readable in a minute, no network needed.

Sections: totals, the funnel per stage with top reasons, the data mix (by category, source,
kind, project, and programming language for documents of kind `code`: documents, tokens, % of
tokens, mean tokens per document, like the tables of model cards), the language mix, the
membership score histogram with its threshold and review band, near-duplicate cluster sizes,
and fetch errors by host.
"""

from __future__ import annotations

import json
from collections import Counter
from html import escape
from pathlib import Path
from typing import Any

import yaml

from curate.io import write_text_atomic
from curate.report import svg
from curate.report.stats import RunStats, collect

CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px}
th{background:#f0f3f7}td.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;gap:1em}.card{background:#f0f3f7;padding:.6em 1.2em;border-radius:6px}
.card b{display:block;font-size:1.6em}.empty{color:#888}
"""


def _table(headers: list[str], rows: list[list[Any]], table_id: str) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='n'>{v:,}</td>" if isinstance(v, int) else f"<td>{escape(str(v))}</td>" for v in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table id='{table_id}'><tr>{head}</tr>{body}</table>"


def thresholds(run_dir: Path) -> dict[str, float]:
    """Decision threshold and review-band edge of the run's membership step, where known: as
    recorded with the scored documents (calibrated runs), else from the configuration."""
    import pyarrow.parquet as pq

    for shard in sorted(run_dir.glob("*/*.parquet")):
        table = pq.read_table(shard, columns=["membership_threshold", "membership_review_from"])
        for threshold, review_from in zip(*(c.to_pylist() for c in table.columns), strict=True):
            if threshold is not None:
                lines = {"threshold": threshold}
                if review_from is not None and review_from < threshold:
                    lines["review_from"] = review_from
                return lines
    config = yaml.safe_load((run_dir / "config.resolved.yaml").read_text(encoding="utf-8"))
    for step in config.get("membership") or []:
        options = next(iter(step.values())) or {}
        if options.get("threshold") is not None:
            lines = {"threshold": options["threshold"]}
            if options.get("band"):
                lines["review_from"] = options["threshold"] - options["band"]
            return lines
    return {}


def _mix_section(stats: RunStats) -> str:
    parts = []
    dimensions = (
        "category",
        "source",
        "kind",
        "project",
        "code language",
        "lang",
        "lang × source",
        "lang × kind",
    )
    for dimension in dimensions:
        groups = stats.mix.get(dimension, {})
        if not groups or list(groups) == ["(none)"]:
            continue
        total = sum(m.tokens for m in groups.values()) or 1
        rows = [
            [name, m.docs, m.tokens, f"{100 * m.tokens / total:.1f}%", f"{m.tokens / max(m.docs, 1):,.0f}"]
            for name, m in sorted(groups.items(), key=lambda kv: -kv[1].tokens)
        ]
        estimated = (
            " (≈ estimated from bytes where not scored)" if any(m.estimated for m in groups.values()) else ""
        )
        parts.append(f"<h3>by {dimension}{estimated}</h3>")
        if dimension == "kind":
            parts.append(svg.bars([(name, m.tokens) for name, m in groups.items()], unit=" tok"))
        parts.append(
            _table(
                [dimension, "docs", "tokens", "% of tokens", "tokens/doc"],
                rows,
                f"mix-{dimension.replace(' × ', '-x-').replace(' ', '-')}",
            )
        )
    return "".join(parts) or "<p class='empty'>no kept documents</p>"


def _language_funnel(stats: RunStats) -> str:
    """Per language: documents in, kept, rejected, to review, and the top drop reasons."""
    rows = [
        [
            lang,
            sum(routes.values()),
            routes["kept"],
            routes["rejected"],
            routes["review"],
            ", ".join(f"{r} ({n})" for r, n in stats.lang_reasons[lang].most_common(4)),
        ]
        for lang, routes in sorted(stats.lang_routes.items(), key=lambda kv: -sum(kv[1].values()))
    ]
    return _table(["language", "in", "kept", "rejected", "review", "top drop reasons"], rows, "funnel-lang")


def _mixtures(pipeline_root: Path) -> str:
    """The mixtures built from the corpus (`mixes/*/mix.json`): target and achieved token shares."""
    parts = []
    for path in sorted(pipeline_root.glob("mixes/*/mix.json")):
        mix = json.loads(path.read_text(encoding="utf-8"))
        name = path.parent.name
        if mix.get("error"):
            parts.append(
                f"<h3>{escape(name)} (by {escape(mix['by'])})</h3><p>not built: {escape(mix['error'])}</p>"
            )
            continue
        tokens = mix.get("achieved_tokens", {})
        rows = [
            [
                group,
                f"{100 * share:.1f}%",
                f"{100 * mix['achieved'].get(group, 0):.1f}%",
                tokens.get(group, 0),
            ]
            for group, share in mix["target"].items()
        ]
        parts.append(
            f"<h3>{escape(name)} (by {escape(mix['by'])}, {mix['tokens']:,} tokens, {mix['documents']:,} "
            f"documents, tokenizer {escape(str(mix.get('tokenizer', '?')))})</h3>"
            + _table([mix["by"], "target", "achieved", "tokens"], rows, f"mixture-{name}")
        )
    return (
        "".join(parts) or "<p class='empty'>no mixture configured (mix: in the pipeline, or curate mix)</p>"
    )


def render(
    stats: RunStats, title: str, lines: dict[str, float], extra: str = "", pipeline_root: Path | None = None
) -> str:
    """The HTML page for `stats`."""
    cards = "".join(
        f"<div class='card'>{label}<b id='total-{label}'>{value:,}</b></div>"
        for label, value in (
            ("inputs", stats.inputs),
            ("kept", stats.routes["kept"]),
            ("rejected", stats.routes["rejected"]),
            ("review", stats.routes["review"]),
        )
    )
    funnel = _table(
        ["stage", "in", "dropped", "to review", "out", "top reasons"],
        [
            [r["stage"], r["in"], r["dropped"], r["review"], r["out"], r["top_reasons"]]
            for r in stats.funnel()
        ],
        "funnel",
    )
    total_lang = sum(stats.languages.values()) or 1
    langs = _table(
        ["language", "docs", "%"],
        [[lang, n, f"{100 * n / total_lang:.1f}%"] for lang, n in stats.languages.most_common()],
        "languages",
    )
    sizes = Counter(stats.clusters.values())
    clusters = (
        svg.bars([(f"size {size}", n) for size, n in sorted(sizes.items())])
        if sizes
        else "<p class='empty'>no near-duplicate clusters</p>"
    )
    by_host = sorted(stats.host_errors.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    hosts = _table(
        ["host", "failed", "reasons"],
        [
            [host, sum(c.values()), ", ".join(f"{r} ({n})" for r, n in c.most_common(3))]
            for host, c in by_host[:30]
        ],
        "hosts",
    )
    if len(by_host) > 30:
        rest = sum(sum(c.values()) for _, c in by_host[30:])
        hosts += f"<p>and {len(by_host) - 30} more hosts with {rest} failed fetches</p>"
    return f"""<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>
<style>{CSS}</style></head><body>
<h1>{escape(title)}</h1><div class='cards'>{cards}</div>{extra}
<h2>Funnel</h2>{funnel}
<h2>Data mix (kept)</h2>{_mix_section(stats)}
<h2>Languages</h2>{langs}
<h2>Funnel by language</h2>{_language_funnel(stats)}
<h2>Mixtures</h2>{_mixtures(pipeline_root) if pipeline_root else ""}
<h2>Membership scores</h2>{svg.histogram(stats.scores, lines=lines)}
<h2>Near-duplicate clusters</h2>{clusters}
<h2>Fetch errors by host</h2>{hosts}
</body></html>"""


def write_run_report(run_dir: Path) -> Path:
    """Write `run_dir/report.html` for a complete run."""
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    stats = collect([run_dir])
    title = f"{manifest['pipeline']} · run {manifest['run_id']}"
    return write_text_atomic(
        run_dir / "report.html", render(stats, title, thresholds(run_dir), pipeline_root=run_dir.parent)
    )


def write_corpus_report(pipeline_root: Path) -> Path:
    """Write `pipeline_root/report.html`: every complete run, and the data mix of the whole corpus."""
    run_dirs = sorted(p.parent for p in pipeline_root.glob("*/manifest.json"))
    stats = collect(run_dirs)
    runs = []
    for run_dir in run_dirs:
        m = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
        runs.append([m["run_id"], m["inputs"], m["kept"], m["rejected"], m["review"]])
    extra = "<h2>Runs</h2>" + _table(["run", "inputs", "kept", "rejected", "review"], runs, "runs")
    lines = thresholds(run_dirs[-1]) if run_dirs else {}
    return write_text_atomic(
        pipeline_root / "report.html",
        render(stats, f"{pipeline_root.name} · corpus", lines, extra, pipeline_root),
    )
