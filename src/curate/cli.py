"""The `curate` command line: parses arguments and delegates; errors print as `Error: ...`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from curate import __version__
from curate.errors import ConfigError, CurateError


def _fail(exc: CurateError) -> None:
    if isinstance(exc, ConfigError):
        for line in exc.problems:
            click.echo(f"Error: {line}", err=True)
    else:
        click.echo(f"Error: {exc}", err=True)
    sys.exit(exc.exit_code)


@click.group()
@click.version_option(__version__, prog_name="curate")
def main() -> None:
    """Build clean, deduplicated, novel domain corpora for LLM training."""


@main.command()
@click.argument("pipeline_file", type=click.Path(dir_okay=False, path_type=Path))
def validate(pipeline_file: Path) -> None:
    """Check PIPELINE_FILE and print every problem found."""
    from curate.config import load_config

    try:
        pipeline = load_config(pipeline_file)
    except CurateError as exc:
        _fail(exc)
    counts = ", ".join(f"{len(v)} {k}" for k, v in pipeline.steps.items() if v)
    click.echo(f"{pipeline_file}: ok ({pipeline.name}: {counts})")


@main.command()
@click.argument("pipeline_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--run-id", help="Resume (or name) this run; default: a new id from the current time.")
@click.option("--output-dir", help="Override output.dir of the pipeline file.")
def run(pipeline_file: Path, run_id: str | None, output_dir: str | None) -> None:
    """Run PIPELINE_FILE end to end (or resume an interrupted run with --run-id)."""
    from rich.console import Console

    from curate.config import load_config
    from curate.runner import run_pipeline

    console = Console(stderr=True)
    try:
        pipeline = load_config(pipeline_file)
        manifest = run_pipeline(
            pipeline,
            run_id=run_id,
            output_dir=output_dir,
            on_phase=lambda i, n, name: console.rule(f"[bold]phase {i}/{n}: {name}"),
        )
    except CurateError as exc:
        _fail(exc)
    _print_summary(manifest, pipeline.config.output.dir if output_dir is None else output_dir)


def _print_summary(manifest: dict, output_dir: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{manifest['pipeline']} run {manifest['run_id']}")
    for column in ("route", "stage", "reason", "documents"):
        table.add_column(column, justify="right" if column == "documents" else "left")
    for row in manifest["funnel"]:
        table.add_row(row["route"], row["stage"] or "", row["reason"] or "", str(row["documents"]))
    table.add_row("kept", "", "", str(manifest["kept"]), style="bold green")
    console = Console()
    console.print(table)
    run_dir = Path(output_dir) / manifest["pipeline"] / manifest["run_id"]
    console.print(
        f"{manifest['inputs']} documents in: {manifest['kept']} kept, {manifest['rejected']} rejected, "
        f"{manifest['review']} for review ({manifest.get('seconds', '?')} s)\n"
        f"output: {run_dir}/  (manifest.json, kept/, rejected/, review/queue.jsonl)"
    )


if __name__ == "__main__":  # pragma: no cover
    main()
