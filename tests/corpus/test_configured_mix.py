"""The pipeline's `mix:` section: validated with the config, rebuilt at publish, shown in the report."""

from __future__ import annotations

import json

import pytest
import yaml
from datatrove.data import Document

from curate import data as M
from curate.config import parse_config
from curate.corpus.mix import build_configured_mix
from curate.errors import ConfigError
from curate.report.report import _mixtures
from curate.writers.corpus import write_corpus_manifest
from curate.writers.manifest import build_manifest
from curate.writers.parquet import ShardWriter


def test_mix_section_is_validated():
    base = {"name": "p", "sources": [{"files": {"paths": ["x"]}}]}
    parsed = parse_config({**base, "mix": {"target": {"ja": 0.8, "en": 0.2}}}, "p.yaml")
    assert parsed.resolved()["mix"] == {
        "by": "lang",
        "target": {"ja": 0.8, "en": 0.2},
        "budget_tokens": 10**12,
        "seed": 0,
        "name": "default",
    }
    with pytest.raises(ConfigError, match="shares must be positive and sum to 1"):
        parse_config({**base, "mix": {"target": {"ja": 0.8, "en": 0.3}}}, "p.yaml")
    with pytest.raises(ConfigError, match="mix.surprise: unknown key"):
        parse_config({**base, "mix": {"target": {"ja": 1.0}, "surprise": 1}}, "p.yaml")


@pytest.fixture
def run_dir(tmp_path):
    run_dir = tmp_path / "p" / "r1"
    docs = [
        Document(text=f"text {i}", id=f"d{i}", metadata={M.LANG: "ja" if i < 8 else "en", M.N_TOKENS: 10})
        for i in range(10)
    ]
    list(ShardWriter(str(run_dir), "r1").run(iter(docs)))
    (run_dir / "counts").mkdir()
    (run_dir / "counts" / "ingest-00000.json").write_text('{"documents": 10}')
    build_manifest(run_dir, "r1", "p")
    write_corpus_manifest(tmp_path / "p")
    return run_dir


def write_config(run_dir, mix):
    config = {"name": "p", "output": {"tokenizer": "bytes"}, "mix": mix}
    (run_dir / "config.resolved.yaml").write_text(yaml.safe_dump(config))


def test_configured_mix_is_built_and_reported(run_dir):
    mix = {"by": "lang", "target": {"ja": 0.8, "en": 0.2}, "budget_tokens": 10**6, "seed": 0, "name": "m"}
    write_config(run_dir, mix)
    summary = build_configured_mix(run_dir)
    assert summary["achieved"] == {"ja": 0.8, "en": 0.2} and summary["tokens"] == 100
    assert summary["tokenizer"] == "bytes"
    html = _mixtures(run_dir.parent)
    assert "mixture-m" in html and "80.0%" in html and "20.0%" in html


def test_a_mix_that_cannot_be_built_is_recorded_not_fatal(run_dir):
    write_config(
        run_dir,
        {"by": "lang", "target": {"ja": 0.5, "fr": 0.5}, "budget_tokens": 100, "seed": 0, "name": "m"},
    )
    summary = build_configured_mix(run_dir)
    assert "fr" in summary["error"]
    assert json.loads((run_dir.parent / "mixes/m/mix.json").read_text())["error"] == summary["error"]
    assert "not built" in _mixtures(run_dir.parent)
    write_config(run_dir, None)
    assert build_configured_mix(run_dir) is None
