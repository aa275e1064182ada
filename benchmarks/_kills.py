"""Kill points for benchmarks/reliability.py: kill -9 a run's process group, resume, compare.

A reference run counts the commit points of a run (`_kill_run.py` with N = 0) and gives the
texts a complete run keeps. Each experiment then runs in a fresh folder:

- `resume`: kill the run just before commit point N, resume it (`curate run --run-id`);
- `overlap`: kill it at N, let the next scheduled run (a new run id) finish, then resume the
  first: the path the resume hint of a failed run suggests.

After the resume, the run must be complete (exit 0, `run.json` complete, `report.html`, listed
in `corpus.json`), and `corpus.json` must hold exactly the reference's kept texts: `lost` counts
reference texts missing from it, `doubled` texts it holds more than once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CURATE = [sys.executable, "-c", "import sys; from curate.cli import main; sys.argv[0] = 'curate'; main()"]
KILL_RUN = [sys.executable, str(ROOT / "benchmarks" / "_kill_run.py")]
TIMEOUT = 300


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TOKENIZERS_PARALLELISM": "false"}


def sh(cmd: list[str], cwd: Path, timeout: float = TIMEOUT) -> tuple[int, bool]:
    """(exit status, hung) of `cmd` in its own process group; output goes to `cwd/output.log`."""
    with open(cwd / "output.log", "ab") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env(), stdout=out, stderr=out, start_new_session=True)
        try:
            return proc.wait(timeout), False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return -9, True


def corpus_texts(out: Path) -> list[str]:
    import pyarrow.parquet as pq

    path = out / "corpus.json"
    if not path.exists():
        return []
    corpus = json.loads(path.read_text(encoding="utf-8"))
    texts: list[str] = []
    for shard in corpus["shards"]:
        texts += pq.read_table(out / shard["path"], columns=["text"])["text"].to_pylist()
    return texts


def complete(out: Path, run_id: str) -> bool:
    run_dir = out / run_id
    record = json.loads((run_dir / "run.json").read_text()) if (run_dir / "run.json").exists() else {}
    corpus = json.loads((out / "corpus.json").read_text()) if (out / "corpus.json").exists() else {}
    manifest = (
        json.loads((run_dir / "manifest.json").read_text()) if (run_dir / "manifest.json").exists() else {}
    )
    return (
        record.get("state") == "complete"
        and manifest.get("accounted") is True
        and (run_dir / "report.html").exists()
        and run_id in {r["run_id"] for r in corpus.get("runs", [])}
    )


def prepare(folder: Path, inputs: Path, pipeline_yaml: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "in").symlink_to(inputs)
    (folder / "p.yaml").write_text(pipeline_yaml, encoding="utf-8")
    return folder


def points_in(folder: Path, *parts: str) -> list[int]:
    """Commit points of the reference run in `folder` whose path holds one of `parts`."""
    lines = (folder / "points.log").read_text().splitlines()
    return [int(line.split("\t")[0]) for line in lines if any(p in line.split("\t")[-1] for p in parts)]


def reference(folder: Path) -> tuple[int, set[str], int]:
    """(commit points of one run, texts it keeps, how many times each text appears at most)."""
    rc, hung = sh([*KILL_RUN, "0", "points.log", "--", "run", "p.yaml", "--run-id", "r1"], folder)
    if rc or hung:
        raise RuntimeError(f"reference run failed ({rc}); see {folder / 'output.log'}")
    points = len((folder / "points.log").read_text().splitlines())
    texts = corpus_texts(folder / "out" / "kill")
    return points, set(texts), len(texts) - len(set(texts))


def where(folder: Path) -> str:
    """The phase (or finalize file) the kill happened before, from the last commit point."""
    lines = (folder / "points.log").read_text().splitlines() if (folder / "points.log").exists() else []
    if not lines:
        return "start"
    path = lines[-1].split("\t")[-1]
    if "/logs/" in path:
        return "completion:" + path.split("/logs/")[1].split("/")[0]
    for key in ("stages", "dedup", "ids", "counts", "kept", "rejected", "review", "segments"):
        if f"/{key}/" in path:
            return key
    return Path(path).name


def experiment(folder: Path, point: int, overlap: bool, ref_texts: set[str]) -> dict:
    """One kill experiment (see the module docstring); its outcome as a dict."""
    out = folder / "out" / "kill"
    rc, hung = sh([*KILL_RUN, str(point), "points.log", "--", "run", "p.yaml", "--run-id", "r1"], folder)
    result = {"point": point, "overlap": overlap, "killed_before": where(folder), "hung": int(hung)}
    if rc == 0:
        result["not_killed"] = True  # fewer commit points than counted: nothing to resume
        return result
    ok = True
    if overlap:
        rc2, hung2 = sh([*CURATE, "run", "p.yaml", "--run-id", "r2"], folder)
        result["hung"] += int(hung2)
        ok = rc2 == 0 and complete(out, "r2")
    rc3, hung3 = sh([*CURATE, "run", "p.yaml", "--run-id", "r1"], folder)
    result["hung"] += int(hung3)
    texts = corpus_texts(out)
    result["resume_ok"] = bool(ok and rc3 == 0 and complete(out, "r1"))
    result["lost"] = len(ref_texts - set(texts))
    result["doubled"] = len(texts) - len(set(texts))
    result["crashed"] = int(rc3 != 0)
    return result


def pick(points: int, wanted: int) -> list[int]:
    """`wanted` commit points spread evenly over 1..points (all of them if fewer)."""
    if wanted >= points:
        return list(range(1, points + 1))
    return sorted({1 + round(i * (points - 1) / max(1, wanted - 1)) for i in range(wanted)})
