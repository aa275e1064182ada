"""Train the `article` step's line models (src/curate/extract/line_model.py) on the development set.

Data: the extraction development set (`index.jsonl` + `pages/`, see benchmarks/extraction.py);
ONLY the pages whose id ends in 0-7 are used to fit and choose. Every page goes through the
`article` step up to the line models (`ArticleExtract.candidate`).

- `--target drop` (the line filter): each line of the text is labelled boilerplate (1) when it
  holds a 'without' snippet (or is part of one), content (0) when it holds or is part of a 'with'
  snippet; other lines are left out. `--rules`: the furniture line rules run first (as at run
  time with `phrases: true`).
- `--target add` (the additions): each paragraph of resiliparse's text that the text lacks is
  labelled content (1) or boilerplate (0) the same way.

A logistic regression (`--kind lr`) or boosted trees (`--kind gbt`, at most 40 trees so that
the shipped parameters stay a few KB; scikit-learn) are cross-validated by the id's last digit
(8 folds): for each setting and threshold the out-of-fold decisions are applied and the pages
scored as the benchmark does. The best pair is refitted on all of 0-7 and, with `--write`,
written to src/curate/extract/line_model_weights.py or line_add_weights.py. The pages ending in
8-9 are only scored, as a report. The shipped models:

    python scripts/train_line_model.py --target drop --rules --kind lr --write
    python scripts/train_line_model.py --target add --kind gbt --write
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from curate.extract.line_features import addition_features, line_features, norm  # noqa: E402

_MIN_PART = 20  # a line of at least this many characters inside a snippet takes its label


def label(line: str, item: dict) -> int | None:
    key = norm(line)
    bad = any(norm(s) in key or (len(key) >= _MIN_PART and key in norm(s)) for s in item["without"])
    good = any(norm(s) in key or (len(key) >= _MIN_PART and key in norm(s)) for s in item["with"])
    if bad == good:
        return None
    return 1 if bad else 0


def featurize(
    data: Path, index: list[dict], target: str
) -> dict[str, tuple[list[str], list[str], list[dict]]]:
    """Per page: (lines kept whatever the model says, candidate lines, their features)."""
    from curate.extract.article import ArticleExtract
    from curate.extract.line_rules import clean_lines

    step = ArticleExtract(line_model=False, phrases=target == "add")
    out = {}
    for n, item in enumerate(index):
        raw = (data / "pages" / f"{item['id']}.html").read_bytes()
        try:
            text, meta, _, tree, second = step.candidate(raw)
        except Exception:
            out[item["id"]] = ([], [], [])
            continue
        lines = [line for line in text.split("\n") if line.strip()]
        if target == "add":
            extra, rows = addition_features(text, clean_lines(second, meta.title), tree, meta.title)
            out[item["id"]] = (lines, extra, rows)
        else:
            out[item["id"]] = ([], lines, line_features(lines, tree, second, meta.title) if lines else [])
        if n % 100 == 0:
            print(f"  featurized {n}/{len(index)}", file=sys.stderr)
    return out


def score(index, kept: dict[str, list[str]]) -> float:
    tp = fp = fn = 0
    for item in index:
        text = norm(" ".join(kept.get(item["id"], [])))
        a = sum(norm(w) in text for w in item["with"]) if text else 0
        b = sum(norm(w) in text for w in item["without"]) if text else 0
        tp, fp, fn = tp + a, fp + b, fn + len(item["with"]) - a
    p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return 2 * p * r / max(1e-9, p + r)


def main() -> int:
    import numpy as np
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("CURATE_EXTRACTION_DEV", str(ROOT.parent / "shared/data/extraction-dev"))
    ap.add_argument("--data", default=default, help="the extraction-dev directory")
    ap.add_argument("--cache", help="pickle of the featurized pages (reused when present)")
    ap.add_argument("--write", action="store_true", help="write line_model_weights.py")
    ap.add_argument("--kind", choices=("gbt", "lr"), default="gbt", help="boosted trees or logistic")
    ap.add_argument("--target", choices=("drop", "add"), default="drop", help="line filter or additions")
    ap.add_argument("--rules", action="store_true", help="drop furniture lines by rule before the model")
    ap.add_argument("--depth", type=int, default=3, help="depth of the boosted trees")
    args = ap.parse_args()
    logging.disable(logging.CRITICAL)
    data = Path(args.data)
    index = [json.loads(line) for line in open(data / "index.jsonl", encoding="utf-8")]
    if args.cache and Path(args.cache).exists():
        feats = pickle.loads(Path(args.cache).read_bytes())
    else:
        feats = featurize(data, index, args.target)
        if args.cache:
            Path(args.cache).write_bytes(pickle.dumps(feats))
    if args.rules:  # the furniture line rules run first; the model sees what they keep
        for pid, (fixed, lines, rows) in feats.items():
            pairs = [(x, r) for x, r in zip(lines, rows, strict=False) if "furniture_none" in r]
            feats[pid] = (fixed, [x for x, _ in pairs], [r for _, r in pairs])
    dev = [i for i in index if i["id"][-1] in "01234567"]
    holdout = [i for i in index if i["id"][-1] in "89"]
    names = sorted({k for item in dev for row in feats[item["id"]][2] for k in row} - {"bias"})
    add = args.target == "add"  # the positive class: content to add, else boilerplate to drop

    def matrix(items):
        x, y, where = [], [], []
        for item in items:
            _, lines, rows = feats[item["id"]]
            for j, (line, row) in enumerate(zip(lines, rows, strict=False)):
                x.append([row.get(k, 0.0) for k in names])
                y.append(label(line, item))
                if add and y[-1] is not None:
                    y[-1] = 1 - y[-1]
                where.append((item["id"], j))
        return np.array(x), y, where

    def fit(items, c):
        x, y, _ = matrix(items)
        keep = [i for i, v in enumerate(y) if v is not None]
        if args.kind == "lr":
            model = LogisticRegression(C=c, max_iter=3000)
        else:
            model = GradientBoostingClassifier(
                n_estimators=int(c), max_depth=args.depth, learning_rate=0.1, subsample=0.8, random_state=0
            )
        model.fit(x[keep], np.array([y[i] for i in keep]))
        return model

    def kept_lines(items, probs_by_page, threshold):
        out = {}
        for item in items:
            fixed, lines, _ = feats[item["id"]]
            probs = probs_by_page.get(item["id"], [0.0] * len(lines))
            if add:
                out[item["id"]] = fixed + [x for x, p in zip(lines, probs, strict=False) if p > threshold]
            else:
                chosen = [x for x, p in zip(lines, probs, strict=False) if p <= threshold]
                out[item["id"]] = chosen if chosen else lines
        return out

    def predict(model, items):
        x, _, where = matrix(items)
        probs: dict[str, list[float]] = {}
        if len(x):
            for (pid, _), p in zip(where, model.predict_proba(x)[:, 1], strict=False):
                probs.setdefault(pid, []).append(float(p))
        return probs

    base = {i["id"]: feats[i["id"]][0] if add else feats[i["id"]][1] for i in index}
    print(f"without the model: dev F1 {score(dev, base):.4f}  holdout F1 {score(holdout, base):.4f}")
    thresholds = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    best = (score(dev, base), None, None)
    for c in (0.1, 1.0, 10.0) if args.kind == "lr" else (20, 40):  # <= 40 trees: a few KB to ship
        oof: dict[str, list[float]] = {}
        for digit in "01234567":
            train = [i for i in dev if i["id"][-1] != digit]
            oof.update(predict(fit(train, c), [i for i in dev if i["id"][-1] == digit]))
        for t in thresholds:
            f1 = score(dev, kept_lines(dev, oof, t))
            print(f"C {c:5}  threshold {t:.2f}  cross-validated dev F1 {f1:.4f}")
            if f1 > best[0]:
                best = (f1, c, t)
    print(f"best: {best}")
    if best[1] is None:
        return 0
    model = fit(dev, best[1])
    probs = predict(model, holdout)
    print(f"report only: holdout F1 {score(holdout, kept_lines(holdout, probs, best[2])):.4f}")
    if args.write:
        name = "line_add_weights.py" if add else "line_model_weights.py"
        (ROOT / "src/curate/extract" / name).write_text(export(model, names, best[2]))
    return 0


def export(model, names: list[str], threshold: float) -> str:
    """The model as a Python module: THRESHOLD, and TREES (per tree its nodes: [feature index in
    FEATURES, cut, left, right] or a leaf [value]; with the initial log-odds INIT and the learning
    rate RATE) or WEIGHTS (logistic)."""
    head = '"""The `article` step\'s line model, generated by scripts/train_line_model.py."""\n\n'
    head += f"THRESHOLD = {threshold!r}\n\n"
    if hasattr(model, "coef_"):
        weights = {"bias": round(float(model.intercept_[0]), 4)}
        weights.update({k: round(float(w), 4) for k, w in zip(names, model.coef_[0], strict=False)})
        return head + f"WEIGHTS = {weights!r}\n\nTREES = None\n"
    import numpy as np

    prior = float(model.init_.class_prior_[1])
    used = sorted({names[f] for est in model.estimators_[:, 0] for f in est.tree_.feature if f >= 0})
    trees = []
    for est in model.estimators_[:, 0]:
        t = est.tree_
        nodes = []
        for i in range(t.node_count):
            if t.children_left[i] == -1:  # a leaf: [value]
                nodes.append([round(float(t.value[i][0][0]), 4)])
            else:  # [feature, cut, left, right]
                feature = used.index(names[t.feature[i]])
                cut = round(float(t.threshold[i]), 4)
                nodes.append([feature, cut, int(t.children_left[i]), int(t.children_right[i])])
        trees.append(nodes)
    init = round(float(np.log(prior / (1 - prior))), 6)
    return head + (
        f"INIT = {init!r}\nRATE = {model.learning_rate!r}\nWEIGHTS = None\nFEATURES = {used!r}\n\n"
        f"TREES = {json.dumps(trees, separators=(',', ':'))}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
