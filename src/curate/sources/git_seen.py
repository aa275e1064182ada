"""Which commit of each repository a complete earlier run read, so a re-run reads only the changes.

The table `commits(repo, ref, commit, run_id)` in `state/sources-git/git.sqlite` is written only
when a run completes, from the `repo`, `ref` and `commit` its documents carry, so an
interrupted or failed run never hides a change from the next one.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq

DB_NAME = "git.sqlite"
REPO, REF, COMMIT = "repo", "ref", "commit"


def _connect(state_dir: Path) -> sqlite3.Connection:
    state_dir.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(state_dir / DB_NAME, timeout=30)
    con.execute(
        "create table if not exists commits (repo text, ref text, commit_id text, run_id text, "
        "primary key (repo, ref))"
    )
    return con


def last_commit(state_dir: str | Path | None, repo: str, ref: str) -> str | None:
    """The commit of `repo` at `ref` that the last complete run read, if any."""
    if state_dir is None or not (Path(state_dir) / DB_NAME).exists():
        return None
    with sqlite3.connect(Path(state_dir) / DB_NAME, timeout=30) as con:
        row = con.execute("select commit_id from commits where repo = ? and ref = ?", (repo, ref)).fetchone()
    return row[0] if row else None


def record_run_commits(run_dir: Path, state_dir: Path, run_id: str) -> int:
    """Store the commit each (repo, ref) was read at by this run (from all its shards)."""
    found: dict[tuple[str, str], str] = {}
    for shard in sorted(run_dir.glob("*/*.parquet")):
        for meta in pq.read_table(shard, columns=["metadata"])["metadata"].to_pylist():
            if meta and f'"{COMMIT}"' in meta:
                extra = json.loads(meta)
                if extra.get(REPO) and extra.get(COMMIT):
                    found[(extra[REPO], extra.get(REF) or "HEAD")] = extra[COMMIT]
    if not found:
        return 0
    with _connect(state_dir) as con:
        con.executemany(
            "insert or replace into commits values (?, ?, ?, ?)",
            [(repo, ref, commit, run_id) for (repo, ref), commit in found.items()],
        )
    return len(found)
