"""Thread budgets: shared cores per local worker, the scheduler's grant elsewhere, inherited by children."""

from __future__ import annotations

import os
import subprocess
import sys

from curate import threads
from curate.config import ExecutorConfig


def test_local_workers_share_the_cores(monkeypatch):
    monkeypatch.setattr(threads, "cores", lambda: 8)
    assert threads.per_worker(2) == 4 and threads.per_worker(3) == 2 and threads.per_worker(16) == 1
    assert threads.per_worker(2, cpus_per_task=3) == 3 and threads.per_worker(1, cpus_per_task=2) == 2
    assert threads.per_worker(4, cpus_per_task=6, local=False) == 6


def test_phase_budget_caps_by_cpus_per_task_only_when_it_was_set(monkeypatch):
    monkeypatch.setattr(threads, "cores", lambda: 8)
    assert threads.phase_threads(ExecutorConfig(workers=2), tasks=4) == 4
    assert threads.phase_threads(ExecutorConfig(workers=2, cpus_per_task=1), tasks=4) == 1
    assert threads.phase_threads(ExecutorConfig(), tasks=2) == 4  # workers -1 = all tasks at once
    assert threads.phase_threads(ExecutorConfig(type="ray", cpus_per_task=3), tasks=8) == 3


def test_published_budget_reaches_child_processes_and_is_restored(monkeypatch):
    monkeypatch.delenv(threads.ENV, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    code = (
        "import os, torch; from curate import threads; "
        "print(os.environ['OMP_NUM_THREADS'], threads.torch_threads(), torch.get_num_threads())"
    )
    with threads.published(1):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["1", "1", "1"]
    assert os.environ["OMP_NUM_THREADS"] == "7" and threads.ENV not in os.environ


def test_a_budget_the_user_exported_wins(monkeypatch):
    monkeypatch.setenv(threads.ENV, "3")
    with threads.published(1) as n:
        assert n == 3 and os.environ["MKL_NUM_THREADS"] == "3" and threads.budget() == 3
