"""The OUT reference: the target fine-tuned on known non-members of the domain (a population set).

Reference-based membership scores compare the target's loss with a model that saw comparable text but
not the candidate (Carlini et al. 2022, "Membership inference attacks from first principles": offline
LiRA with OUT models; Mireshghallah et al. 2022 for fine-tuned references). The un-tuned target's
family is the closest such model we have; tuning a copy of it on population texts of the domain
removes the domain shift that otherwise makes every fresh in-domain text look "unfamiliar":
`ref_ratio_out = bpb_OUT - bpb_T` is high only where the target is better than a model that knows the
domain but not the text. In benchmarks/membership_auc.py it is the strongest score curate computes.

Budget (CPU, 2 cores, SmolLM2-135M, 20 texts of ~200 words): only the top `layers` decoder layers and
the final norm are trained (the frozen bottom runs once per text), `epochs` passes of AdamW in
batches of `batch` texts, texts capped at `max_tokens`: about 30-60 s, once. The result is a full
transformers checkpoint under `<cache>/models/out-<name>-<hash>/`, where the hash covers the target's
fingerprint, the texts and every training setting, so a changed population trains a new reference and
an unchanged one never trains again. A file lock keeps concurrent workers from training it twice.
"""

from __future__ import annotations

import copy
import fcntl
import hashlib
import json
import os
import random
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from loguru import logger

from curate.membership.models import cache_root, checkpoint

VERSION = 1


@dataclass(frozen=True)
class OutTraining:
    """How the OUT reference is trained (every field is part of its cache key)."""

    layers: int = 2
    epochs: int = 4
    lr: float = 3e-4
    batch: int = 4
    max_tokens: int = 512
    seed: int = 0


def out_reference(target: str, texts: list[str], settings: OutTraining = OutTraining()) -> Path:
    """Directory of the OUT reference of `target` tuned on `texts`; trained on first use, then cached."""
    source, name, digest = checkpoint(target)
    key = hashlib.sha1(json.dumps([VERSION, digest, asdict(settings), sorted(texts)]).encode()).hexdigest()
    path = cache_root() / "models" / f"out-{name}-{key[:16]}"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second worker waits here, then finds the model
        if not (path / "config.json").is_file():
            _train(source, texts, settings, path)
    return path


def _train(source: Path, texts: list[str], s: OutTraining, path: Path) -> None:
    import time

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from curate import threads

    threads.torch_threads()
    started = time.perf_counter()
    torch.manual_seed(s.seed)
    tokenizer = AutoTokenizer.from_pretrained(source)
    model = AutoModelForCausalLM.from_pretrained(
        source, dtype=torch.float32, attn_implementation="sdpa"
    ).eval()
    bos = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
    docs = [
        ([bos] if bos is not None else []) + tokenizer(t, add_special_tokens=False)["input_ids"]
        for t in texts
    ]
    docs = [d[: s.max_tokens] for d in docs if len(d) > 1]
    n_layers = model.config.num_hidden_layers
    k = max(1, min(s.layers, n_layers))
    with torch.no_grad():  # inputs of the top k layers, computed once
        states = [
            model.model(input_ids=torch.tensor([d]), output_hidden_states=True).hidden_states[n_layers - k][0]
            for d in docs
        ]
    top = top_layers(model, k)
    opt = torch.optim.AdamW([p for p in top.parameters() if p.requires_grad], lr=s.lr, weight_decay=0.0)
    rng = random.Random(s.seed)
    for epoch in range(s.epochs):
        loss = train_epoch(top, docs, states, opt, s.batch, rng)
        logger.info(f"out reference: epoch {epoch + 1}/{s.epochs}, train loss {loss:.3f}")
    for i, layer in enumerate(top.model.layers):  # the tuned layers back into the full model
        model.model.layers[n_layers - k + i] = layer
    model.model.norm = top.model.norm
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    model.eval().save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    shutil.rmtree(path, ignore_errors=True)
    tmp.rename(path)
    seconds = time.perf_counter() - started
    logger.info(f"out reference: tuned the top {k} layers on {len(docs)} texts in {seconds:.0f} s -> {path}")


def train_epoch(top, docs, states, opt, batch: int, rng: random.Random, device: str = "cpu") -> float:
    """One pass of next-token training of `top` over `docs` (token ids; `states` their inputs to the
    top layers); returns the mean loss. Batches hold documents of similar length (little padding)
    and come in random order; on CUDA the forward pass runs in bfloat16 autocast."""
    import torch

    top.train()
    by_length = sorted(range(len(docs)), key=lambda i: (len(docs[i]), rng.random()))
    batches = [by_length[i : i + batch] for i in range(0, len(by_length), batch)]
    rng.shuffle(batches)
    losses = []
    for idx in batches:
        x = torch.nn.utils.rnn.pad_sequence([states[j] for j in idx], batch_first=True)
        labels = torch.nn.utils.rnn.pad_sequence(
            [torch.tensor(docs[j]) for j in idx], batch_first=True, padding_value=-100
        ).to(device)
        with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=device.startswith("cuda")):
            hidden = top.model(inputs_embeds=x, use_cache=False).last_hidden_state
            logits = top.lm_head(hidden[:, :-1]).float()
        loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), labels[:, 1:].flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    top.eval()
    return sum(losses) / len(losses)


def top_layers(base, k: int):
    """A model made of `base`'s top k layers (copies, trainable), final norm and frozen shared LM head."""
    cfg = copy.deepcopy(base.config)
    n_layers = cfg.num_hidden_layers
    cfg.num_hidden_layers, cfg.vocab_size, cfg.tie_word_embeddings = k, 8, False
    if getattr(cfg, "layer_types", None):
        cfg.layer_types = cfg.layer_types[-k:]
    top = type(base)(cfg)
    top.model.layers = copy.deepcopy(base.model.layers[n_layers - k :])
    top.model.norm = copy.deepcopy(base.model.norm)
    top.model.rotary_emb = base.model.rotary_emb
    top.lm_head = base.lm_head
    for p in top.lm_head.parameters():
        p.requires_grad_(False)
    for p in [*top.model.layers.parameters(), *top.model.norm.parameters()]:
        p.requires_grad_(True)
    return top
