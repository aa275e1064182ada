"""Glob patterns expanded safely: always terminates, each real file once, nothing skipped silently.

Python's `glob.glob(recursive=True)` follows directory symlinks under `**`: two links to `.`
make it walk 2^40 paths, and one such link turns one file into dozens of matches. It also drops
directories it cannot list without a word. `expand` matches the same patterns (`*`, `?`,
`[...]` within one path component, `**` for any number of directories; names starting with
`.` only match a component that starts with `.` too, as in `glob`) with an explicit walk:

- a directory is entered at most once per pattern position, keyed by its device and inode, so
  symlink cycles end (links to directories are still followed once: data is often linked in);
- a file is matched once, keyed by device and inode, under the first path found in name order;
- every path it cannot use is reported with a reason: `unreadable_dir` (cannot be listed),
  `broken_link`, `unreadable_file` (cannot be stat'ed), `not_a_regular_file` (FIFOs, sockets,
  devices: reading one could block forever).
"""

from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

_MAGIC = ("*", "?", "[")


@dataclass
class Expansion:
    """The result of `expand`: files to read, paths that cannot be, patterns matching nothing."""

    files: list[Path] = field(default_factory=list)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (path, reason, error)
    missing: list[str] = field(default_factory=list)


def _has_magic(part: str) -> bool:
    return any(c in part for c in _MAGIC)


def _split(pattern: str) -> tuple[Path, list[str]]:
    """(directory the walk starts in, the pattern's components below it)."""
    parts = Path(pattern).parts
    fixed = 0
    while fixed < len(parts) and not _has_magic(parts[fixed]):
        fixed += 1
    root = Path(*parts[:fixed]) if fixed else Path(".")
    return root, list(parts[fixed:])


def _name_matches(name: str, part: str) -> bool:
    if name.startswith(".") and not part.startswith("."):
        return False
    return fnmatch.fnmatchcase(name, part)


class _Walker:
    def __init__(self, out: Expansion, seen_files: dict[tuple[int, int], Path]):
        self.out = out
        self.seen_files = seen_files
        self.found = 0

    def candidate(self, path: Path) -> None:
        """A path the pattern matched: a regular file to read, a directory (ignored) or a problem."""
        try:
            st = path.stat()
        except FileNotFoundError as exc:
            if path.is_symlink():
                self.out.problems.append((str(path), "broken_link", str(exc)))
                self.found += 1
            return
        except OSError as exc:
            self.out.problems.append((str(path), "unreadable_file", str(exc)))
            self.found += 1
            return
        if stat.S_ISDIR(st.st_mode):
            return
        self.found += 1
        if not stat.S_ISREG(st.st_mode):
            self.out.problems.append((str(path), "not_a_regular_file", f"mode {stat.filemode(st.st_mode)}"))
            return
        key = (st.st_dev, st.st_ino)
        if key not in self.seen_files:
            self.seen_files[key] = path
            self.out.files.append(path)

    def listdir(self, folder: Path) -> list[os.DirEntry] | None:
        try:
            with os.scandir(folder) as it:
                return sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.out.problems.append((str(folder), "unreadable_dir", str(exc)))
            self.found += 1  # the folder's row stands for what it holds: the pattern is not "missing"
            return None

    def walk(self, root: Path, parts: list[str]) -> None:
        visited: set[tuple[int, int, int]] = set()
        stack: list[tuple[Path, int]] = [(root, 0)]
        while stack:
            folder, i = stack.pop()
            try:
                st = folder.stat()
            except OSError:
                continue  # reported when its parent listed it, or the root does not exist
            if (st.st_dev, st.st_ino, i) in visited:
                continue
            visited.add((st.st_dev, st.st_ino, i))
            part = parts[i]
            last = i == len(parts) - 1
            entries = self.listdir(folder)
            if entries is None:
                continue
            pushes: list[tuple[Path, int]] = []
            if part == "**":
                if last:
                    for entry in entries:
                        if entry.name.startswith("."):
                            continue
                        if self._is_dir(entry):
                            pushes.append((Path(entry.path), i))
                        else:
                            self.candidate(Path(entry.path))
                else:
                    pushes.append((folder, i + 1))
                    pushes += [
                        (Path(e.path), i) for e in entries if not e.name.startswith(".") and self._is_dir(e)
                    ]
            else:
                for entry in entries:
                    if not _name_matches(entry.name, part):
                        continue
                    if last:
                        self.candidate(Path(entry.path))
                    elif self._is_dir(entry):
                        pushes.append((Path(entry.path), i + 1))
            stack.extend(reversed(pushes))

    @staticmethod
    def _is_dir(entry: os.DirEntry) -> bool:
        try:
            return entry.is_dir()
        except OSError:
            return False


def expand(patterns: list[str]) -> Expansion:
    """Expand glob `patterns` (see the module docstring); files sorted by path, each once."""
    out = Expansion()
    seen: dict[tuple[int, int], Path] = {}
    for pattern in patterns:
        walker = _Walker(out, seen)
        root, parts = _split(pattern)
        if not parts:
            walker.candidate(root)
        elif root.is_dir():
            walker.walk(root, parts)
        if walker.found == 0:
            out.missing.append(pattern)
    out.files.sort()
    return out
