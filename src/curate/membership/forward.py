"""Token log-likelihoods for many documents: windows, length-sorted batches, chunked vocabulary maths.

Windows and length-sorted batches come from `curate.membership.windows` (shared with the CTranslate2
backend): every token is scored exactly once and padding stays small.

Vocabulary maths. Only the hidden states of scored positions go through the LM head, `chunk_tokens`
positions at a time, in float32: log-softmax, the target's log-probability, and the mean and standard
deviation of ln p over the vocabulary for Min-K%++. The full [batch, length, vocab] logits tensor is never
built (for a 128k vocabulary it would outweigh the model).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from curate.membership.models import LoadedModel
from curate.membership.windows import Window, length_batches, make_windows


def head_stats(lm: LoadedModel, hidden, targets, chunk_tokens: int, with_z: bool):
    """Per position: ln p(target) and Min-K%++ z, computed `chunk_tokens` rows at a time.

    In place on each float32 logits chunk: logits - logsumexp = ln p; p = exp(ln p); mu = p . ln p;
    sigma^2 = p . (ln p - mu)^2 (two passes, no cancellation). The dot products run as batched matmuls.
    """
    import torch

    head = lm.model.get_output_embeddings()
    cap = getattr(lm.model.config, "final_logit_softcapping", None)
    logps, zs = [], []
    for start in range(0, hidden.shape[0], chunk_tokens):
        logp = head(hidden[start : start + chunk_tokens]).float()
        if cap:
            logp = torch.tanh(logp / cap) * cap
        logp -= torch.logsumexp(logp, dim=-1, keepdim=True)
        lp_t = logp.gather(1, targets[start : start + chunk_tokens, None])[:, 0]
        logps.append(lp_t)
        if with_z:
            p = logp.exp()
            mu = torch.bmm(p[:, None, :], logp[:, :, None])[:, 0, 0]
            logp.sub_(mu[:, None]).square_()
            var = torch.bmm(p[:, None, :], logp[:, :, None])[:, 0, 0]
            zs.append((lp_t - mu) / var.clamp_min(1e-12).sqrt())
    logp_all = torch.cat(logps).double().cpu().numpy()
    return logp_all, (torch.cat(zs).double().cpu().numpy() if with_z else None)


def score_batch(lm: LoadedModel, batch: list[Window], chunk_tokens: int, with_z: bool = True, embed=None):
    """Run one batch; return per window `(ln p of each scored token, Min-K%++ z or None)`.

    `embed(window)`, if given, returns the window's input states [len, hidden] to feed the body as
    `inputs_embeds` instead of token ids (the AUC benchmark shares frozen bottom layers this way).
    """
    import torch

    longest = max(len(w.ids) for w in batch)
    ids = torch.full((len(batch), longest), lm.pad_id, dtype=torch.long)
    rows, cols = [], []
    for r, w in enumerate(batch):
        ids[r, : len(w.ids)] = torch.tensor(w.ids, dtype=torch.long)
        rows.append(np.full(len(w.ids) - w.first, r))
        cols.append(np.arange(w.first - 1, len(w.ids) - 1))
    ids = ids.to(lm.device)
    row_ix = torch.as_tensor(np.concatenate(rows), device=lm.device)
    col_ix = torch.as_tensor(np.concatenate(cols), device=lm.device)
    with torch.inference_mode():
        if embed is None:
            inputs = {"input_ids": ids}
        else:
            states = torch.nn.utils.rnn.pad_sequence([embed(w) for w in batch], batch_first=True)
            inputs = {"inputs_embeds": states.to(lm.device)}
        hidden = lm.model.base_model(**inputs, use_cache=False).last_hidden_state
        logp, z = head_stats(lm, hidden[row_ix, col_ix], ids[row_ix, col_ix + 1], chunk_tokens, with_z)
    out, offset = [], 0
    for w in batch:
        n = len(w.ids) - w.first
        out.append((logp[offset : offset + n], None if z is None else z[offset : offset + n]))
        offset += n
    return out


def score_ids(
    lm: LoadedModel,
    docs: list[list[int]],
    *,
    window: int = 2048,
    stride: int = 1536,
    batch_tokens: int = 8192,
    chunk_tokens: int = 1024,
    with_z: bool = True,
    embed=None,
    progress: Callable[[int], None] | None = None,
) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """Per document (token ids, BOS first): ln p of every scored token, and Min-K%++ z values.

    `progress(n)` is called after each batch with the number of tokens it scored.
    """
    windows = [w for d, ids in enumerate(docs) if len(ids) > 1 for w in make_windows(d, ids, window, stride)]
    parts: list[list] = [[] for _ in docs]
    for batch in length_batches(windows, batch_tokens):
        for w, result in zip(batch, score_batch(lm, batch, chunk_tokens, with_z, embed), strict=True):
            parts[w.doc].append(result)
        if progress is not None:
            progress(sum(len(w.ids) - w.first for w in batch))
    out = []
    for pieces in parts:
        logp = np.concatenate([p[0] for p in pieces]) if pieces else np.zeros(0)
        z = np.concatenate([p[1] for p in pieces]) if with_z and pieces else None
        out.append((logp, z))
    return out
