"""Git plumbing for the `git` source: resolve a ref, list a tree, diff two commits, read blobs.

Everything goes through the `git` command (`rev-parse`, `ls-tree -r -z --long`, `diff-tree`,
`cat-file --batch`): one long-lived `cat-file --batch` process streams every blob, so reading
N files costs no process per file, and the shas of a whole task are written by a thread while the
blobs are read (`--buffer`), so reads do not wait on round trips. Working trees and bare repositories are
read the same way, from their object store at a commit (uncommitted changes are not read).
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from curate.errors import CurateError


class GitError(CurateError):
    """A repository or ref that git cannot read."""


@dataclass
class TreeEntry:
    mode: str  # 100644 file, 100755 executable, 120000 symlink, 160000 submodule
    kind: str  # blob | commit (submodule)
    sha: str
    size: int  # bytes; -1 for submodules
    path: str


def git(repo: str | Path, *args: str, check: bool = True) -> bytes:
    """Output of `git -C repo args...`; raises `GitError` with git's message on failure."""
    try:
        proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("the git command is not installed; install git to use the `git` source") from None
    if check and proc.returncode != 0:
        raise GitError(proc.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed")
    return proc.stdout


def resolve(repo: str | Path, ref: str) -> tuple[str, str]:
    """(commit sha, committer date as ISO-8601 UTC) of `ref` in `repo`."""
    out = git(repo, "log", "-1", "--format=%H %cI", f"{ref}^{{commit}}", "--")
    sha, _, date = out.decode().strip().partition(" ")
    from datetime import datetime, timezone

    when = datetime.fromisoformat(date).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return sha, when


def has_commit(repo: str | Path, sha: str) -> bool:
    """Whether `sha` is a commit of `repo` (an earlier run's commit may be gone after a rewrite)."""
    proc = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "-e", f"{sha}^{{commit}}"], capture_output=True
    )
    return proc.returncode == 0


def list_tree(repo: str | Path, commit: str) -> list[TreeEntry]:
    """Every file of the commit's tree, recursively, in git's path order."""
    out = git(repo, "ls-tree", "-r", "-z", "--long", "--full-tree", commit)
    entries = []
    for item in out.split(b"\0"):
        if not item:
            continue
        meta, _, path = item.partition(b"\t")
        mode, kind, sha, size = meta.split()
        entries.append(
            TreeEntry(mode.decode(), kind.decode(), sha.decode(), int(size) if size != b"-" else -1,
                      path.decode("utf-8", "surrogateescape"))
        )  # fmt: skip
    return entries


def changed_paths(repo: str | Path, old: str, new: str) -> set[str]:
    """Paths added or modified between two commits (renames count as additions)."""
    out = git(repo, "diff-tree", "-r", "-z", "--no-renames", "--name-only", "--diff-filter=AMT", old, new)
    return {p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p}


class BlobReader:
    """Blobs by sha through one `git cat-file --batch` process; use as a context manager."""

    def __init__(self, repo: str | Path):
        self.repo = str(repo)
        self._proc = None

    def __enter__(self) -> BlobReader:
        self._proc = subprocess.Popen(
            ["git", "-C", self.repo, "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        return self

    def read(self, sha: str) -> bytes | None:
        """The blob's bytes, or None when the object is missing."""
        proc = self._proc
        proc.stdin.write(sha.encode() + b"\n")
        proc.stdin.flush()
        header = proc.stdout.readline().split()
        if len(header) != 3:
            return None
        size = int(header[2])
        data = proc.stdout.read(size)
        proc.stdout.read(1)  # the newline after every object
        return data

    def read_all(self, shas: list[str]) -> Iterator[bytes | None]:
        """The blobs of `shas`, in order, through their own `cat-file --batch --buffer` process: a
        thread writes every sha while this one reads, so no read waits for a round trip."""
        proc = subprocess.Popen(
            ["git", "-C", self.repo, "cat-file", "--batch", "--buffer"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

        def feed() -> None:
            try:
                for sha in shas:
                    proc.stdin.write(sha.encode() + b"\n")
                proc.stdin.close()
            except (BrokenPipeError, ValueError):
                pass  # the reader stopped early

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            for _ in shas:
                header = proc.stdout.readline().split()
                if len(header) != 3:
                    yield None
                    continue
                data = proc.stdout.read(int(header[2]))
                proc.stdout.read(1)
                yield data
        finally:
            proc.stdout.close()
            proc.kill()
            proc.wait(timeout=30)
            writer.join(timeout=30)

    def __exit__(self, *exc) -> None:
        if self._proc is not None:
            self._proc.stdin.close()
            self._proc.wait(timeout=30)
            self._proc.stdout.close()
            self._proc = None
