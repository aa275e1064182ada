"""`curate run` that kill -9s its whole process group just before its N-th commit point.

Usage: python benchmarks/_kill_run.py N LOG -- <curate arguments>

Commit points are every `os.replace` (how curate publishes shards, manifests, run records, the
corpus manifest, dedup tables) and every datatrove task completion marker (after a task wrote
its stage file), so "just before the N-th commit point" walks kill points through every phase
and through finalize. Each point is appended to LOG (the last line names where the kill
happened); N = 0 never kills and only counts.
"""

from __future__ import annotations

import os
import signal
import sys


def main() -> None:
    target, log = int(sys.argv[1]), sys.argv[2]
    args = sys.argv[sys.argv.index("--") + 1 :]
    real_replace = os.replace
    count = [0]

    def point(where: str) -> None:
        count[0] += 1
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{count[0]}\t{os.getpid()}\t{where}\n")
        if count[0] == target:
            os.killpg(os.getpgrp(), signal.SIGKILL)

    def replace(src, dst, *a, **kw):
        point(os.fsdecode(dst))
        return real_replace(src, dst, *a, **kw)

    os.replace = replace
    from datatrove.executor.base import PipelineExecutor

    real_mark = PipelineExecutor.mark_rank_as_completed

    def mark(self, rank: int):
        point(f"{self.logging_dir.path}/completions/{rank:05d}")
        return real_mark(self, rank)

    PipelineExecutor.mark_rank_as_completed = mark
    from curate.cli import main as curate_main

    sys.argv = ["curate", *args]
    curate_main()


if __name__ == "__main__":
    main()
