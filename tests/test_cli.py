from __future__ import annotations

from click.testing import CliRunner

from curate.cli import main
from tests.conftest import ROOT, article


def test_validate_ok_and_errors(write_pipeline):
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", str(ROOT / "pipelines" / "crypto.yaml")])
    assert ok.exit_code == 0, ok.output
    assert "ok (crypto:" in ok.output
    bad = write_pipeline("name: x\nsources: [{files: {paths: [a], nope: 1}}]\nexecutor: {tasks: -1}\n")
    result = runner.invoke(main, ["validate", str(bad)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert f"Error: {bad}: sources.0.files.nope: unknown key" in lines
    assert any(line.startswith(f"Error: {bad}: executor.tasks:") and "found -1" in line for line in lines)


def test_run_prints_the_funnel(write_pipeline, tmp_path):
    (tmp_path / "a.txt").write_text(article("stablecoins"))
    (tmp_path / "b.txt").write_text("short")
    path = write_pipeline(
        'name: tiny\nsources: [{files: {paths: ["{tmp}/*.txt"]}}]\n'
        'filters: [length]\noutput: {dir: "{tmp}/out"}\n'
    )
    result = CliRunner().invoke(main, ["run", str(path), "--run-id", "x"])
    assert result.exit_code == 0, result.output
    assert "2 documents in: 1 kept, 1 rejected, 0 for review" in result.output
    assert "too_short" in result.output
    assert (tmp_path / "out" / "tiny" / "x" / "manifest.json").exists()


def test_missing_file_exit_code():
    result = CliRunner().invoke(main, ["run", "no/such.yaml"])
    assert result.exit_code == 2 and "Error: no/such.yaml: file not found" in result.output


def test_one_error_path_for_every_command(tmp_path, monkeypatch):
    from curate.review.cli import review_group

    runner = CliRunner()
    not_a_run = runner.invoke(main, ["review", "apply", str(tmp_path)])
    assert not_a_run.exit_code == 5 and not_a_run.output.startswith(f"Error: {tmp_path}: no manifest.json")
    assert runner.invoke(review_group, ["apply", str(tmp_path)]).exit_code == 5  # the group alone too
    usage = runner.invoke(main, ["run"])
    assert usage.exit_code == 2 and "Missing argument" in usage.output
    unknown = runner.invoke(main, ["frobnicate"])
    assert unknown.exit_code == 2


def test_a_bug_keeps_its_traceback(write_pipeline, tmp_path, monkeypatch):
    import curate.runner

    def bug(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(curate.runner, "run_pipeline", bug)
    path = write_pipeline('name: tiny\nsources: [{files: {paths: ["{tmp}/*.txt"]}}]\n')
    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, ZeroDivisionError)
    assert "Error:" not in result.output  # not dressed up as an expected failure
