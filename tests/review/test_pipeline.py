"""The review loop on a run of the real pipeline, with the relevance filter in it.

The `relevance` filter is registered here as the lead registers it in `curate.registry`
(`filters: relevance`); the run uses curate's own runner, writer and manifest.
"""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from curate import registry
from curate.config import load_config
from curate.filters.relevance import prepare
from curate.review.cli import review_group
from curate.runner import run_pipeline
from tests.review.conftest import fill_csv
from tests.review.texts import CRYPTO, OFF_TOPIC, corpus, text

PIPELINE = """
name: reviewed
executor: {tasks: 1, workers: 1}
sources:
  - files: {paths: ["{tmp}/in/*"], source: notes}
filters:
  - length: {min_words: 20}
  - relevance: {model_path: "{tmp}/relevance.bin", min_score: 0.3, unsure: 0.4}
dedup:
  - exact: {}
output: {dir: "{tmp}/out"}
"""


@pytest.fixture
def pipeline(tmp_path, write_pipeline, monkeypatch):
    import fasttext

    monkeypatch.setitem(registry.STEPS["filters"], "relevance", "curate.filters.relevance:RelevanceFilter")
    data = tmp_path / "train.txt"
    data.write_text("".join(f"__label__{lab} {prepare(t)}\n" for lab, t in corpus(40)))
    model = fasttext.train_supervised(
        input=str(data), epoch=25, lr=0.5, wordNgrams=2, seed=0, thread=1, verbose=0
    )
    model.save_model(str(tmp_path / "relevance.bin"))
    rng = random.Random(5)
    (tmp_path / "in").mkdir()
    for i in range(4):
        (tmp_path / "in" / f"crypto{i}.txt").write_text(text(CRYPTO, rng))
        (tmp_path / "in" / f"offtopic{i}.txt").write_text(text(OFF_TOPIC, rng))
    (tmp_path / "in" / "mixed.txt").write_text(text(CRYPTO, rng, 6) + " " + text(OFF_TOPIC, rng, 6))
    return load_config(write_pipeline(PIPELINE))


def test_relevance_unsure_documents_reach_reviewers_and_their_decisions_apply(pipeline, tmp_path):
    manifest = run_pipeline(pipeline, run_id="r1")
    funnel = {(f["route"], f["reason"]): f["documents"] for f in manifest["funnel"]}
    assert funnel[("rejected", "not_relevant")] == 4 and funnel[("review", "relevance_unsure")] == 1
    run_dir = tmp_path / "out" / "reviewed" / "r1"
    runner = CliRunner()
    out = runner.invoke(
        review_group, ["export", str(run_dir), "--format", "csv", "-o", str(tmp_path / "q.csv")]
    )
    assert out.exit_code == 0 and "1 relevance_unsure" in out.output, out.output
    mixed = "notes:" + str(tmp_path / "in" / "mixed.txt")
    labels = fill_csv(tmp_path / "q.csv", tmp_path / "labels.csv", {mixed: ("drop", "off_topic")})
    assert runner.invoke(review_group, ["import", str(labels), "--run", str(run_dir)]).exit_code == 0
    out = runner.invoke(review_group, ["apply", str(run_dir)])
    assert out.exit_code == 0 and "1 review->rejected" in out.output, out.output
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["accounted"] and manifest["review"] == 0 and manifest["rejected"] == 5
    corpus_manifest = json.loads((run_dir.parent / "corpus.json").read_text())
    assert corpus_manifest["documents"] == manifest["kept"] == 4
