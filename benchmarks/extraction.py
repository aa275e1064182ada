"""Main-text extraction quality and speed: curate's `article` step against every extractor here.

Data: the development set of 990 real web pages in many languages (`extraction-dev/`: `pages/NNNN.html`
and `index.jsonl`, each page with 'with' snippets that belong to its main text and 'without'
snippets that must not appear: navigation, comments, related links, captions). Found at `--data`,
else `$CURATE_EXTRACTION_DEV`, else `../shared/data/extraction-dev` beside the repository; the
benchmark says so and exits 0 when it is absent.

Scoring (the development set's own counting): per page, after collapsing whitespace, tp = 'with'
snippets found in the text, fn = missed, fp = 'without' snippets found; a page without text
scores no tp and no fp. Precision, recall and F1 over all snippets of all pages. Development
used only the pages whose id ends in 0-7; `f1_holdout` is the F1 on the pages ending in 8-9.

Extractors, one after the other in this process on the same bytes (already in memory):
curate (`ArticleExtract` with its defaults), `html` (curate's plain trafilatura step),
trafilatura 2.x `extract` with its defaults, `favor_precision` and `favor_recall`, resiliparse
(main content), readability-lxml, jusText (stop list from `<html lang>`, else English). One
missing from this machine is skipped with a message. `docs_per_s` = pages / seconds inside the
extractor (one core).

    python benchmarks/extraction.py [--quick] [--data DIR] [--only NAME,...] [--dump DIR] [--worst N]

`--quick` scores 80 pages (a smoke test, ~10 s; it does not replace a full result). The headline
(curate's F1 against the best baseline, and its speed against trafilatura's) is printed last.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _common import write_result  # noqa: E402

_SPACE = re.compile(r"\s+")
_BLOCK_TAGS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "tr", "br", "blockquote", "pre")
_JUSTEXT_LANGS = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "pl": "Polish", "fi": "Finnish", "sv": "Swedish", "da": "Danish", "no": "Norwegian_Bokmal",
    "nb": "Norwegian_Bokmal", "cs": "Czech", "ru": "Russian", "hu": "Hungarian", "tr": "Turkish",
    "el": "Greek", "ro": "Romanian", "sk": "Slovak", "uk": "Ukrainian", "id": "Indonesian", "ca": "Catalan",
}  # fmt: skip


def norm(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


def counts(item: dict, text: str | None) -> tuple[int, int, int]:
    """(tp, fp, fn) of one page, counted as score_extraction.py does."""
    t = norm(text)
    tp = sum(norm(w) in t for w in item["with"]) if t else 0
    fp = sum(norm(w) in t for w in item["without"]) if t else 0
    return tp, fp, len(item["with"]) - tp


def prf(index: list[dict], texts: dict[str, str]) -> dict[str, float]:
    tp = fp = fn = 0
    for item in index:
        a, b, c = counts(item, texts.get(item["id"]))
        tp, fp, fn = tp + a, fp + b, fn + c
    p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return {"f1": round(2 * p * r / max(1e-9, p + r), 4), "precision": round(p, 4), "recall": round(r, 4)}


def _curate(plain: bool):
    from datatrove.data import Document

    from curate import data as M
    from curate.extract.article import ArticleExtract

    step = ArticleExtract(plain=plain)

    def run(raw: bytes) -> str:
        doc = Document(text="", id="x", metadata={M.RAW: raw, M.CONTENT_TYPE: "text/html"})
        step.process(doc)
        return "" if doc.metadata.get(M.REASON) else doc.text

    return run


def _trafilatura(**options):
    import trafilatura

    return lambda raw: trafilatura.extract(raw, **options) or ""


def _resiliparse():
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding

    return lambda raw: extract_plain_text(bytes_to_str(raw, detect_encoding(raw)), main_content=True)


def _block_text(tree) -> str:
    for el in tree.iter(*_BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
    return tree.text_content()


def _readability():
    import lxml.html
    from readability import Document

    return lambda raw: _block_text(lxml.html.fromstring(Document(raw).summary(html_partial=True)))


def _justext():
    import justext

    lang = re.compile(rb"<html[^>]*\slang=[\"']?([a-zA-Z]{2})", re.I)

    def run(raw: bytes) -> str:
        found = lang.search(raw[:4096])
        name = _JUSTEXT_LANGS.get(found.group(1).decode().lower() if found else "en", "English")
        paragraphs = justext.justext(raw, justext.get_stoplist(name))
        return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)

    return run


EXTRACTORS = {
    "curate": lambda: _curate(plain=False),
    "curate_html_step": lambda: _curate(plain=True),
    "trafilatura": lambda: _trafilatura(),
    "trafilatura_precision": lambda: _trafilatura(favor_precision=True),
    "trafilatura_recall": lambda: _trafilatura(favor_recall=True),
    "resiliparse": _resiliparse,
    "readability": _readability,
    "justext": _justext,
}


def locate(data: str | None) -> Path | None:
    for candidate in (
        data,
        os.environ.get("CURATE_EXTRACTION_DEV"),
        ROOT.parent / "shared/data/extraction-dev",
    ):
        if candidate and (Path(candidate) / "index.jsonl").is_file():
            return Path(candidate)
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="the extraction-dev directory (index.jsonl, pages/)")
    ap.add_argument("--quick", action="store_true", help="80 pages, a smoke test")
    ap.add_argument("--only", help="comma-separated extractor names (development; writes no result)")
    ap.add_argument("--dump", help="write each extractor's texts to DIR/<name>.jsonl")
    ap.add_argument("--worst", type=int, default=0, help="list curate's N worst development pages")
    args = ap.parse_args()
    data = locate(args.data)
    if data is None:
        print(
            "extraction benchmark skipped: no extraction-dev set (give --data DIR or CURATE_EXTRACTION_DEV)"
        )
        return 0
    logging.disable(logging.CRITICAL)
    index = [json.loads(line) for line in open(data / "index.jsonl", encoding="utf-8")]
    if args.quick:
        index = index[::12][:80]
    pages = {item["id"]: (data / "pages" / f"{item['id']}.html").read_bytes() for item in index}
    dev = [i for i in index if i["id"][-1] in "01234567"]
    holdout = [i for i in index if i["id"][-1] in "89"]
    names = args.only.split(",") if args.only else list(EXTRACTORS)
    results: dict[str, dict] = {}
    for name in names:
        try:
            run = EXTRACTORS[name]()
        except ImportError as exc:
            print(f"{name}: not installed here ({exc}); skipped")
            continue
        texts: dict[str, str] = {}
        start = time.perf_counter()
        for pid, raw in pages.items():
            try:
                texts[pid] = run(raw) or ""
            except Exception:  # an extractor that fails on a page scores it as empty
                texts[pid] = ""
        seconds = time.perf_counter() - start
        row = prf(index, texts)
        row.update(docs_per_s=round(len(pages) / seconds, 1), f1_dev=prf(dev, texts)["f1"])
        row["f1_holdout"] = prf(holdout, texts)["f1"]
        results[name] = row
        scores = f"F1 {row['f1']:.4f}  P {row['precision']:.4f}  R {row['recall']:.4f}"
        split = f"dev {row['f1_dev']:.4f}  holdout {row['f1_holdout']:.4f}"
        print(f"{name:24s} {scores}  {split}  {row['docs_per_s']:7.1f} docs/s")
        if args.dump:
            Path(args.dump).mkdir(parents=True, exist_ok=True)
            with open(Path(args.dump) / f"{name}.jsonl", "w", encoding="utf-8") as out:
                for pid, text in texts.items():
                    out.write(json.dumps({"id": pid, "text": text}, ensure_ascii=False) + "\n")
        if name == "curate" and args.worst:
            worst = sorted(dev, key=lambda i: -sum(counts(i, texts.get(i["id"]))[1:]))[: args.worst]
            for item in worst:
                _, fp, fn = counts(item, texts.get(item["id"]))
                print(f"    {fp} fp {fn} fn  pages/{item['id']}.html  {item['url']}")
    if "curate" not in results or args.only:
        return 0
    ours = results.pop("curate")
    payload = {**ours, "quick": args.quick, "pages": len(index), "pages_holdout": len(holdout)}
    payload["baselines"] = results
    if not args.quick or not (ROOT / "benchmarks/results/extraction.json").exists():
        write_result("extraction", payload)  # a quick run does not replace a full result
    best = max(results, key=lambda n: results[n]["f1"]) if results else None
    if best:
        speed = ours["docs_per_s"] / max(1e-9, results.get("trafilatura", ours)["docs_per_s"])
        print(
            f"curate article F1 {ours['f1']:.4f} (holdout {ours['f1_holdout']:.4f}) vs best baseline "
            f"{best} {results[best]['f1']:.4f}; speed {speed:.2f}x trafilatura"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
