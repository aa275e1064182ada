"""The Slurm executor: the sbatch scripts datatrove generates, and a real run on a one-node cluster.

`test_sbatch_scripts_and_dependency_chain` puts a fake `sbatch` first on PATH (it records its
arguments and the script, and answers like sbatch) and checks the scripts and the `afterok` chain.
`test_slurm_run_equals_local_run` runs a small pipeline through a real Slurm cluster (start one on
this machine with `scripts/slurm-local.sh`, as root) and compares it with the local executor; it
is skipped when no cluster answers, unless CI is set, where the cluster must be there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import dill
import pyarrow.parquet as pq
import pytest

from curate.config import load_config
from curate.runner import FinalizeRun, run_pipeline
from tests.conftest import article, html_page

PIPELINE = """
name: {name}
executor: {executor}
sources:
  - files: {{paths: ["{{tmp}}/in/*"], source: t}}
filters:
  - length: {{min_words: 30}}
dedup:
  - exact: {{keep: [longest]}}  # ties go to input order, not to fetch times, which differ by run
output: {{dir: "{{tmp}}/out-{out}"}}
"""
SLURM = '{type: slurm, tasks: 2, slurm: {partition: debug, time: "00:10:00"}}'

FAKE_SBATCH = """#!/bin/sh
# fake sbatch: record the arguments and the submitted script, answer like sbatch
calls="$(dirname "$0")/calls"
mkdir -p "$calls"
n=$(( $(ls "$calls" | wc -l) / 2 + 101 ))
printf '%s\\n' "$@" > "$calls/$n.args"
for script; do :; done
cp "$script" "$calls/$n.sh"
echo "Submitted batch job $n"
"""

USABLE_NODE_STATES = {"idle", "mixed", "allocated", "completing"}
WAIT_S = 240


def write_corpus(tmp_path: Path) -> None:
    """Eight articles, a byte-identical copy of 00.html (it lands in the other task), a short note and
    an empty file (rejected with empty text, which must still reach the output)."""
    src = tmp_path / "in"
    src.mkdir()
    topics = ["rollups", "oracles", "bridges", "custody", "fee markets", "light clients", "vesting", "tokens"]
    for i, topic in enumerate(topics):
        (src / f"{i:02d}.html").write_text(html_page(topic.title(), article(topic)))
    shutil.copy(src / "00.html", src / "01-copy.html")
    (src / "short.md").write_text("Too short to keep.")
    (src / "empty.html").write_bytes(b"")


def kept_ids(run_dir: Path) -> set[str]:
    """Ids of the kept documents of a run."""
    return set(pq.read_table(run_dir / "kept", columns=["id"])["id"].to_pylist())


# --- generated scripts, fake sbatch -------------------------------------------------------------


@pytest.fixture
def fake_sbatch(tmp_path, monkeypatch) -> Path:
    """A fake `sbatch` first on PATH; returns the folder where it records its calls."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    sbatch = bin_dir / "sbatch"
    sbatch.write_text(FAKE_SBATCH)
    sbatch.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return bin_dir / "calls"


def recorded_calls(calls: Path) -> list[tuple[int, list[str], str]]:
    """(job id, sbatch arguments, script text) of every fake sbatch call, in order."""
    ids = sorted(int(p.stem) for p in calls.glob("*.args"))
    return [(n, (calls / f"{n}.args").read_text().splitlines(), (calls / f"{n}.sh").read_text()) for n in ids]


def sbatch_directive(script: str, key: str) -> str | None:
    """The value of `#SBATCH --key=value` in `script` ("" for a bare flag, None when absent)."""
    match = re.search(rf"^#SBATCH --{re.escape(key)}(?:=(.*))?$", script, re.MULTILINE)
    return None if match is None else (match.group(1) or "")


def test_sbatch_scripts_and_dependency_chain(tmp_path, write_pipeline, fake_sbatch):
    write_corpus(tmp_path)
    pipeline = load_config(write_pipeline(PIPELINE.format(name="gen", executor=SLURM, out="slurm")))
    result = run_pipeline(pipeline, run_id="s1")
    run_dir = tmp_path / "out-slurm" / "gen" / "s1"

    phases = [Path(p).parent.name for p in result["submitted"]]
    assert phases[0] == "ingest" and phases[-2:] == ["score", "finalize"]
    assert phases[1:-2] and all(p.startswith("dedup") for p in phases[1:-2])
    record = json.loads((run_dir / "run.json").read_text())
    assert record["state"] == "submitted" and record["executor"] == "slurm"
    assert not (run_dir / "manifest.json").exists()  # the finalize job writes it

    calls = recorded_calls(fake_sbatch)
    jobs = [c for c in calls if "merge_stats" not in c[2]]
    merges = [c for c in calls if "merge_stats" in c[2]]
    assert len(jobs) == len(merges) == len(phases)
    venv_activate = Path(sys.prefix) / "bin" / "activate"
    previous = None
    for phase, (job_id, args, script) in zip(phases, jobs, strict=True):
        logs = run_dir / "logs" / phase
        assert sbatch_directive(script, "job-name") == f"curate-gen-{phase}"
        assert sbatch_directive(script, "partition") == "debug"
        assert sbatch_directive(script, "time") == "00:10:00"
        assert sbatch_directive(script, "cpus-per-task") == "1"
        assert sbatch_directive(script, "mem-per-cpu") == "2G"
        assert sbatch_directive(script, "output") == f"{logs}/slurm/%A_%a.out"
        array = sbatch_directive(script, "array")
        if phase in ("ingest", "score", "dedup-signatures", "dedup-filter"):
            assert array == "0-1"
        elif phase in ("finalize", "dedup-cluster"):
            assert array == "0-0"
        else:
            assert array in ("0-0", "0-1")
        assert f"\nsource {venv_activate}\n" in script
        assert re.search(
            rf"^srun +-l -n 1 launch_pickled_pipeline {re.escape(str(logs / 'executor.pik'))}$",
            script,
            re.MULTILINE,
        )
        assert (logs / "launch_script.slurm").read_text() == script
        assert "--export=ALL,RUN_OFFSET=0" in args
        dependency = [a for a in args if a.startswith("--dependency=")]
        assert dependency == ([] if previous is None else [f"--dependency=afterok:{previous}"])
        previous = job_id
    # each phase's stats are merged by a one-task job once the phase's array job succeeded
    for (job_id, _, _), (_, _, merge) in zip(jobs, merges, strict=True):
        assert sbatch_directive(merge, "dependency") == f"afterok:{job_id}"

    with open(run_dir / "logs" / "finalize" / "executor.pik", "rb") as f:
        executor = dill.load(f)
    assert executor.tasks == 1
    (step,) = executor.pipeline
    assert isinstance(step, FinalizeRun) and Path(step.run_dir) == run_dir and step.run_id == "s1"


# --- a real cluster -----------------------------------------------------------------------------


def slurm_problem() -> str | None:
    """None when sbatch, squeue, scancel and sinfo exist and partition `debug` has a usable node."""
    for tool in ("sbatch", "squeue", "scancel", "sinfo", "srun"):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed"
    try:
        out = subprocess.run(
            ["sinfo", "-h", "-p", "debug", "-o", "%a %T"], capture_output=True, text=True, timeout=30
        )
    except subprocess.TimeoutExpired:
        return "`sinfo` did not answer within 30 s"
    if out.returncode != 0:
        return f"`sinfo` failed: {out.stderr.strip()}"
    lines = [line.split() for line in out.stdout.splitlines() if line.strip()]
    if not any(len(w) == 2 and w[0] == "up" and w[1].rstrip("*~#") in USABLE_NODE_STATES for w in lines):
        return f"partition `debug` has no usable node (sinfo: {out.stdout.strip() or 'nothing'})"
    return None


@pytest.fixture
def slurm_cluster() -> None:
    """Skip unless a Slurm cluster answers; under CI, fail instead (the cluster must be there)."""
    problem = slurm_problem()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(
            f"CI is set but no Slurm cluster answers ({problem}); .ci/run must start scripts/slurm-local.sh"
        )
    pytest.skip(f"no Slurm cluster here ({problem}); start one with scripts/slurm-local.sh (as root)")


def queued_jobs(prefix: str) -> list[dict[str, str]]:
    """Jobs still in the queue (pending, running, completing) whose name starts with `prefix`."""
    out = subprocess.run(
        ["squeue", "-h", "-o", "%A|%j|%T|%r"], capture_output=True, text=True, timeout=30, check=True
    )
    rows = [line.split("|", 3) for line in out.stdout.splitlines()]
    jobs = [dict(zip(("id", "name", "state", "reason"), row, strict=True)) for row in rows if len(row) == 4]
    return [j for j in jobs if j["name"].startswith(prefix)]


def slurm_log_tails(run_dir: Path, lines: int = 15) -> str:
    """The last lines of every Slurm job output of a run, for failure messages."""
    parts = []
    for log in sorted(run_dir.glob("logs/*/slurm/*.out")):
        text = log.read_text(errors="replace").splitlines()
        parts.append(f"--- {log.relative_to(run_dir)}\n" + "\n".join(text[-lines:]))
    return "\n".join(parts) or "(no Slurm job output yet)"


def wait_for_run(run_dir: Path, prefix: str, timeout_s: float = WAIT_S) -> dict:
    """Poll run.json and squeue until the run is complete; fail with the job logs when it cannot be."""
    deadline = time.monotonic() + timeout_s
    while True:
        jobs = queued_jobs(prefix)
        record = json.loads((run_dir / "run.json").read_text())
        if record.get("state") == "complete":
            return record
        stuck = [j for j in jobs if j["reason"] == "DependencyNeverSatisfied"]
        if stuck or not jobs or time.monotonic() > deadline:
            why = (
                "a job failed, its dependents can never start"
                if stuck
                else "no job of the run is left in the queue"
                if not jobs
                else f"not complete after {timeout_s:.0f} s"
            )
            pytest.fail(
                f"Slurm run did not complete: {why}; run state {record.get('state')!r}, queue {jobs}\n"
                + slurm_log_tails(run_dir)
            )
        time.sleep(1)


@pytest.mark.slow
@pytest.mark.timeout(WAIT_S + 180)
def test_slurm_run_equals_local_run(slurm_cluster, tmp_path, write_pipeline):
    write_corpus(tmp_path)
    name = f"e2e-{uuid.uuid4().hex[:8]}"  # job names are curate-<name>-<phase>: this run's jobs only
    prefix = f"curate-{name}-"
    local = load_config(
        write_pipeline(PIPELINE.format(name=name, executor="{type: local, tasks: 2}", out="local"), "l.yaml")
    )
    on_slurm = load_config(write_pipeline(PIPELINE.format(name=name, executor=SLURM, out="slurm"), "s.yaml"))
    expected = run_pipeline(local, run_id="x")
    run_dir = tmp_path / "out-slurm" / name / "x"
    started = time.monotonic()
    try:
        result = run_pipeline(on_slurm, run_id="x")
        assert "submitted" in result and not (run_dir / "manifest.json").exists()
        record = wait_for_run(run_dir, prefix)
        # the merge_stats jobs queued after each phase finish too
        while queued_jobs(prefix) and time.monotonic() - started < WAIT_S:
            time.sleep(1)
    finally:
        leftover = sorted({j["id"] for j in queued_jobs(prefix)})
        if leftover:
            subprocess.run(["scancel", *leftover], check=False, timeout=30)
    assert not leftover, f"jobs still queued: {leftover}"

    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert record["state"] == "complete" and record["executor"] == "slurm"
    assert manifest["accounted"] is True
    assert manifest["inputs"] == expected["inputs"] == 11
    assert manifest["kept"] == expected["kept"] == 8
    assert kept_ids(run_dir) == kept_ids(tmp_path / "out-local" / name / "x")
    rejected = pq.read_table(run_dir / "rejected").to_pylist()
    reasons = sorted(r["reason"] for r in rejected)
    assert reasons == ["empty_file", "exact_duplicate", "too_short"]
    # the work ran as Slurm jobs: one output file per array task, under the phase's logs
    assert len(list((run_dir / "logs" / "ingest" / "slurm").glob("*_[01].out"))) >= 2
    ingest_out = "".join(p.read_text() for p in (run_dir / "logs" / "ingest" / "slurm").glob("*.out"))
    assert "Processing done for rank=0" in ingest_out and "Processing done for rank=1" in ingest_out
    assert (run_dir / "logs" / "ingest" / "stats.json").exists()  # merge_stats ran after the phase
