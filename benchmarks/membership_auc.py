"""Honest membership-inference benchmark: fine-tune on a random half, score members vs non-members.

Protocol (shared/MEMBERSHIP.md): one pool of texts (Python standard-library docstrings of 200-600
characters by default, or `--texts FILE`), near-duplicates removed (word 3-gram Jaccard >= 0.5), split at
random into members, non-members and a population set. A bag-of-words classifier that never sees a
model must not tell members from non-members (gate AUC ~ 0.5). A copy of the target is fine-tuned on the
members for 1, 2 and 4 epochs; an "OUT" copy is fine-tuned the same way on the population set (an
offline LiRA shadow model, Carlini et al. 2022). Every text is scored with curate's batching and
vocabulary maths (`curate.membership.forward`, `.scores`) and every score is evaluated: ROC AUC and TPR at
1% FPR with bootstrap 95% intervals.

The decision score (`chosen`) is picked the way the pipeline picks it (`curate.membership.choose`):
known members (`--known`, texts trained into the target besides the evaluated members, standing in
for famous text) against held-back known non-members (`--held-back`, texts no model was tuned on),
highest TPR at 1% FPR among the scores a pipeline with one reference and an OUT reference computes;
it is then evaluated on the members and non-members, which played no part in the choice.
With `--compute-type int8` (CPU, ctranslate2 installed) the final epoch's models are also converted
to CTranslate2 and every text re-scored in int8: the `int8` table shows what the faster compute
type does to AUC and TPR.

Scores: loss (-bpb), zlib, zlib_diff, mink_pp (target only); ref_ratio (reference = the un-tuned model,
what a pipeline has); ref_ratio_out (reference = the OUT model); lira (K = 2 references, the un-tuned and
the OUT model: z of the target's -bpb against their per-text Gaussian, std floored at --lira-floor).

CPU budget (2 cores, SmolLM2-135M, < 20 min): only the top `--train-layers` layers are fine-tuned; the
frozen bottom is run once per text and its output states are shared by every model, so each model costs
its top layers plus the LM head. Scores are identical to full-model scores (checked against curate's
`TextScorer` on 16 texts in the same run). On CUDA, `--model pretrain:300m` builds a Llama from a config,
pre-trains it on the standard-library source of files disjoint from the evaluation texts, then runs the
same protocol with every layer fine-tuned (nothing to download; see benchmarks/gpu.sh).
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _membership_common as C  # noqa: E402

from curate.membership import forward, scores  # noqa: E402
from curate.membership.choose import choose_score  # noqa: E402
from curate.membership.models import LoadedModel, load_model  # noqa: E402
from curate.membership.outref import top_layers, train_epoch  # noqa: E402
from curate.membership.scorer import TextScorer  # noqa: E402


def make_top(base, k: int, device: str):
    """curate's out-reference model (`outref.top_layers`: `base`'s top k layers, final norm, frozen
    shared LM head) with its own rotary tables and the full vocabulary size, in float32 on `device`."""
    top = top_layers(base, k)
    top.model.rotary_emb = copy.deepcopy(base.model.rotary_emb)
    top.config.vocab_size = base.config.vocab_size
    return top.to(device).float()


@torch.no_grad()
def bottom_states(base, docs: list[list[int]], k: int, device: str, batch_tokens: int) -> list[torch.Tensor]:
    """Input states of the top k layers for every document (right-padded batches, no mask needed)."""
    n_layers = base.config.num_hidden_layers
    out: list[torch.Tensor | None] = [None] * len(docs)
    order = sorted(range(len(docs)), key=lambda i: -len(docs[i]))
    i = 0
    while i < len(order):
        rows = max(1, batch_tokens // len(docs[order[i]]))
        idx = order[i : i + rows]
        ids = torch.nn.utils.rnn.pad_sequence([torch.tensor(docs[j]) for j in idx], batch_first=True)
        hs = base.model(input_ids=ids.to(device), output_hidden_states=True, use_cache=False).hidden_states
        for r, j in enumerate(idx):
            out[j] = hs[n_layers - k][r, : len(docs[j])].float()
        i += rows
    return out


def score_top(top, tokenizer, docs, states, texts, device, dtype, batch_tokens, with_z=True):
    """DocScores from a top model with curate's batching and vocabulary maths (Min-K%++ if with_z)."""
    model = copy.deepcopy(top).to(dtype).eval() if dtype != torch.float32 else top.eval()
    lm = LoadedModel("bench", model, tokenizer, device)
    results = forward.score_ids(
        lm, docs, batch_tokens=batch_tokens, chunk_tokens=4096 if device != "cpu" else 1024, with_z=with_z,
        embed=lambda w: states[w.doc][w.start : w.start + len(w.ids)].to(dtype),
    )  # fmt: skip
    return [
        scores.DocScore(
            len(lp), float(-lp.sum()), len(t.encode("utf-8")), scores.mink_pp(z, 0.2) if with_z else None
        )
        for (lp, z), t in zip(results, texts, strict=True)
    ]


def pretrain(corpus: list[str], size: str, seconds: float, device: str):
    """A Llama of `size` trained from random init on `corpus` for `seconds` (bf16 autocast, AdamW)."""
    from transformers import LlamaForCausalLM

    tokenizer = C.train_bpe(corpus, 16384)
    encoded = tokenizer(corpus, add_special_tokens=False)["input_ids"]
    stream = [t for ids in encoded for t in [0, *ids]]
    seq, rows = 1024, 32
    data = torch.tensor(stream[: len(stream) // seq * seq]).view(-1, seq)
    model = LlamaForCausalLM(C.llama_config(size, len(tokenizer))).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=6e-4, weight_decay=0.1, betas=(0.9, 0.95))
    start, step, gen = time.perf_counter(), 0, torch.Generator().manual_seed(0)
    while time.perf_counter() - start < seconds:
        for g in opt.param_groups:
            g["lr"] = 6e-4 * min(1.0, (step + 1) / 100)
        batch = data[torch.randint(0, len(data), (rows,), generator=gen)].to(device)
        with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=device.startswith("cuda")):
            loss = model(input_ids=batch, labels=batch).loss
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 100 == 0:
            print(f"pretrain step {step}: loss {loss.item():.3f} ({time.perf_counter() - start:.0f} s)")
    tokens = step * rows * seq
    print(
        f"pretrained {size} for {step} steps ({tokens / 1e6:.1f}M tokens, corpus {data.numel() / 1e6:.1f}M)"
    )
    return LoadedModel(f"pretrain-{size}", model.eval(), tokenizer, device), {"steps": step, "tokens": tokens}


def texts_and_corpus(args) -> tuple[list[str], list[str]]:
    """The evaluation pool and (for --model pretrain:*) a pre-training corpus of files disjoint from it."""
    files = C.stdlib_files()
    random.Random(args.seed).shuffle(files)
    pretraining = args.model.startswith("pretrain:")
    eval_files = files[: len(files) // 2] if pretraining else files
    if args.texts:
        pool = C.read_jsonl(args.texts)
    else:
        pool = C.docstrings(eval_files, args.min_chars, args.max_chars)
    corpus = []
    if pretraining:
        held_out = set(eval_files) if not args.texts else set()
        corpus_files = [p for p in C.stdlib_files(tests=True) if p not in held_out][: args.corpus_files]
        corpus = [p.read_text("utf-8", "replace") for p in corpus_files]
    return C.near_dedup(pool), corpus


def compute(target, base, out, zbits, floor) -> dict[str, np.ndarray]:
    """Every score per text (higher = member)."""
    rows = []
    for t, b, o, z in zip(target, base, out, zbits, strict=True):
        s = scores.all_scores(t, [b, o], z, floor)
        rows.append({
            "loss": s["loss"], "zlib": s["zlib"], "zlib_diff": s["zlib_diff"], "mink_pp": s["mink_pp"],
            "ref_ratio": scores.ref_ratio(t.bpb, [b.bpb]), "ref_ratio_out": scores.ref_ratio(t.bpb, [o.bpb]),
            "lira": s["lira"],
        })  # fmt: skip
    return {name: np.array([r[name] for r in rows], dtype=float) for name in rows[0]}


CANDIDATES = ["zlib", "loss", "zlib_diff", "mink_pp", "ref_ratio", "ref_ratio_out"]  # one reference + OUT


def choose(values: dict[str, np.ndarray], n: int, n_known: int) -> dict:
    """The pipeline's choice on known members vs held-back non-members (TPR at 1% FPR), with figures."""
    known = {c: list(values[c][2 * n : 2 * n + n_known]) for c in CANDIDATES}
    held = {c: list(values[c][2 * n + n_known :]) for c in CANDIDATES}
    chosen, figures = choose_score(known, held, 0.01, CANDIDATES)
    return {"chosen": chosen, "figures": figures}


def rescore_ct2(args, lm, base, k: int, tops: dict, texts: list[str], zbits, n: int, n_known: int) -> dict:
    """Every text re-scored by CTranslate2 in `args.compute_type` under the final target, OUT and base."""
    import tempfile

    from curate.membership import ct2
    from curate.membership.models import LoadedModel as Loaded

    out: dict[str, list] = {}
    with tempfile.TemporaryDirectory(prefix="auc-ct2-") as tmp:
        for name, top in [("target", tops["target"]), ("out", tops["out"]), ("base", None)]:
            model = copy.deepcopy(base)
            if top is not None:
                for i, layer in enumerate(top.model.layers):
                    model.model.layers[model.config.num_hidden_layers - k + i] = layer
                model.model.norm = top.model.norm
            model.save_pretrained(Path(tmp) / name)
            lm.tokenizer.save_pretrained(Path(tmp) / name)
            gen = ct2.load_generator(ct2.converted(Path(tmp) / name, name, Path(tmp)), args.compute_type, 0)
            shim = Loaded(name, None, lm.tokenizer, "cpu", {"compute_type": args.compute_type}, "ct2", gen)
            results = ct2.score_ids(shim, [lm.encode(t) for t in texts], batch_tokens=args.batch_tokens)
            out[name] = [
                scores.DocScore(len(lp), float(-lp.sum()), len(t.encode("utf-8")))
                for (lp, _), t in zip(results, texts, strict=True)
            ]
    values = compute(out["target"], out["base"], out["out"], zbits, args.lira_floor)
    values["mink_pp"] = np.full(len(texts), np.nan)  # not available from score_batch
    table = {c: C.evaluate(v[:n], v[n : 2 * n]) for c, v in values.items() if c != "mink_pp"}
    choice = choose(values, n, n_known)
    return {"type": args.compute_type, "table": table, **choice}


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--texts", help="JSONL with a 'text' field (default: stdlib docstrings)")
    ap.add_argument("--quick", action="store_true", help="100 texts per side, epochs 1 and 2")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--model", default="smollm2", help="model spec, or pretrain:SIZE (tiny, small, 300m)")
    ap.add_argument("--n", type=int, default=200, help="members = non-members = n")
    ap.add_argument("--population", type=int, help="texts the OUT model is tuned on (default n / 2)")
    ap.add_argument("--epochs", default="1,2,4")
    ap.add_argument("--known", type=int, default=50, help="known members (trained in, used for the choice)")
    ap.add_argument("--held-back", type=int, default=100, help="held-back non-members (for the choice)")
    ap.add_argument("--compute-type", default="", help="also re-score the last epoch with ct2 (int8, CPU)")
    ap.add_argument("--train-layers", type=int, default=2, help="top layers fine-tuned (0 = all)")
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--min-chars", type=int, default=150)
    ap.add_argument("--max-chars", type=int, default=350)
    ap.add_argument("--pretrain-seconds", type=float, default=150)
    ap.add_argument("--corpus-files", type=int, help="cap on pre-training files (a quick test of the path)")
    ap.add_argument("--lira-floor", type=float, default=0.02, help="LiRA std floor, bits/byte")
    ap.add_argument("--batch-tokens", type=int, default=4096)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="benchmarks/results/membership_auc.json")
    args = ap.parse_args()
    if args.quick:
        args.n, args.epochs = min(args.n, 100), "1,2"
    return args


def print_table(epoch: int, table: dict) -> None:
    print(f"\n{epoch} epoch(s)   {'score':<14} {'AUC [95% CI]':<24} TPR@1%FPR [95% CI]")
    for name, r in table.items():
        auc, tpr = r["auc_ci95"], r["tpr_at_1pct_fpr_ci95"]
        print(
            f"             {name:<14} {r['auc']:.3f} [{auc[0]:.3f}, {auc[1]:.3f}]     "
            f"{r['tpr_at_1pct_fpr']:.3f} [{tpr[0]:.3f}, {tpr[1]:.3f}]"
        )


def main() -> None:
    args = parse_args()
    epochs = sorted(int(e) for e in args.epochs.split(","))
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:5.0f} s] {message}", flush=True)

    torch.manual_seed(args.seed)
    pool, corpus = texts_and_corpus(args)
    n, n_pop = args.n, args.population or args.n // 2
    n_known, n_held = args.known, args.held_back
    if 2 * n + n_pop + n_known + n_held > len(pool):  # another Python may hold fewer docstrings
        n, n_pop, n_known, n_held = len(pool) * 2 // 7, len(pool) // 7, len(pool) // 14, len(pool) // 7
        print(f"WARNING: only {len(pool)} texts: using {n} members, {n} non-members, {n_pop} population")
    members, non_members, population, known, held = C.split(pool, [n, n, n_pop, n_known, n_held], args.seed)
    gate = C.bow_gate_auc(members, non_members)
    log(f"pool of {len(pool)} texts after near-duplicate removal; bag-of-words gate AUC {gate:.3f}")
    setup: dict = {"pool": len(pool), "n_members": n, "n_non_members": n, "n_population": n_pop}
    setup.update(n_known_members=n_known, n_held_back=n_held)
    if args.model.startswith("pretrain:"):
        size = args.model.split(":")[1]
        lm, setup["pretrain"] = pretrain(corpus, size, args.pretrain_seconds, args.device)
    else:
        lm = load_model(args.model, args.device, "float32")
    base = lm.model
    k = args.train_layers or base.config.num_hidden_layers
    dtype = torch.bfloat16 if args.device.startswith("cuda") else torch.float32
    eval_texts = members + non_members + known + held  # the last two only choose the decision score
    ids = {"eval": [lm.encode(t) for t in eval_texts], "pop": [lm.encode(t) for t in population]}
    states = {name: bottom_states(base, d, k, args.device, args.batch_tokens) for name, d in ids.items()}
    log(f"bottom states of {sum(map(len, ids.values()))} texts under {lm.model_id}")
    run = {"tokenizer": lm.tokenizer, "docs": ids["eval"], "states": states["eval"], "texts": eval_texts}
    run.update(device=args.device, dtype=dtype, batch_tokens=args.batch_tokens)
    base_scores = score_top(make_top(base, k, args.device), **run, with_z=False)
    check_model = base if dtype == torch.float32 else copy.deepcopy(base).to(dtype).eval()
    check = TextScorer(LoadedModel(lm.model_id, check_model, lm.tokenizer, args.device)).score(
        eval_texts[:16]
    )
    gap = max(abs(a.bpb - b.bpb) for a, b in zip(check, base_scores, strict=False))
    log(f"shared-bottom scores vs curate TextScorer on {len(check)} texts: max |bpb difference| {gap:.1e}")
    setup.update(model=lm.model_id, train_layers=k, lr=args.lr, batch=args.batch, device=args.device)
    setup.update(mean_tokens=float(np.mean([len(d) for d in ids["eval"]])), check_max_bpb_gap=gap)
    training = {
        "target": (
            ids["eval"][:n] + ids["eval"][2 * n : 2 * n + n_known],
            states["eval"][:n] + states["eval"][2 * n : 2 * n + n_known],
        ),
        "out": (ids["pop"], states["pop"]),
    }
    trained: dict[str, dict[int, list]] = {}
    trained_tops: dict = {}
    for name, (docs, docs_states) in training.items():
        top = make_top(base, k, args.device)
        params = [p for p in top.parameters() if p.requires_grad]
        opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
        rng, trained[name] = random.Random(args.seed), {}
        for epoch in range(1, epochs[-1] + 1):
            loss = train_epoch(top, docs, docs_states, opt, args.batch, rng, args.device)
            log(f"{name} epoch {epoch}: train loss {loss:.3f}")
            if epoch in epochs:
                trained[name][epoch] = score_top(top, **run, with_z=name == "target")
        trained_tops[name] = top
    zbits = [scores.zlib_bits(t.encode("utf-8")) for t in eval_texts]
    tables, choices = {}, {}
    for epoch in epochs:
        values = compute(trained["target"][epoch], base_scores, trained["out"][epoch], zbits, args.lira_floor)
        tables[str(epoch)] = {name: C.evaluate(v[:n], v[n : 2 * n]) for name, v in values.items()}
        print_table(epoch, tables[str(epoch)])
        choices[str(epoch)] = choose(values, n, n_known)
        log(f"{epoch} epoch(s): the pipeline's choice: {choices[str(epoch)]['chosen']}")
    final = tables[str(epochs[-1])]
    chosen = choices[str(epochs[-1])]["chosen"]
    int8 = None
    if args.compute_type:
        int8 = rescore_ct2(args, lm, base, k, trained_tops, eval_texts, zbits, n, n_known)
        print_table(epochs[-1], int8["table"])
    seconds = time.perf_counter() - started
    result = {
        "chosen": chosen,
        "chosen_tpr_at_1pct_fpr": final[chosen]["tpr_at_1pct_fpr"],
        "chosen_auc": final[chosen]["auc"],
        "choice": choices,
        "compute_type": int8,
        "methods": {m: {"auc": r["auc"], "tpr_at_1pct_fpr": r["tpr_at_1pct_fpr"]} for m, r in final.items()},
        "epochs": tables,
        "gate": {"bag_of_words_auc": round(gate, 4), "ok": abs(gate - 0.5) < 0.1},
        "setup": setup,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(time.process_time(), 1),  # all threads; wall time depends on other load
    }
    if not result["gate"]["ok"]:
        print("WARNING: the bag-of-words gate tells members from non-members: the split is broken")
    kept = args.quick and Path(args.out).exists()  # a smoke test never overwrites measured results
    if not kept:
        C.write_json(args.out, result)
    r = final[chosen]
    where = f"{args.out} kept (quick run)" if kept else args.out
    log(f"chosen {chosen}: AUC {r['auc']:.3f}, TPR@1%FPR {r['tpr_at_1pct_fpr']:.3f} -> {where}")


if __name__ == "__main__":
    main()
