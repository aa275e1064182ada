"""Scale-out: the sample pipeline (scaled up with generated documents) with 1, 2 and 4 tasks on
datatrove's local executor and on a local Ray cluster, in one run.

The corpus is the bundled sample's kept-quality English text recombined into N synthetic
documents (sentences shuffled per document, so they are distinct and pass the filters) plus 10%
planted near-duplicates, written as 8 JSONL files so every task count splits evenly. The pipeline
is the crypto pipeline's extract/filter/dedup stages (no model scoring: that is measured by the
membership benchmarks). Reports docs/s and the speedup over 1 task per executor, and where the
time goes (seconds per phase from the run log). On a 2-core machine the useful speedup is <= 2x.

    python benchmarks/scale.py [--docs 8000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from curate.config import parse_config  # noqa: E402
from curate.runner import run_pipeline  # noqa: E402

PIPELINE = {
    "name": "scale",
    "sources": [{"files": {"paths": [], "source": "bench"}}],
    "filters": [{"length": {"min_words": 50}}, {"language": {"languages": ["en"]}}, {"gopher_quality": {}}],
    "dedup": [{"exact": {}}, {"minhash": {"threshold": 0.8}}],
}


def sentences() -> list[str]:
    text = " ".join(json.loads(line)["text"] for line in open(ROOT / "data/calibration/non_members.jsonl"))
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) > 5]


def make_corpus(folder: Path, docs: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    pool = sentences()
    rows = []
    for i in range(docs):
        if rows and rng.random() < 0.1:  # a near-duplicate of an earlier document
            words = rows[rng.randrange(len(rows))]["text"].split()
            words[rng.randrange(len(words))] = "edited"
            rows.append({"id": f"d{i}", "text": " ".join(words)})
        else:
            rows.append({"id": f"d{i}", "text": " ".join(rng.sample(pool, 12))})
    folder.mkdir(parents=True)
    for f in range(8):
        with open(folder / f"part-{f}.jsonl", "w") as out:
            for row in rows[f::8]:
                out.write(json.dumps(row) + "\n")


def phase_seconds(run_dir: Path) -> dict[str, float]:
    """Seconds per phase, from the timestamps of the run log."""
    from datetime import datetime

    marks = []
    for line in (run_dir / "run.log").read_text().splitlines():
        stamp, _, message = line.partition(" ")
        when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").timestamp()
        if message.startswith("phase "):
            marks.append((message.split(":")[0].split(" ", 2)[2], when))
        elif message.startswith("run complete"):
            marks.append(("finalize", when))
    return {name: round(marks[i + 1][1] - t, 1) for i, (name, t) in enumerate(marks[:-1])}


def run_once(work: Path, executor: dict, tag: str) -> tuple[float, dict, dict]:
    config = json.loads(json.dumps(PIPELINE))
    config["sources"][0]["files"]["paths"] = [str(work / "corpus" / "*.jsonl")]
    config["executor"] = executor
    config["output"] = {"dir": str(work / f"out-{tag}")}
    started = time.perf_counter()
    manifest = run_pipeline(parse_config(config, "scale.yaml"), run_id="bench")
    seconds = time.perf_counter() - started
    return seconds, manifest, phase_seconds(work / f"out-{tag}" / "scale" / "bench")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=8000)
    ap.add_argument("--tasks", default="1,2,4")
    ap.add_argument("--no-ray", action="store_true")
    ap.add_argument("--quick", action="store_true", help="1,000 documents, local executor only")
    ap.add_argument("--out", default=str(ROOT / "benchmarks/results/scale.json"))
    args = ap.parse_args()
    docs = 1000 if args.quick else args.docs
    task_counts = [int(t) for t in args.tasks.split(",")]
    executors = ["local"] if args.quick or args.no_ray else ["local", "ray"]
    results: dict = {"docs": docs, "quick": args.quick, "local": {}, "ray": {}, "phases": {}, "kept": {}}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        make_corpus(work / "corpus", docs)
        if "ray" in executors:
            import ray

            ray.init(
                num_cpus=2, include_dashboard=False, log_to_driver=False, object_store_memory=200 * 2**20
            )
        for kind in executors:
            for tasks in task_counts:
                executor = {"type": kind, "tasks": tasks, "workers": tasks}
                seconds, manifest, phases = run_once(work, executor, f"{kind}-{tasks}")
                results[kind][str(tasks)] = round(docs / seconds, 1)
                results["phases"][f"{kind}-{tasks}"] = phases
                results["kept"][f"{kind}-{tasks}"] = manifest["kept"]
                print(f"{kind} tasks={tasks}: {docs / seconds:8.1f} docs/s, kept {manifest['kept']} {phases}")
    for kind in executors:
        base = results[kind][str(task_counts[0])]
        results[f"speedup_{kind}"] = {t: round(v / base, 2) for t, v in results[kind].items()}
    if not (args.quick and Path(args.out).exists()):
        Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    same = len(set(results["kept"].values())) == 1
    print(f"kept documents identical across executors and task counts: {same}")
    best = max(results["local"], key=lambda t: results["local"][t])
    print(
        f"local executor: {results['speedup_local'][best]}x at {best} tasks vs 1 task "
        f"({results['local'][best]} docs/s)"
    )


if __name__ == "__main__":
    main()
