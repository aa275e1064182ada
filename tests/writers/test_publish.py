"""Publishing a run: finalize is idempotent, and a run killed while it is published completes on resume."""

from __future__ import annotations

import json
import sqlite3

import pytest

from curate.config import load_config
from curate.runner import run_pipeline
from curate.writers import corpus as corpus_writer
from tests.conftest import article

PIPELINE = """
name: pub
executor: {tasks: 1, workers: 1}
sources:
  - files: {paths: ["{tmp}/in/*.txt"], source: t}
filters:
  - length: {min_words: 30}
output: {dir: "{tmp}/out"}
"""


class Killed(BaseException):
    """Stands for a SIGKILL: not an Exception, nothing catches it."""


def test_a_run_killed_after_its_manifest_completes_on_resume(write_pipeline, tmp_path, monkeypatch):
    (tmp_path / "in").mkdir()
    for i, topic in enumerate(["rollups", "oracles"]):
        (tmp_path / "in" / f"{i}.txt").write_text(article(topic))
    (tmp_path / "in" / "short.txt").write_text("too short")
    pipeline = load_config(write_pipeline(PIPELINE))
    real = corpus_writer.write_corpus_manifest

    def killed(root):
        raise Killed()

    monkeypatch.setattr(corpus_writer, "write_corpus_manifest", killed)
    with pytest.raises(Killed):
        run_pipeline(pipeline, run_id="k1")
    run_dir = tmp_path / "out" / "pub" / "k1"
    assert (run_dir / "manifest.json").is_file() and not (run_dir.parent / "corpus.json").exists()

    monkeypatch.setattr(corpus_writer, "write_corpus_manifest", real)
    manifest = run_pipeline(pipeline, run_id="k1")
    assert manifest["kept"] == 2 and manifest["accounted"]
    corpus = json.loads((run_dir.parent / "corpus.json").read_text())
    assert [r["run_id"] for r in corpus["runs"]] == ["k1"] and corpus["documents"] == 2
    assert (run_dir / "report.html").is_file() and (run_dir.parent / "report.html").is_file()
    assert json.loads((run_dir / "run.json").read_text())["state"] == "complete"
    with sqlite3.connect(run_dir.parent / "state" / "sources-files" / "files.sqlite") as con:
        assert con.execute("select count(*) from seen").fetchone()[0] == 3  # the files it read


def test_an_accounting_mismatch_writes_no_manifest(write_pipeline, tmp_path, monkeypatch):
    from curate.errors import RunError
    from curate.writers import manifest as manifest_writer

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(article("bridges"))
    pipeline = load_config(write_pipeline(PIPELINE))
    monkeypatch.setattr(manifest_writer, "read_input_counts", lambda counts_dir: 5)
    with pytest.raises(RunError, match="accounting mismatch"):
        run_pipeline(pipeline, run_id="m1")
    assert not (tmp_path / "out" / "pub" / "m1" / "manifest.json").exists()  # not complete
