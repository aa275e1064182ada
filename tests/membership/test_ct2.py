"""The CTranslate2 backend: same windows and sums as the torch path, on a tiny model and the shipped one."""

from __future__ import annotations

import numpy as np
import pytest

from curate.errors import ModelLoadError
from curate.membership import ct2, forward
from curate.membership.models import choose_backend, load_model
from curate.membership.scorer import TextScorer
from curate.membership.step import MembershipScore
from tests.membership.conftest import PREAMBLE, WORD_SALAD

pytestmark = pytest.mark.skipif(not ct2.available(), reason="ctranslate2 is not installed")

LONG = " ".join(
    f"Block {i} carries {i * 7 % 13} transactions and a header that links to block {i - 1}."
    for i in range(60)
)


@pytest.fixture(scope="module")
def tiny_ct2(tiny_dir, tmp_path_factory, monkeypatch_module):
    monkeypatch_module.setenv("CURATE_CACHE", str(tmp_path_factory.mktemp("cache")))
    return load_model(str(tiny_dir), "cpu", backend="ct2")


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_windows_and_batches_match_the_torch_path_token_by_token(tiny_lm, tiny_ct2):
    docs = [tiny_lm.encode(t) for t in (LONG, "short text", LONG[:300], "")]
    options = {"window": 64, "stride": 48, "batch_tokens": 256}
    reference = forward.score_ids(tiny_lm, docs, with_z=False, **options)
    fast = ct2.score_ids(tiny_ct2, docs, **options)
    for (want, _), (got, z) in zip(reference, fast, strict=True):
        assert z is None and len(got) == len(want)
        np.testing.assert_allclose(got, want, atol=1e-4)
    assert len(fast[0][0]) == len(docs[0]) - 1 and len(fast[3][0]) == 0  # every token once; BOS only: none


def test_scorer_keys_the_cache_by_backend_and_gives_no_min_k_pp(tiny_lm, tiny_ct2):
    torch_scorer, ct2_scorer = TextScorer(tiny_lm), TextScorer(tiny_ct2)
    assert torch_scorer.key != ct2_scorer.key and "ct2-float32" in ct2_scorer.key
    (a,), (b,) = torch_scorer.score([LONG]), ct2_scorer.score([LONG])
    assert abs(a.bpb - b.bpb) < 1e-4 and a.mink_pp is not None and b.mink_pp is None


def test_auto_backend_is_ct2_on_cpu_unless_min_k_pp_decides():
    assert choose_backend("auto", "cpu") == "ct2"
    assert choose_backend("auto", "cpu", full_vocab=True) == "torch"
    assert choose_backend("torch", "cpu") == "torch"
    with pytest.raises(ModelLoadError, match="backend"):
        choose_backend("onnx", "cpu")


def test_step_scores_the_target_with_torch_when_min_k_pp_decides(tiny_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_CACHE", str(tmp_path))
    mink = MembershipScore(target=str(tiny_dir), decision_score="mink_pp", references=[str(tiny_dir)])
    mink._setup()
    assert [s.lm.backend for s in mink._scorers] == ["torch", "ct2"]
    plain = MembershipScore(target=str(tiny_dir), backend="auto")
    plain._setup()
    assert plain._scorers[0].lm.backend == "ct2"


@pytest.mark.slow
def test_float32_agrees_with_torch_on_the_shipped_model(smollm2):
    """Per document within 1e-3 bits/byte, long documents (several windows) included."""
    fast = load_model("smollm2", "cpu", backend="ct2", compute_type="float32")
    texts = [PREAMBLE, WORD_SALAD, LONG]
    options = {"window": 256, "stride": 192}
    want, got = TextScorer(smollm2, **options).score(texts), TextScorer(fast, **options).score(texts)
    assert [w.n_tokens for w in want] == [g.n_tokens for g in got] and want[2].n_tokens > 256
    assert max(abs(w.bpb - g.bpb) for w, g in zip(want, got, strict=True)) < 1e-3
