"""`curate review ...` through click: exit codes and messages."""

from __future__ import annotations

from click.testing import CliRunner

from curate.review.cli import EXTENSIONS, review_group
from curate.review.formats import FORMATS
from tests.review.conftest import export


def invoke(*args):
    return CliRunner().invoke(review_group, [str(a) for a in args])


def test_export_import_apply_through_the_cli(run_dir, tmp_path):
    q = export(run_dir, "jsonl", tmp_path / "q.jsonl")
    lines = (
        q.read_text()
        .replace('"decision": null', '"decision": "keep"', 2)
        .replace('"annotator": null', '"annotator": "eve"')
    )
    filled = tmp_path / "filled.jsonl"
    filled.write_text(lines)
    out = invoke("import", filled, "--run", run_dir)
    assert out.exit_code == 0 and "2 label(s): 2 new" in out.output and "no document has two" in out.output
    out = invoke("apply", run_dir, "--by", "lead")
    assert out.exit_code == 0 and "apply " in out.output and "audit trail:" in out.output
    assert "nothing to apply" in invoke("apply", run_dir).output


def test_default_export_location_and_config_defaults(run_dir):
    out = invoke("export", run_dir, "--format", "csv", "--audit-kept", 2, "--audit-rejected", 0)
    assert (
        out.exit_code == 0
        and "queued 5 document(s): 2 audit_kept, 2 borderline, 1 relevance_unsure" in out.output
    )
    assert len(list((run_dir / "review" / "export").glob("csv-*.csv"))) == 1


def test_errors_are_reported_with_exit_codes(run_dir, tmp_path):
    unfinished = tmp_path / "out" / "demo" / "r9"
    unfinished.mkdir(parents=True)
    out = invoke("export", unfinished)
    assert out.exit_code == 5 and "Error: " in out.output and "no manifest.json" in out.output
    bad = tmp_path / "bad.csv"
    bad.write_text("curate_id,run_id,decision\nnope,r1,keep\n")
    out = invoke("import", bad, "--run", run_dir)
    assert (
        out.exit_code == 2
        and "refused, nothing was imported" in out.output
        and "unknown id 'nope'" in out.output
    )
    out = invoke("train", run_dir)
    assert out.exit_code == 1 and "need at least 2 relevant and 2 irrelevant" in out.output
    assert invoke("export", run_dir, "--format", "xml").exit_code == 2
    config = run_dir / "config.resolved.yaml"
    config.write_text(config.read_text().replace("review: {}", "review: {audit_kept: -1}"))
    out = invoke("export", run_dir)
    assert (
        out.exit_code == 2 and "review.audit_kept: Input should be greater than or equal to 0" in out.output
    )


def test_cli_offers_every_export_format():
    assert tuple(EXTENSIONS) == FORMATS
