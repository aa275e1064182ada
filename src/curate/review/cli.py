"""`curate review ...`: export queues, import labels, apply decisions, train a relevance classifier.

RUN is a complete run directory, `out/<pipeline>/<run-id>/`. Commands only parse arguments and
delegate; expected failures print `Error: ...` and exit with the error's code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from curate.cli_group import CurateGroup
from curate.io import stamp

RUN_ARG = click.argument("run_dir", metavar="RUN", type=click.Path(file_okay=False, path_type=Path))
EXTENSIONS = {"labelstudio": "json", "csv": "csv", "jsonl": "jsonl"}  # export formats (formats.FORMATS)


def _agreement_line(resolved: dict[str, Any]) -> str:
    agree = resolved.get("agreement") or {}
    if not agree.get("documents"):
        return "agreement: no document has two or more annotators"
    alpha = "n/a" if agree["alpha"] is None else f"{agree['alpha']:.3f}"
    return (
        f"agreement over {agree['documents']} document(s) with 2+ annotators: "
        f"pairwise {agree['pairwise']:.1%}, Krippendorff's alpha {alpha}, unanimous {agree['unanimous']}"
    )


@click.group("review", cls=CurateGroup)
def review_group() -> None:
    """Human review: export queues, import labels, apply decisions, train a relevance classifier."""


@review_group.command("export")
@RUN_ARG
@click.option(
    "--format", "fmt", type=click.Choice(list(EXTENSIONS)), default="labelstudio", show_default=True
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Default: RUN/review/export/."
)
@click.option(
    "--audit-kept", type=click.IntRange(0), help="Kept documents to audit (default: review.audit_kept)."
)
@click.option("--audit-rejected", type=click.IntRange(0), help="Rejected documents to audit.")
@click.option("--max-review", type=click.IntRange(0), help="At most this many documents sent to review.")
@click.option("--max-chars", type=click.IntRange(200), help="Characters shown per document.")
@click.option("--seed", type=int, help="Seed of the audit sample.")
def export(run_dir: Path, fmt: str, output: Path | None, **overrides: Any) -> None:
    """Write RUN's review queue for Label Studio, a spreadsheet (CSV) or JSONL."""
    from curate.review.formats import task_fields, write_export
    from curate.review.queue import build_queue, review_config
    from curate.review.run import RunDir
    from curate.review.store import Store

    run = RunDir.open(run_dir)
    config = review_config(run, overrides)
    with Store.for_state_dir(run.state_dir) as store:
        queue = build_queue(run, config, store.decided())
    output = output or run.path / "review" / "export" / f"{fmt}-{stamp()}.{EXTENSIONS[fmt]}"
    files = write_export([task_fields(i, run, config.max_chars) for i in queue.items], fmt, output)
    counts = ", ".join(f"{n} {q}" for q, n in sorted(queue.counts().items())) or "nothing"
    click.echo(f"queued {len(queue.items)} document(s): {counts}")
    if queue.skipped_decided:
        click.echo(f"left out {queue.skipped_decided} document(s) already decided")
    for path in files:
        click.echo(f"wrote {path}")
    click.echo(f"after review: curate review import FILE --run {run.path}")


@review_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--run",
    "run_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The run the labels belong to (its directory).",
)
@click.option("--annotator", help="Who labelled rows that name no annotator (default: your user name).")
def import_(file: Path, run_dir: Path, annotator: str | None) -> None:
    """Import reviewers' labels (Label Studio JSON/JSON-MIN/CSV export, curate CSV/JSONL)."""
    from curate.review.labels import import_labels
    from curate.review.run import RunDir

    report = import_labels(file, RunDir.open(run_dir), annotator)
    if report.already_imported:
        click.echo(f"{file}: already imported on {report.already_imported}; nothing changed")
        return
    click.echo(
        f"{file} ({report.format}): {report.labels} label(s): {report.added} new, {report.updated} updated, "
        f"{report.unchanged} unchanged; {report.unreviewed} row(s) not reviewed yet"
    )
    resolved = report.resolved
    click.echo(f"decisions on {resolved['documents']} document(s): {json.dumps(resolved['decisions'])}")
    click.echo(f"resolution: {json.dumps(resolved['rules'])}; {_agreement_line(resolved)}")
    click.echo(f"next: curate review apply {run_dir}")


@review_group.command("apply")
@RUN_ARG
@click.option("--by", help="Who applies (recorded in the audit trail; default: your user name).")
def apply(run_dir: Path, by: str | None) -> None:
    """Fold the decisions on RUN's documents into new kept/rejected shards."""
    from curate.review.apply import apply_decisions
    from curate.review.run import RunDir

    report = apply_decisions(RunDir.open(run_dir), by)
    if report.apply_id is None:
        click.echo(f"nothing to apply ({report.already_applied} decision(s) already applied)")
        return
    moved = ", ".join(f"{n} {k}" for k, n in sorted(report.moved.items())) or "none"
    click.echo(f"apply {report.apply_id}: moved {moved}; {report.confirmed} confirmed the machine")
    click.echo(f"resolution: {json.dumps(report.resolved['rules'])}; {_agreement_line(report.resolved)}")
    click.echo(f"audit trail: {run_dir / 'review' / 'audit' / (report.apply_id + '.jsonl')}")


@review_group.command("train")
@click.argument(
    "pipeline_dir", metavar="PIPELINE_DIR", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Model file (default: PIPELINE_DIR/state/relevance.bin).",
)
@click.option(
    "--weak-labels", is_flag=True, help="Also learn from kept (relevant) vs filter-rejected documents."
)
@click.option("--test-fraction", type=click.FloatRange(0.05, 0.5), default=0.2, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--epoch", type=click.IntRange(1), default=25, show_default=True)
@click.option("--lr", type=click.FloatRange(0.01, 2.0), default=0.5, show_default=True)
@click.option("--word-ngrams", type=click.IntRange(1, 5), default=2, show_default=True)
def train(pipeline_dir: Path, output: Path | None, weak_labels: bool, **params: Any) -> None:
    """Train a fastText relevance classifier from the decisions of PIPELINE_DIR (out/<pipeline>)."""
    from curate.review.train import train_relevance

    if (pipeline_dir / "manifest.json").is_file():  # a run directory: use its pipeline
        pipeline_dir = pipeline_dir.parent
    output = output or pipeline_dir / "state" / "relevance.bin"
    result = train_relevance(pipeline_dir, output, weak_labels=weak_labels, **params)
    sizes = result["examples"]
    click.echo(f"examples: train {json.dumps(sizes['train'])}, held out {json.dumps(sizes['test'])}")
    for label, m in result["metrics"].items():
        click.echo(
            f"{label:>10}: precision {m['precision']:.3f}  recall {m['recall']:.3f}  "
            f"f1 {m['f1']:.3f}  (support {m['support']})"
        )
    if result["auc"] is not None:
        click.echo(f"ROC AUC of the relevant probability: {result['auc']:.3f}")
    click.echo(f"wrote {output} and {output.with_suffix('.json')}")
    click.echo(f"use it: filters: [- relevance: {{model_path: {output}, min_score: 0.5, unsure: 0.2}}]")
