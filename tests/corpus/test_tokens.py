"""Token counts come from a real tokenizer (SmolLM2's by default) in the shards, mix and pack."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from datatrove.data import Document

from curate import data as M
from curate.corpus.count import TokenCount, pipeline_tokenizer
from curate.corpus.mix import build_mix
from curate.corpus.pack import build_packs
from curate.corpus.tokens import TokenCounter, load_tokenizer
from curate.writers.corpus import write_corpus_manifest
from curate.writers.manifest import build_manifest
from curate.writers.parquet import ShardWriter

JA = "日本の鉄道は、時刻表どおりに運行されることで世界的に知られています。"
EN = "Lighthouses once guided every ship that came near a rocky coast."


@pytest.mark.slow
def test_smollm2_counts_match_its_tokenizer_and_differ_from_the_bytes_estimate():
    from transformers import AutoTokenizer

    from curate.membership.models import resolve

    directory, gguf = resolve("smollm2")
    reference = AutoTokenizer.from_pretrained(load_tokenizer_dir(), local_files_only=True)
    counts = TokenCounter("smollm2").count([JA, EN, ""])
    assert counts == [len(reference(t, add_special_tokens=False)["input_ids"]) for t in (JA, EN, "")]
    assert counts[2] == 0 and gguf.endswith(".gguf") and directory.is_dir()
    byte_estimate = TokenCounter("bytes").count([JA, EN])
    assert counts[0] > 1.5 * byte_estimate[0]  # Japanese costs far more tokens than bytes / 4 says
    assert abs(counts[1] - byte_estimate[1]) <= 0.3 * counts[1]


def load_tokenizer_dir():
    from curate.membership.models import cache_root

    load_tokenizer("smollm2")
    (folder,) = sorted((cache_root() / "tokenizers").glob("SmolLM2-135M-Instruct*"))
    return folder


def test_token_count_step_counts_live_documents_in_batches():
    docs = [
        Document(text=JA, id="ja", metadata={}),
        Document(text=EN, id="scored", metadata={M.N_TOKENS: 7}),
        Document(text=EN, id="cut", metadata={M.N_TOKENS: 3, M.MEMBERSHIP_NOTE: "truncated"}),
        M.reject(Document(text=EN, id="dropped", metadata={}), "filters", "too_short"),
    ]
    out = {d.id: d.metadata.get(M.N_TOKENS) for d in TokenCount("bytes", batch=2).run(iter(docs))}
    expected = TokenCounter("bytes").count([JA, EN])
    assert out == {"ja": expected[0], "scored": 7, "cut": expected[1], "dropped": None}


def test_pipeline_tokenizer_prefers_output_then_membership_target():
    assert (
        pipeline_tokenizer({"output": {"tokenizer": "bytes"}, "membership": [{"score": {"target": "x"}}]})
        == "bytes"
    )
    assert (
        pipeline_tokenizer({"output": {}, "membership": [{"score": {"target": "/m/gemma.gguf"}}]})
        == "/m/gemma.gguf"
    )
    assert pipeline_tokenizer({}) == "smollm2"


@pytest.fixture
def uncounted(tmp_path):
    """A corpus whose shards have no n_tokens (written before counts were stored)."""
    run_dir = tmp_path / "p" / "r1"
    docs = [
        Document(text=(JA if i < 6 else EN) * 3, id=f"d{i}", metadata={M.LANG: "ja" if i < 6 else "en"})
        for i in range(12)
    ]
    list(ShardWriter(str(run_dir), "r1").run(iter(docs)))
    (run_dir / "counts").mkdir()
    (run_dir / "counts" / "ingest-00000.json").write_text('{"documents": 12}')
    build_manifest(run_dir, "r1", "p")
    write_corpus_manifest(tmp_path / "p")
    return tmp_path / "p"


def test_mix_and_pack_count_missing_tokens_with_the_named_tokenizer(uncounted, tmp_path):
    per_ja, per_en = TokenCounter("bytes").count([JA * 3, EN * 3])
    summary = build_mix(
        uncounted, "lang", {"ja": 0.5, "en": 0.5}, 10**9, 0, tmp_path / "m", tokenizer="bytes"
    )
    assert summary["available_tokens"] == {"ja": 6 * per_ja, "en": 6 * per_en}
    assert summary["tokenizer"] == "bytes"
    assert pq.read_table(tmp_path / "m" / "mix.parquet")["n_tokens"].to_pylist()[0] in (per_ja, per_en)
    packs = build_packs(uncounted, 1024, "lang", 0, tmp_path / "k", tokenizer="bytes")
    table = pq.read_table(tmp_path / "k" / "packs.parquet")
    assert packs["tokenizer"] == "bytes" and sum(table["n_tokens"].to_pylist()) == 6 * (per_ja + per_en)
