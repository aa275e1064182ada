"""Shared pieces of the membership benchmarks: text pools, metrics, the bag-of-words gate, model builders.

Metrics (one definition everywhere):
- ROC AUC = P(s_member > s_non) + P(tie) / 2 (Mann-Whitney U / (n_m n_n)), from average ranks.
- TPR at FPR x: the empirical ROC curve through the points (FPR, TPR) at every distinct threshold,
  starting at (0, 0); linear interpolation between the last point with FPR <= x and the next one.
- 95% interval: percentile bootstrap, members and non-members resampled separately (1,000 draws).
"""

from __future__ import annotations

import ast
import inspect
import json
import random
import re
import sysconfig
from pathlib import Path

import numpy as np

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]+")
SKIP_DIRS = {"test", "tests", "idlelib", "site-packages", "lib2to3", "tkinter", "turtledemo", "ensurepip"}


def stdlib_files(tests: bool = False) -> list[Path]:
    """Python source files of this interpreter's standard library (test suites only if `tests`)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    skip = SKIP_DIRS - ({"test", "tests"} if tests else set())
    return [p for p in sorted(root.rglob("*.py")) if not skip & set(p.relative_to(root).parts)]


def docstrings(files: list[Path], min_chars: int, max_chars: int) -> list[str]:
    """Cleaned docstrings of modules, classes and functions in `files`, min_chars..max_chars long."""
    out = []
    for path in files:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, OSError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node)
                if doc and min_chars <= len(doc := inspect.cleandoc(doc)) <= max_chars:
                    out.append(doc)
    return out


def read_jsonl(path: str | Path, key: str = "text") -> list[str]:
    return [
        json.loads(line)[key] for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def shingles(text: str, n: int = 3) -> set[tuple[str, ...]]:
    words = WORD.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


def near_dedup(texts: list[str], threshold: float = 0.5) -> list[str]:
    """Keep the first of every group of texts whose word-3-gram Jaccard similarity is >= threshold."""
    kept: list[str] = []
    kept_sets: list[set] = []
    index: dict[tuple, list[int]] = {}
    for text in texts:
        sh = shingles(text)
        candidates = {j for g in sh for j in index.get(g, ())}
        if any(len(sh & kept_sets[j]) / max(1, len(sh | kept_sets[j])) >= threshold for j in candidates):
            continue
        for g in sh:
            index.setdefault(g, []).append(len(kept))
        kept.append(text)
        kept_sets.append(sh)
    return kept


def _ranks(x: np.ndarray) -> np.ndarray:
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x))
    sorted_x = x[order]
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and sorted_x[j + 1] == sorted_x[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def roc_auc(members: np.ndarray, non_members: np.ndarray) -> float:
    ranks = _ranks(np.concatenate([members, non_members]))
    n_m, n_n = len(members), len(non_members)
    return float((ranks[:n_m].sum() - n_m * (n_m + 1) / 2) / (n_m * n_n))


def tpr_at_fpr(members: np.ndarray, non_members: np.ndarray, fpr: float = 0.01) -> float:
    thresholds = np.unique(np.concatenate([members, non_members]))[::-1]
    tpr = np.concatenate([[0.0], [(members >= t).mean() for t in thresholds]])
    fprs = np.concatenate([[0.0], [(non_members >= t).mean() for t in thresholds]])
    i = int(np.searchsorted(fprs, fpr, side="right")) - 1  # last point with FPR <= fpr
    if i + 1 >= len(fprs) or fprs[i] == fpr:
        return float(tpr[i])
    frac = (fpr - fprs[i]) / (fprs[i + 1] - fprs[i])
    return float(tpr[i] + frac * (tpr[i + 1] - tpr[i]))


def evaluate(members, non_members, n_boot: int = 1000, seed: int = 0) -> dict[str, float | list[float]]:
    """AUC and TPR@1%FPR with bootstrap 95% intervals (higher score = member)."""
    m, n = np.asarray(members, dtype=float), np.asarray(non_members, dtype=float)
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_boot):
        bm, bn = rng.choice(m, len(m)), rng.choice(n, len(n))
        boots.append((roc_auc(bm, bn), tpr_at_fpr(bm, bn)))
    lo, hi = np.percentile(np.array(boots), [2.5, 97.5], axis=0)
    return {
        "auc": round(roc_auc(m, n), 4),
        "auc_ci95": [round(lo[0], 4), round(hi[0], 4)],
        "tpr_at_1pct_fpr": round(tpr_at_fpr(m, n), 4),
        "tpr_at_1pct_fpr_ci95": [round(lo[1], 4), round(hi[1], 4)],
    }


def bow_gate_auc(members: list[str], non_members: list[str], folds: int = 5, seed: int = 0) -> float:
    """Out-of-fold AUC of an L2 logistic regression on binary bag-of-words features (no model)."""
    texts = members + non_members
    y = np.array([1.0] * len(members) + [0.0] * len(non_members))
    counts: dict[str, int] = {}
    for t in texts:
        for w in set(WORD.findall(t.lower())):
            counts[w] = counts.get(w, 0) + 1
    vocab = {w: i for i, w in enumerate(w for w, c in counts.items() if c >= 2)}
    x = np.zeros((len(texts), len(vocab)), dtype=np.float32)
    for r, t in enumerate(texts):
        for w in set(WORD.findall(t.lower())):
            if w in vocab:
                x[r, vocab[w]] = 1.0
    fold = np.random.default_rng(seed).permutation(len(texts)) % folds
    pred = np.zeros(len(texts))
    for f in range(folds):
        tr, te = fold != f, fold == f
        w, b = np.zeros(x.shape[1]), 0.0
        for _ in range(300):  # gradient descent on the mean log-loss + 1e-2 |w|^2
            p = 1 / (1 + np.exp(-(x[tr] @ w + b)))
            w -= 0.5 * (x[tr].T @ (p - y[tr]) / tr.sum() + 1e-2 * w)
            b -= 0.5 * float((p - y[tr]).mean())
        pred[te] = x[te] @ w + b
    return roc_auc(pred[y == 1], pred[y == 0])


def split(texts: list[str], sizes: list[int], seed: int) -> list[list[str]]:
    """Random disjoint subsets of the given sizes."""
    shuffled = texts[:]
    random.Random(seed).shuffle(shuffled)
    if sum(sizes) > len(shuffled):
        raise SystemExit(f"need {sum(sizes)} texts after near-duplicate removal, found {len(shuffled)}")
    out, start = [], 0
    for size in sizes:
        out.append(shuffled[start : start + size])
        start += size
    return out


def train_bpe(texts: list[str], vocab_size: int):
    """A byte-level BPE tokenizer trained on `texts` (no download), with <s> as BOS and <pad>."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<s>", "</s>", "<pad>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(texts, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>")


LLAMA_SIZES = {  # hidden, layers, heads, kv heads, intermediate
    "tiny": (64, 2, 4, 2, 128),
    "small": (512, 8, 8, 4, 1536),
    "300m": (1024, 24, 16, 8, 2816),
    "8b": (4096, 32, 32, 8, 14336),  # Llama-3.1-8B
}


def llama_config(size: str, vocab_size: int, max_positions: int = 4096):
    """A LlamaConfig of a named size (8b = Llama-3.1-8B's shape with the given vocabulary)."""
    from transformers import LlamaConfig

    hidden, layers, heads, kv, inter = LLAMA_SIZES[size]
    return LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=hidden,
        intermediate_size=inter,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=kv,
        max_position_embeddings=max_positions,
        rope_theta=500000.0,
        tie_word_embeddings=False,
        bos_token_id=0,
        eos_token_id=1,
        pad_token_id=2,
    )


def write_json(path: str | Path, data: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
