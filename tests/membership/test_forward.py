"""Windows, length-sorted batches and the chunked vocabulary maths against plain transformers calls."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from curate.membership.forward import make_windows, score_ids


def reference_logp(model, ids: list[int], first: int = 1) -> np.ndarray:
    """ln p of ids[first:] from one plain forward pass with full logits."""
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([ids])).logits[0].double()
    logp = torch.log_softmax(logits, -1)[:-1].gather(1, torch.tensor(ids[1:])[:, None])[:, 0]
    return logp[first - 1 :].numpy()


def test_windows_score_every_token_once():
    ids = list(range(300))
    windows = make_windows(0, ids, window=64, stride=48)
    scored = [w.ids[i] for w in windows for i in range(w.first, len(w.ids))]
    assert scored == ids[1:]
    assert all(len(w.ids) <= 64 and w.first >= 1 for w in windows)
    assert all(w.first == 16 for w in windows[1:-1])  # window - stride tokens of context carried over
    assert make_windows(0, ids[:10], 64, 48)[0].first == 1


def test_long_document_equals_sum_over_its_windows(tiny_lm):
    ids = [256] + list(np.random.default_rng(0).integers(0, 256, 299))
    ((logp, _),) = score_ids(tiny_lm, [ids], window=64, stride=48, batch_tokens=256)
    expected = [reference_logp(tiny_lm.model, w.ids, w.first) for w in make_windows(0, ids, 64, 48)]
    assert len(logp) == 299
    assert logp.sum() == pytest.approx(np.concatenate(expected).sum(), rel=1e-5)
    ((whole, _),) = score_ids(tiny_lm, [ids], window=512, stride=256)
    assert whole.sum() == pytest.approx(reference_logp(tiny_lm.model, ids).sum(), rel=1e-5)


def test_right_padded_batches_without_mask_match_one_at_a_time(tiny_lm):
    rng = np.random.default_rng(1)
    docs = [[256] + list(rng.integers(0, 256, n)) for n in (5, 70, 33, 120, 2)]
    batched = score_ids(tiny_lm, docs, batch_tokens=10_000, chunk_tokens=7)
    for doc, (logp, _) in zip(docs, batched, strict=True):
        np.testing.assert_allclose(logp, reference_logp(tiny_lm.model, doc), rtol=1e-4, atol=1e-5)


def test_min_k_pp_z_matches_the_full_softmax(tiny_lm):
    ids = [256] + list(b"membership inference on a tiny model")
    ((logp, z),) = score_ids(tiny_lm, [ids])
    with torch.no_grad():
        lp = torch.log_softmax(tiny_lm.model(input_ids=torch.tensor([ids])).logits[0, :-1].double(), -1)
    mu = (lp.exp() * lp).sum(-1)
    sigma = ((lp.exp() * lp.square()).sum(-1) - mu.square()).sqrt()
    expected = (lp.gather(1, torch.tensor(ids[1:])[:, None])[:, 0] - mu) / sigma
    np.testing.assert_allclose(z, expected.numpy(), rtol=1e-4, atol=1e-5)


def test_documents_too_short_to_score_give_empty_results(tiny_lm):
    (logp, _), (logp2, _) = score_ids(tiny_lm, [[256], [256, 65]])
    assert len(logp) == 0 and len(logp2) == 1


def test_compiled_layers_give_the_same_scores(tiny_dir):
    from curate.membership.models import load_model

    eager, compiled = load_model(str(tiny_dir), "cpu"), load_model(str(tiny_dir), "cpu", compile=True)
    assert eager is not compiled
    rng = np.random.default_rng(2)
    docs = [[256] + list(rng.integers(0, 256, n)) for n in (40, 90, 7)]
    for (a, _), (b, _) in zip(score_ids(eager, docs), score_ids(compiled, docs), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
