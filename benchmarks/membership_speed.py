"""Scoring throughput: curate's batching against naive loops, same model and documents, same run.

Methods (every one scores the same windows of the same documents and must give the same total NLL):
- naive_single: one window at a time, `model(ids).logits`, full float32 log-softmax.
- naive_padded: padded batches of 8 windows in arrival order with an attention mask, same maths.
- curate: `curate.membership.forward.score_ids`: length-sorted batches under a padded-token budget, no
  mask (right padding is exact under a causal mask, so SDPA takes its causal fast path), LM head and
  log-softmax in float32 chunks over scored positions only, Min-K%++ statistics included (the naive loops
  compute only the loss; `curate_<budget>_loss_only` shows curate without them). With `--compile` the
  same runs are repeated with the decoder layers compiled (`_compiled`; compile time reported apart).
- ct2_plain_<type> (CPU): plain CTranslate2 `Generator.score_batch` over the same windows, batches of
  `--naive-batch` examples (CTranslate2 sorts them by length itself), as a user would call it.
- curate_ct2_<type> (CPU): curate's CTranslate2 backend (`curate.membership.ct2.score_ids`): the same
  windows in curate's length-sorted batches under a padded-token budget. float32 must give the torch
  totals; int8 is faster and shifts them (its AUC effect: benchmarks/membership_auc.py --compute-type).
Under load (CPU): `--load 2` starts 2 busy background processes (pure Python loops, one core each),
repeats curate's best method, stops them; `loaded_vs_quiet` = its rate under load / its quiet rate.
tokens/s counts scored document tokens. MFU = achieved model FLOP/s over the peak bf16 dense FLOP/s
(989 TFLOP/s for H100/H200 SXM), with forward FLOPs per window of T real tokens = 2 N T + 2 L d T^2
(N = matmul parameters incl. the LM head, not the embedding lookup; the second term is QK^T and AV with
the causal half, Kaplan et al. 2020 / PaLM appendix B). Padding is not counted as useful work.

CPU: SmolLM2-135M (float32) on standard-library docstrings of 300-6000 characters. CUDA:
`--model random:8b`, a Llama-3.1-8B-shaped model built from its config with random weights in bf16
(nothing downloaded) on synthetic token ids with a log-normal length distribution (median ~700 tokens,
windows of 2048). Methods run in rounds, round robin, and each keeps its fastest round, so background
load on a shared machine hits every method alike.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _membership_common as C  # noqa: E402

from curate.membership import forward  # noqa: E402
from curate.membership.models import LoadedModel, compile_layers, load_model  # noqa: E402

PEAK_TFLOPS = {"H100": 989.0, "H200": 989.0, "A100": 312.0}


def build_random(size: str, device: str) -> LoadedModel:
    """A Llama of a named size with random weights (bf16 on CUDA, float32 on CPU); no tokenizer needed."""
    from transformers import AutoModelForCausalLM

    dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    config = C.llama_config(size, vocab_size=128256 if size == "8b" else 512, max_positions=8192)
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config, dtype=dtype, attn_implementation="sdpa").eval()
    tokenizer = SimpleNamespace(pad_token_id=2, eos_token_id=1, bos_token_id=0)
    return LoadedModel(f"random-{size}", model, tokenizer, device)


def documents(lm: LoadedModel, args) -> list[list[int]]:
    """Token ids (BOS first) of the benchmark documents."""
    rng = np.random.default_rng(0)
    if args.model.startswith("random:"):
        lengths = np.clip(rng.lognormal(np.log(700), 0.9, args.docs), 16, 6000).astype(int)
        vocab = lm.model.config.vocab_size
        return [[0, *rng.integers(3, vocab, n).tolist()] for n in lengths]
    texts = C.docstrings(C.stdlib_files(), 300, 6000)
    picked = [texts[i] for i in rng.choice(len(texts), args.docs, replace=False)]
    return [lm.encode(t) for t in picked]


def sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def plain_ct2(lm: LoadedModel, windows: list[forward.Window], batch: int) -> float:
    """Total log-likelihood of the scored tokens from one plain `score_batch` call (CTranslate2 batches)."""
    tokens = [lm.tokenizer.convert_ids_to_tokens(w.ids) for w in windows]
    results = lm.generator.score_batch(tokens, max_batch_size=batch, max_input_length=0)
    return float(sum(sum(r.log_probs[w.first - 1 :]) for r, w in zip(results, windows, strict=True)))


def busy(n: int) -> list:
    """Start `n` background processes that each keep one core busy (a Python loop)."""
    import subprocess

    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


@torch.inference_mode()
def naive(lm: LoadedModel, windows: list[forward.Window], batch: int) -> float:
    """Total log-likelihood of the scored tokens, batches of `batch` windows in arrival order."""
    total = 0.0
    for start in range(0, len(windows), batch):
        group = windows[start : start + batch]
        longest = max(len(w.ids) for w in group)
        ids = torch.full((len(group), longest), lm.pad_id)
        mask = torch.zeros((len(group), longest), dtype=torch.long)
        for r, w in enumerate(group):
            ids[r, : len(w.ids)], mask[r, : len(w.ids)] = torch.tensor(w.ids), 1
        ids, mask = ids.to(lm.device), mask.to(lm.device)
        logits = lm.model(input_ids=ids, attention_mask=mask, use_cache=False).logits
        logp = torch.log_softmax(logits.float(), dim=-1)[:, :-1].gather(2, ids[:, 1:, None])[..., 0]
        for r, w in enumerate(group):
            total += float(logp[r, w.first - 1 : len(w.ids) - 1].sum())
    return total


def model_flops(lm: LoadedModel, windows: list[forward.Window]) -> float:
    cfg = lm.model.config
    embed = lm.model.get_input_embeddings().weight.numel()
    n_matmul = sum(p.numel() for p in lm.model.parameters()) - embed
    if cfg.tie_word_embeddings:
        n_matmul += embed
    lengths = np.array([len(w.ids) for w in windows], dtype=float)
    return float(
        2 * n_matmul * lengths.sum() + 2 * cfg.num_hidden_layers * cfg.hidden_size * (lengths**2).sum()
    )


def timed(device: str, fn) -> tuple[float, float]:
    sync(device)
    start = time.perf_counter()
    value = fn()
    sync(device)
    return value, time.perf_counter() - start


def rounds(args, methods: dict, runs: dict, scored: int) -> None:
    """Run every method `args.repeats` times, round robin; keep each method's fastest run in `runs`."""
    for round_ in range(args.repeats):  # round robin, so background load hits every method alike
        for name, fn in methods.items():
            total, seconds = timed(args.device, fn)
            print(
                f"round {round_}: {name:<28} {scored / seconds:8.0f} tokens/s ({seconds:.1f} s)", flush=True
            )
            if name not in runs or seconds < runs[name]["seconds"]:
                runs[name] = {"seconds": seconds, "tokens_per_s": scored / seconds, "total_logp": total}


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--model", help="model spec or random:SIZE (default: smollm2 on cpu, random:8b on cuda)")
    ap.add_argument("--docs", type=int, help="documents (default 40 on cpu, 300 on cuda)")
    ap.add_argument("--window", type=int, default=2048)
    ap.add_argument("--stride", type=int, default=1536)
    ap.add_argument("--batch-tokens", help="comma list of curate budgets (default 16384,32768,65536 / 2048)")
    ap.add_argument("--naive-batch", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=2, help="rounds; each method keeps its fastest round")
    ap.add_argument("--compile", action="store_true", help="also run curate with compiled decoder layers")
    ap.add_argument("--peak-tflops", type=float, help="peak bf16 dense TFLOP/s (default from the GPU name)")
    ap.add_argument("--out", help="result JSON (default benchmarks/results/membership_speed_<device>.json)")
    ap.add_argument("--ct2-types", default="float32,int8", help="CTranslate2 compute types (CPU; '' = none)")
    ap.add_argument("--ct2-batch-tokens", default="1024,4096", help="curate's ct2 padded-token budgets")
    ap.add_argument("--load", type=int, default=2, help="busy background processes for loaded_vs_quiet (CPU)")
    ap.add_argument("--quick", action="store_true", help="8 documents, one round")
    args = ap.parse_args()
    cuda = args.device == "cuda"
    args.model = args.model or ("random:8b" if cuda else "smollm2")
    args.docs = args.docs or (300 if cuda else 8 if args.quick else 40)
    args.repeats = 1 if args.quick else args.repeats
    args.batch_tokens = args.batch_tokens or ("16384,32768,65536" if cuda else "2048")
    return args


def main() -> None:
    args = parse_args()
    cuda = args.device == "cuda"
    if args.model.startswith("random:"):
        lm = build_random(args.model.split(":")[1], args.device)
    else:
        lm = load_model(args.model, args.device)
    docs = documents(lm, args)
    windows = [
        w for d, ids in enumerate(docs) for w in forward.make_windows(d, ids, args.window, args.stride)
    ]
    scored = sum(len(w.ids) - w.first for w in windows)
    flops = model_flops(lm, windows)
    print(f"{lm.model_id}: {len(docs)} docs, {len(windows)} windows, {scored} scored tokens", flush=True)
    forward.score_ids(lm, docs[:4], window=args.window, stride=args.stride)  # warm-up (kernels, allocator)
    naive(lm, windows[:2], 1)
    methods = {"naive_single": lambda: naive(lm, windows, 1)}
    methods["naive_padded"] = lambda: naive(lm, windows, args.naive_batch)
    for budget in (int(b) for b in args.batch_tokens.split(",")):
        options = {"window": args.window, "stride": args.stride, "batch_tokens": budget}
        options["chunk_tokens"] = 4096 if cuda else 1024
        methods[f"curate_{budget}"] = lambda o=options: float(
            sum(r[0].sum() for r in forward.score_ids(lm, docs, **o))
        )
        methods[f"curate_{budget}_loss_only"] = lambda o=options: float(
            sum(r[0].sum() for r in forward.score_ids(lm, docs, with_z=False, **o))
        )
    if not cuda and args.ct2_types:
        from curate.membership import ct2

        for ctype in args.ct2_types.split(","):
            c = load_model(args.model, "cpu", backend="ct2", compute_type=ctype)
            methods[f"ct2_plain_{ctype}"] = lambda c=c: plain_ct2(c, windows, args.naive_batch)
            for budget in (int(b) for b in args.ct2_batch_tokens.split(",")):
                options = {"window": args.window, "stride": args.stride, "batch_tokens": budget}
                methods[f"curate_ct2_{ctype}_{budget}"] = lambda c=c, o=options: float(
                    sum(r[0].sum() for r in ct2.score_ids(c, docs, **o))
                )
    runs: dict[str, dict] = {}
    rounds(args, methods, runs, scored)
    if not cuda and args.load:
        best = max(curate_methods(runs), key=lambda k: runs[k]["tokens_per_s"])
        procs = busy(args.load)
        try:
            loaded: dict[str, dict] = {}
            rounds(args, {best: methods[best]}, loaded, scored)
            runs[f"{best}_loaded"] = loaded[best]
        finally:
            for p in procs:
                p.kill()
                p.wait()
    report(args, lm, runs, scored, flops, None)  # written now too, in case the compiled runs never end
    if args.compile:  # same model, decoder layers compiled; compile time measured apart
        try:
            compile_layers(lm.model)
            _, seconds = timed(args.device, lambda: forward.score_ids(lm, docs[:8], batch_tokens=4096))
            print(f"compiled the decoder layers in {seconds:.0f} s", flush=True)
            compiled = {f"{k}_compiled": f for k, f in methods.items() if k.startswith("curate_")}
            rounds(args, compiled, runs, scored)
            report(args, lm, runs, scored, flops, seconds)
        except Exception as exc:  # noqa: BLE001 - keep the eager results if the compiler fails here
            print(f"torch.compile failed, eager results only: {exc!r}", flush=True)


def curate_methods(runs: dict) -> list[str]:
    """curate's complete methods (Min-K%++ included on torch; ct2 gives no Min-K%++), quiet runs only."""
    return [
        k for k in runs if k.startswith("curate_") and "_loss_only" not in k and not k.endswith("_loaded")
    ]


def report(args, lm: LoadedModel, runs: dict, scored: int, flops: float, compile_seconds) -> None:
    """Print the summary and write the result JSON."""
    cuda = args.device == "cuda"
    best = max(curate_methods(runs), key=lambda k: runs[k]["tokens_per_s"])
    naive_best = max(runs["naive_single"]["tokens_per_s"], runs["naive_padded"]["tokens_per_s"])
    reference = runs["naive_single"]["total_logp"]
    exact = {k: r for k, r in runs.items() if "int8" not in k}  # int8 shifts log-probs by design
    agree = max(abs(r["total_logp"] - reference) / abs(reference) for r in exact.values())
    plains = sorted((k for k in runs if k.startswith("ct2_plain_")), key=lambda k: -runs[k]["tokens_per_s"])
    plain = next(
        (k for k in plains if best.startswith(f"curate_ct2_{k[10:]}_")), plains[0] if plains else None
    )
    loaded = runs.get(f"{best}_loaded")
    name = torch.cuda.get_device_name() if cuda else "cpu"
    peak = args.peak_tflops or next((v for k, v in PEAK_TFLOPS.items() if k in name), None)
    for r in runs.values():
        r["mfu"] = round(flops / r["seconds"] / (peak * 1e12), 4) if peak else None
    result = {
        "device": name,
        "model": lm.model_id,
        "docs": args.docs,
        "scored_tokens": scored,
        "tokens_per_s": round(runs[best]["tokens_per_s"], 1),
        "naive_tokens_per_s": round(naive_best, 1),
        "speedup": round(runs[best]["tokens_per_s"] / naive_best, 3),  # against the faster naive loop
        "speedup_vs_single": round(runs[best]["tokens_per_s"] / runs["naive_single"]["tokens_per_s"], 3),
        "speedup_vs_ct2": round(runs[best]["tokens_per_s"] / runs[plain]["tokens_per_s"], 3)
        if plain
        else None,
        "ct2_plain": plain,
        "loaded_vs_quiet": round(loaded["tokens_per_s"] / runs[best]["tokens_per_s"], 3) if loaded else None,
        "background_processes": args.load if loaded else 0,
        "mfu": runs[best]["mfu"],
        "best": best,
        "runs": runs,
        "max_relative_nll_difference": agree,
        "threads": torch.get_num_threads(),
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),  # other work on a shared machine
        "peak_tflops": peak,
        "compile_seconds": compile_seconds,
    }
    speed, mfu = result["tokens_per_s"], result["mfu"]
    print(f"largest relative difference of total NLL between exact methods: {agree:.1e}")
    if plain:
        print(
            f"vs plain CTranslate2 ({plain}): {result['speedup_vs_ct2']:.2f}x; "
            f"loaded/quiet {result['loaded_vs_quiet']}"
        )
    print(
        f"curate {speed:.0f} tokens/s ({best}) vs naive {naive_best:.0f}: {result['speedup']:.2f}x, MFU {mfu}"
    )
    out = args.out or f"benchmarks/results/membership_speed_{args.device}.json"
    if not args.quick or not Path(out).exists():  # a smoke test never overwrites measured results
        C.write_json(out, result)


if __name__ == "__main__":
    main()
