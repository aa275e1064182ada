"""The `curate` command line: parses arguments and delegates; errors print as `Error: ...`
(`curate.cli_group`: a `CurateError` exits with its code, usage errors with 2)."""

from __future__ import annotations

from pathlib import Path

import click

from curate import __version__
from curate.cli_group import CurateGroup


@click.group(cls=CurateGroup)
@click.version_option(__version__, prog_name="curate")
def main() -> None:
    """Build clean, deduplicated, novel domain corpora for LLM training."""


@main.command()
@click.argument("pipeline_file", type=click.Path(dir_okay=False, path_type=Path))
def validate(pipeline_file: Path) -> None:
    """Check PIPELINE_FILE and print every problem found."""
    from curate.config import load_config

    pipeline = load_config(pipeline_file)
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
    pipeline = load_config(pipeline_file)
    manifest = run_pipeline(
        pipeline,
        run_id=run_id,
        output_dir=output_dir,
        on_phase=lambda i, n, name: console.rule(f"[bold]phase {i}/{n}: {name}"),
    )
    if "submitted" in manifest:
        click.echo(f"queued {len(manifest['submitted'])} Slurm jobs for run {manifest['run_id']}:")
        for script in manifest["submitted"]:
            click.echo(f"  {script}")
        click.echo(f"follow with: curate status {pipeline_file}")
        return
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


def _pipeline_root(pipeline: str, output_dir: str | None) -> Path:
    """`out/<name>` for a pipeline file or a bare pipeline name."""
    from curate.config import load_config

    if pipeline.endswith((".yaml", ".yml")) or Path(pipeline).is_file():
        loaded = load_config(pipeline)
        return Path(output_dir or loaded.config.output.dir) / loaded.name
    return Path(output_dir or "out") / pipeline


@main.command()
@click.argument("pipeline", required=False)
@click.option("--output-dir", help="Root of the runs (default: the pipeline's output.dir, or ./out).")
def status(pipeline: str | None, output_dir: str | None) -> None:
    """List the runs of PIPELINE (a pipeline file or name; default: every pipeline)."""
    from rich.console import Console
    from rich.table import Table

    from curate.state import list_runs

    roots = (
        [_pipeline_root(pipeline, output_dir)]
        if pipeline
        else sorted(p for p in Path(output_dir or "out").glob("*") if p.is_dir())
    )
    console = Console(width=160)
    for root in roots:
        runs = list_runs(root)
        table = Table(title=f"{root.name} ({root})")
        for column in ("run", "start", "end", "state", "in", "kept", "rejected", "review", "by stage"):
            table.add_column(column)
        for run in runs:
            stages = ", ".join(f"{k}={v}" for k, v in (run.get("by_stage") or {}).items())
            table.add_row(
                run.get("run_id", "?"),
                run.get("started", ""),
                run.get("ended", ""),
                run.get("state", ""),
                *(str(run.get(k, "")) for k in ("inputs", "kept", "rejected", "review")),
                stages,
            )
        console.print(table if runs else f"{root}: no runs")


@main.command()
@click.argument("pipeline_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--every", required=True, help="Interval: 30m, 6h, 1d, 1w.")
@click.option(
    "--systemd", "systemd", is_flag=True, help="A systemd timer + service instead of a crontab line."
)
@click.option("--install", is_flag=True, help="Install it (user crontab, or ~/.config/systemd/user).")
@click.option(
    "--unit-dir", type=click.Path(file_okay=False, path_type=Path), help="Where --systemd installs."
)
def schedule(pipeline_file: Path, every: str, systemd: bool, install: bool, unit_dir: Path | None) -> None:
    """Print (or --install) a schedule that runs PIPELINE_FILE every interval."""
    from curate import schedule as sched
    from curate.config import load_config

    loaded = load_config(pipeline_file)
    sched.parse_every(every)
    root = (Path(loaded.config.output.dir) / loaded.name).resolve()
    plan = sched.Schedule(pipeline_file.resolve(), every, Path.cwd(), root / "cron.log", loaded.name)
    if not systemd:
        if install:
            sched.install_cron(plan)
            click.echo(f"installed in the user crontab: {plan.cron_line()}")
        else:
            click.echo(plan.cron_line())
        return
    if install:
        target = unit_dir or Path.home() / ".config" / "systemd" / "user"
        for path in sched.install_systemd(plan, target):
            click.echo(f"wrote {path}")
        click.echo(
            f"enable with: systemctl --user daemon-reload && systemctl --user enable --now "
            f"curate-{loaded.name}.timer"
        )
    else:
        for name, text in plan.systemd_units().items():
            click.echo(f"# {name}\n{text}")


@main.command()
@click.argument("pipeline")
@click.option(
    "--by", default="lang", show_default=True, help="Column the shares are over (lang, source, kind)."
)
@click.option("--target", required=True, help="Shares per group, e.g. ja=0.8,en=0.2.")
@click.option("--budget-tokens", type=int, required=True, help="Token budget of the mixture.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--name", default="default", show_default=True, help="Mixture name (out/<pipeline>/mixes/<name>)."
)
@click.option("--output-dir", help="Root of the runs (default: the pipeline's output.dir, or ./out).")
@click.option("--tokenizer", help="Counts documents without a stored n_tokens (default: the pipeline's).")
def mix(
    pipeline: str,
    by: str,
    target: str,
    budget_tokens: int,
    seed: int,
    name: str,
    output_dir: str | None,
    tokenizer: str | None,
):
    """Sample the corpus of PIPELINE to target proportions within a token budget."""
    from curate.corpus.mix import build_mix, parse_target

    root = _pipeline_root(pipeline, output_dir)
    summary = build_mix(root, by, parse_target(target), budget_tokens, seed, root / "mixes" / name)
    shares = ", ".join(f"{g}={v:.1%}" for g, v in summary["achieved"].items())
    out = root / "mixes" / name
    click.echo(f"{summary['documents']} documents, {summary['tokens']:,} tokens ({shares}) -> {out}")


@main.command()
@click.argument("pipeline")
@click.option("--sequence-tokens", type=int, default=65536, show_default=True, help="Tokens per sequence.")
@click.option("--by", default="source", show_default=True, help="Sequences never mix values of this column.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--output-dir", help="Root of the runs (default: the pipeline's output.dir, or ./out).")
@click.option("--tokenizer", help="Counts documents without a stored n_tokens (default: the pipeline's).")
def pack(
    pipeline: str, sequence_tokens: int, by: str, seed: int, output_dir: str | None, tokenizer: str | None
) -> None:
    """Pack the corpus of PIPELINE into long-context sequences, one source per sequence."""
    from curate.corpus.pack import build_packs

    root = _pipeline_root(pipeline, output_dir)
    out = root / "packs" / f"{by}-{sequence_tokens}"
    summary = build_packs(root, sequence_tokens, by, seed, out)
    click.echo(
        f"{summary['sequences']} sequences of <= {sequence_tokens:,} tokens from {summary['groups']} "
        f"groups (mean fill {summary['mean_fill']:.0%}) -> {out}"
    )


def _add_review_commands() -> None:
    from curate.review.cli import review_group

    main.add_command(review_group)


_add_review_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
