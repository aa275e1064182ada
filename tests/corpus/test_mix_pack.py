from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from datatrove.data import Document

from curate import data as M
from curate.cli import main
from curate.corpus.mix import build_mix, parse_target
from curate.corpus.pack import build_packs
from curate.errors import CurateError
from curate.writers.corpus import write_corpus_manifest
from curate.writers.manifest import build_manifest
from curate.writers.parquet import ShardWriter


@pytest.fixture
def corpus(tmp_path):
    """A pipeline root with one complete run: 60 ja docs and 40 en docs of 100 tokens each."""
    run_dir = tmp_path / "p" / "r1"
    docs = []
    for i in range(100):
        lang, source = ("ja", "blog") if i < 60 else ("en", "docs")
        meta = {M.LANG: lang, M.SOURCE: source, M.N_TOKENS: 100}
        docs.append(Document(text=f"document {i} " + "word " * 80, id=f"d{i:03d}", metadata=meta))
    list(ShardWriter(str(run_dir), "r1").run(iter(docs)))
    (run_dir / "counts").mkdir()
    (run_dir / "counts" / "ingest-00000.json").write_text('{"documents": 100}')
    build_manifest(run_dir, "r1", "p")
    write_corpus_manifest(tmp_path / "p")
    return tmp_path / "p"


def ids(folder):
    return pq.read_table(folder / "mix.parquet")["id"].to_pylist()


def test_mix_hits_the_target_shares_and_is_deterministic(corpus, tmp_path):
    a = build_mix(corpus, "lang", {"ja": 0.2, "en": 0.8}, 2000, 7, tmp_path / "a")
    build_mix(corpus, "lang", {"ja": 0.2, "en": 0.8}, 2000, 7, tmp_path / "b")
    build_mix(corpus, "lang", {"ja": 0.2, "en": 0.8}, 2000, 8, tmp_path / "c")
    assert a["achieved"] == {"ja": 0.2, "en": 0.8} and a["tokens"] == 2000
    assert ids(tmp_path / "a") == ids(tmp_path / "b") != ids(tmp_path / "c")
    langs = pq.read_table(tmp_path / "a" / "mix.parquet")["lang"].to_pylist()
    assert langs.count("ja") == 4 and langs.count("en") == 16


def test_mix_shrinks_when_a_group_runs_out(corpus, tmp_path):
    summary = build_mix(corpus, "lang", {"ja": 0.2, "en": 0.8}, 100_000, 0, tmp_path / "m")
    assert summary["tokens"] == 5000  # all 4000 en tokens are 80%
    assert summary["achieved"] == {"ja": 0.2, "en": 0.8}


def test_bad_targets():
    for bad in ("ja=0.5,en=0.4", "ja", "ja=-1,en=2"):
        with pytest.raises(CurateError, match="--target"):
            parse_target(bad)


def test_pack_keeps_sources_apart_and_fills_sequences(corpus, tmp_path):
    summary = build_packs(corpus, 1024, "source", 0, tmp_path / "packs")
    table = pq.read_table(tmp_path / "packs" / "packs.parquet").to_pylist()
    assert {r["group"] for r in table} == {"blog", "docs"}
    assert all(r["n_tokens"] <= 1024 for r in table)
    assert sum(len(r["doc_ids"]) for r in table) == 100
    assert summary["sequences"] == 6 + 4  # 10 docs of 100 tokens per 1024-token sequence
    assert summary["mean_fill"] > 0.9


def test_cli(corpus):
    runner = CliRunner()
    root = str(corpus.parent)
    result = runner.invoke(
        main, ["mix", "p", "--output-dir", root, "--target", "ja=0.5,en=0.5", "--budget-tokens", "1000"]
    )
    assert result.exit_code == 0, result.output
    assert "10 documents, 1,000 tokens (ja=50.0%, en=50.0%)" in result.output
    assert json.loads((corpus / "mixes" / "default" / "mix.json").read_text())["seed"] == 0
    missing = runner.invoke(
        main, ["mix", "nope", "--output-dir", root, "--target", "en=1", "--budget-tokens", "5"]
    )
    assert missing.exit_code == 1 and "corpus.json not found" in missing.output
