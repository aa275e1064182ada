"""Runs that overlap in time: killed, then the next run, then the resume -> every text once."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from curate import runner
from curate.config import load_config
from curate.errors import RunError
from curate.runner import run_pipeline
from tests.conftest import article

PIPELINE = """
name: overlap
executor: {tasks: 2, workers: 1}
sources:
  - files: {paths: ["{tmp}/in/*"], source: t}
filters:
  - length: {min_words: 20}
dedup:
  - exact: {}
  - minhash: {threshold: 0.8}
output: {dir: "{tmp}/out"}
"""


def corpus_texts(root) -> list[str]:
    corpus = json.loads((root / "corpus.json").read_text())
    return [
        t
        for s in corpus["shards"]
        for t in pq.read_table(root / s["path"], columns=["text"])["text"].to_pylist()
    ]


@pytest.mark.parametrize("killed_in", ["dedup-signatures", "score"])
def test_killed_run_then_next_run_then_resume_keeps_each_text_once(
    tmp_path, write_pipeline, monkeypatch, killed_in
):
    (tmp_path / "in").mkdir()
    for i, topic in enumerate(["rollups", "oracles", "bridges", "custody"]):
        (tmp_path / "in" / f"{i}.txt").write_text(article(topic))
    pipeline = load_config(write_pipeline(PIPELINE))
    real_run_phase = runner._run_phase

    def killed(phase, ctx):
        if phase.name == killed_in:
            raise RunError(f"killed in {killed_in}")
        real_run_phase(phase, ctx)

    monkeypatch.setattr(runner, "_run_phase", killed)
    with pytest.raises(RunError):
        run_pipeline(pipeline, run_id="r1")
    monkeypatch.setattr(runner, "_run_phase", real_run_phase)
    later = run_pipeline(pipeline, run_id="r2")  # the next scheduled run, while r1 is unfinished
    assert later["kept"] == 4
    resumed = run_pipeline(pipeline, run_id="r1")
    assert resumed["accounted"] and resumed["kept"] == 0 and resumed["inputs"] == 4
    texts = corpus_texts(tmp_path / "out" / "overlap")
    assert len(texts) == len(set(texts)) == 4
