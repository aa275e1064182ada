"""Reliability: kill -9 at every commit point, malformed inputs, bad configurations and label
files, and the pipeline lock under contention. Every failure count must be 0.

1. Kill points (`benchmarks/_kills.py`): a pipeline without a membership model (tasks 2) is
   killed (SIGKILL to its whole process group) just before each of its commit points, through
   ingest, every dedup phase, score and finalize, then resumed; a third of the points also take
   the overlapping path (killed, the next run finishes, then the resume). A few points run a
   pipeline with a tiny random membership model, so the score phase is also killed mid-model.
   Counts: `kill_points`, `resumes_ok`, `lost`, `doubled`.
2. Malformed inputs (`benchmarks/_malformed.py`): one run per kind (22 kinds), each run under a
   time limit. `crashed_runs` (non-zero exit), `hung_runs` (over the limit), `unaccounted`
   (inputs with no row, plus any manifest mismatch). The baseline is a run over as many
   well-formed inputs in the same session: the seconds a run takes, malformed against well-formed.
3. Bad configurations and label files (`benchmarks/_bad_configs.py`, `benchmarks/_bad_labels.py`)
   and the lock under two processes x 3,000 acquisitions (`benchmarks/_lock_torture.py`).

    python benchmarks/reliability.py [--quick] [--per-kind 55] [--work DIR]

The headline (every failure count) is printed last; results go to
benchmarks/results/reliability.json. The baseline for the failure counts is zero.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import _kills  # noqa: E402
from _common import machine, write_result  # noqa: E402
from _malformed import KINDS, SHARE, well_formed  # noqa: E402

KILL_PIPELINE = """
name: kill
executor: {{tasks: 2, workers: 1}}
sources:
  - files: {{paths: ["in/**/*"], source: t}}
filters:
  - length: {{min_words: 20}}
  - language: {{languages: [en]}}
dedup:
  - exact: {{}}
  - minhash: {{threshold: 0.8}}
{membership}output: {{dir: out}}
"""
MALFORMED_PIPELINE = """
name: malformed
executor: {tasks: 2, workers: 1}
sources:
  - files: {paths: ["in/**/*"], source: m, max_record_bytes: 2097152, max_decompressed_bytes: 67108864}
extract:
  - html
  - pdf: {max_seconds: 3}
  - text
filters:
  - length: {min_words: 5}
  - language: {languages: []}
dedup:
  - exact: {}
output: {dir: out}
"""


def kill_inputs(folder: Path) -> Path:
    from tests.conftest import article

    folder.mkdir(parents=True)
    topics = [
        "rollups",
        "oracles",
        "bridges",
        "custody",
        "fee markets",
        "light clients",
        "vesting",
        "governance",
    ]
    for i, topic in enumerate(topics):
        (folder / f"{i}.txt").write_text(article(topic, 10))
    (folder / "copy.txt").write_text(article("rollups", 10))  # an exact copy
    records = [{"id": "same", "text": article("audits", 10)}, {"id": "same", "text": article("finality", 10)}]
    (folder / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (folder / "broken.jsonl").write_text("{not json\n")
    return folder


def kill_section(work: Path, quick: bool) -> dict:
    inputs = kill_inputs(work / "kill-inputs")
    plain = KILL_PIPELINE.format(membership="")
    points, ref_texts, ref_doubled = _kills.reference(_kills.prepare(work / "kill-ref", inputs, plain))
    experiments = []
    chosen = _kills.pick(points, 3 if quick else points)
    overlap = _kills.pick(points, 1 if quick else max(10, points // 3))
    n = 0
    for point in chosen:
        n += 1
        experiments.append(
            _kills.experiment(_kills.prepare(work / f"kill-{n}", inputs, plain), point, False, ref_texts)
        )
    for point in overlap:
        n += 1
        experiments.append(
            _kills.experiment(_kills.prepare(work / f"kill-{n}", inputs, plain), point, True, ref_texts)
        )
    if not quick:
        experiments += membership_kills(work, inputs)
    killed = [e for e in experiments if not e.get("not_killed")]
    return {
        "kill_points": len(killed),
        "resumes_ok": sum(e["resume_ok"] for e in killed),
        "lost": sum(e["lost"] for e in killed),
        "doubled": sum(e["doubled"] for e in killed) + ref_doubled,
        "kill_crashed_resumes": sum(e["crashed"] for e in killed),
        "kill_hung": sum(e["hung"] for e in killed),
        "kill_overlap_points": sum(e["overlap"] for e in killed),
        "commit_points_per_run": points,
        "killed_before": dict(Counter(e["killed_before"] for e in killed)),
        "experiments": experiments,
    }


def membership_kills(work: Path, inputs: Path) -> list[dict]:
    """Kill points inside the score phase of a pipeline with a tiny random membership model (torch):
    before each shard and task completion of that phase, alternately with the overlapping path."""
    from tests.membership.conftest import save_tiny

    model = save_tiny(work / "tiny-model")
    score = f"membership:\n  - score: {{target: {model}, threshold: 50.0, min_tokens: 4, backend: torch}}\n"
    pipeline = KILL_PIPELINE.format(membership=score)
    ref = _kills.prepare(work / "kill-model-ref", inputs, pipeline)
    _, ref_texts, _ = _kills.reference(ref)
    out = []
    for i, point in enumerate(_kills.points_in(ref, "/kept/", "/rejected/", "/logs/score/")):
        folder = _kills.prepare(work / f"kill-model-{i}", inputs, pipeline)
        out.append({**_kills.experiment(folder, point, i % 2 == 1, ref_texts), "membership": True})
    return out


def run_kind(work: Path, kind: str, make, n: int) -> dict:
    """One run over `n` generated inputs of `kind`: its exit, time, and inputs without a row."""
    import os

    from curate.sources.sanitize import repair_str

    folder = work / f"malformed-{kind}"
    (folder / "in").mkdir(parents=True)
    (folder / "p.yaml").write_text(MALFORMED_PIPELINE, encoding="utf-8")
    cwd = Path.cwd()
    os.chdir(folder)  # generators write relative paths, as the run records them
    try:
        paths = make(Path("in"), n, random.Random(kind))
    finally:
        os.chdir(cwd)
    start = time.perf_counter()
    rc, hung = _kills.sh([*_kills.CURATE, "run", "p.yaml", "--run-id", "r1"], folder, timeout=600)
    seconds = time.perf_counter() - start
    rows = read_rows(folder / "out" / "malformed" / "r1")
    manifest_path = folder / "out" / "malformed" / "r1" / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    seen_paths = Counter(r["path"] for r in rows)
    missing = [p for p in paths if seen_paths[repair_str(str(p))[0]] == 0]
    mismatch = abs(manifest.get("inputs", 0) - len(rows)) if manifest else 0
    return {
        "inputs": len(paths),
        "crashed": int(rc != 0 and not hung),
        "hung": int(hung),
        "unaccounted": len(missing) + mismatch if not (rc or hung) else len(paths),
        "seconds": round(seconds, 1),
        "reasons": dict(Counter(r["reason"] or "kept" for r in rows).most_common(6)),
    }


def malformed_section(work: Path, per_kind: int) -> dict:
    totals = Counter()
    per_kind_out = {}
    baseline = run_kind(work, "well_formed", well_formed, per_kind)  # the same run, good inputs
    for kind, make in KINDS.items():
        result = run_kind(work, kind, make, max(1, round(per_kind * SHARE.get(kind, 1.0))))
        per_kind_out[kind] = result
        for key in ("inputs", "crashed", "hung", "unaccounted"):
            totals[key] += result[key]
        totals["seconds"] += result["seconds"]
        print(f"  {kind:22s} {result['inputs']:4d} inputs  {result['seconds']:6.1f} s  {result['reasons']}")
    return {
        "malformed_inputs": totals["inputs"],
        "malformed_kinds": len(KINDS),
        "crashed_runs": totals["crashed"],
        "hung_runs": totals["hung"],
        "unaccounted": totals["unaccounted"],
        "seconds_per_run_malformed": round(totals["seconds"] / len(KINDS), 2),
        "seconds_per_run_well_formed": baseline["seconds"],
        "well_formed_baseline": baseline,
        "malformed": per_kind_out,
    }


def read_rows(run_dir: Path) -> list[dict]:
    import pyarrow.parquet as pq

    rows = []
    for route in ("kept", "rejected", "review"):
        for shard in sorted((run_dir / route).glob("*.parquet")):
            rows += pq.read_table(shard, columns=["id", "path", "reason"]).to_pylist()
    return rows


def bad_config_counts(work: Path) -> tuple[int, int]:
    """(bad configurations, how many `curate validate` refused as expected: exit 2, no traceback,
    the expected problem on an `Error:` line)."""
    import _bad_configs
    from click.testing import CliRunner

    from curate.cli import main as curate_main

    work.mkdir(parents=True, exist_ok=True)
    cases = _bad_configs.cases(work)
    caught = 0
    for case in cases:
        path = work / f"{case.name}.yaml"
        path.write_bytes(case.text)
        result = CliRunner().invoke(curate_main, ["validate", str(path)])
        errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
        traceback = result.exception is not None and not isinstance(result.exception, SystemExit)
        if result.exit_code == 2 and not traceback and any(case.expect in line for line in errors):
            caught += 1
        else:
            print(f"  config {case.name}: exit {result.exit_code}, {result.output.strip()[:150]!r}")
    return len(cases), caught


def bad_label_counts(work: Path) -> tuple[int, int]:
    """(bad label files, imports that ended in anything but a refusal: a traceback or an acceptance)."""
    import _bad_labels

    from curate.review.errors import LabelsError
    from curate.review.labels import import_labels
    from curate.review.run import RunDir

    run_dir, ids = _bad_labels.make_run(work / "out")
    cases = _bad_labels.cases("r1", ids[:2])
    tracebacks = 0
    for case in cases:
        path = work / case.filename
        path.write_bytes(case.content)
        try:
            import_labels(path, RunDir.open(run_dir))
            tracebacks += 1  # accepted: not a traceback, but not refused either
            print(f"  labels {case.name}: accepted")
        except LabelsError:
            pass
        except Exception as exc:  # noqa: BLE001 - a traceback is what is counted here
            tracebacks += 1
            print(f"  labels {case.name}: traceback {type(exc).__name__}: {exc}"[:200])
    return len(cases), tracebacks


def helper_section(work: Path, quick: bool) -> dict:
    """Bad configurations, bad label files and the lock, with the generators of their helpers."""
    out: dict = {}
    try:
        out["bad_configs"], out["bad_configs_caught"] = bad_config_counts(work / "configs")
    except ImportError as exc:
        print(f"  bad configurations: not measured ({exc}); counted as 0 of 0")
        out["bad_configs"] = out["bad_configs_caught"] = 0
    try:
        out["bad_labels"], out["label_tracebacks"] = bad_label_counts(work / "labels")
    except ImportError as exc:
        print(f"  bad label files: not measured ({exc}); counted as 0")
        out["bad_labels"] = out["label_tracebacks"] = 0
    try:
        from _lock_torture import torture

        got = torture(work / "lock", processes=2, acquisitions=300 if quick else 3000)
        out["lock_double_holds"] = got["double_holds"]
        out["lock"] = got
    except ImportError as exc:
        print(f"  lock torture: not measured ({exc}); counted as 0")
        out["lock_double_holds"] = 0
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few points and inputs (CI smoke test)")
    parser.add_argument("--per-kind", type=int, default=55, help="malformed inputs per kind")
    parser.add_argument("--work", help="work folder (default: a temporary one)")
    args = parser.parse_args()
    per_kind = 2 if args.quick else args.per_kind
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="curate-reliability-") as tmp:
        work = Path(args.work or tmp)
        work.mkdir(parents=True, exist_ok=True)
        print("kill points ...")
        kills = kill_section(work, args.quick)
        print(f"  {kills['kill_points']} points, {kills['resumes_ok']} resumes ok: {kills['killed_before']}")
        print("malformed inputs ...")
        malformed = malformed_section(work, per_kind)
        print("configurations, label files, lock ...")
        helpers = helper_section(work, args.quick)
    keys = ("kill_points", "resumes_ok", "lost", "doubled")
    result = {k: kills[k] for k in keys}
    result |= {k: malformed[k] for k in ("malformed_inputs", "crashed_runs", "hung_runs", "unaccounted")}
    result["crashed_runs"] += kills["kill_crashed_resumes"]  # runs of either section that exited non-zero
    result["hung_runs"] += kills["kill_hung"]
    result |= {k: helpers[k] for k in ("bad_configs", "bad_configs_caught", "bad_labels", "label_tracebacks")}
    result["lock_double_holds"] = helpers["lock_double_holds"]
    result["seconds_per_run_malformed"] = malformed["seconds_per_run_malformed"]
    result["seconds_per_run_well_formed"] = malformed["seconds_per_run_well_formed"]
    result["quick"] = args.quick
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["machine"] = machine()
    result["details"] = {"kills": kills, "malformed": malformed, "helpers": helpers}
    if not args.quick or not (ROOT / "benchmarks" / "results" / "reliability.json").exists():
        print(f"results: {write_result('reliability', result)}")
    failures = (
        result["kill_points"]
        - result["resumes_ok"]
        + result["lost"]
        + result["doubled"]
        + result["crashed_runs"]
        + result["hung_runs"]
        + result["unaccounted"]
        + result["label_tracebacks"]
        + result["lock_double_holds"]
        + result["bad_configs"]
        - result["bad_configs_caught"]
    )
    r = result
    print(
        f"reliability: {failures} failures — {r['kill_points']} kill points ({r['resumes_ok']} resumes ok, "
        f"{r['lost']} lost, {r['doubled']} doubled); {r['malformed_inputs']} malformed inputs of "
        f"{malformed['malformed_kinds']} kinds ({r['crashed_runs']} crashed, {r['hung_runs']} hung, "
        f"{r['unaccounted']} unaccounted; {malformed['seconds_per_run_malformed']} s a run vs "
        f"{malformed['seconds_per_run_well_formed']} s well-formed); "
        f"bad configs caught {r['bad_configs_caught']}/{r['bad_configs']}; "
        f"{r['label_tracebacks']} label tracebacks of {r['bad_labels']}; "
        f"{r['lock_double_holds']} lock double holds"
    )


if __name__ == "__main__":
    main()
