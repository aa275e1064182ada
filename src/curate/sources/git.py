"""`git` source: the files of local git repositories (working trees or bare) at a ref, one document each.

Each file of the commit's tree becomes a document of kind `code` with its text (UTF-8, as
committed) and `repo`, `path`, `ref`, `commit`, `code_language` (linguist's name, via go-enry)
and `license` (the repository's SPDX expression, or a file's own `SPDX-License-Identifier`;
`unknown` when none, see `curate.sources.licenses`); `fetched_at` is the commit's date. Files
that are not code worth training on are rejected with a reason (`vendored`, `lock_file`,
`file_too_large`, `binary_file`, `bad_encoding`, `generated_file`, `minified`, `symlink`,
`submodule`, `language_not_included`, `excluded`; see `curate.sources.code_meta`).

Incremental: a complete run records the commit it read per (repository, ref); the next run
reads only the files added or changed since (`git diff-tree`), and nothing when the ref has not
moved. Files of all repositories are split across tasks. Reads go through git plumbing
(`ls-tree`, one `cat-file --batch` per task; see `curate.sources.git_read`).
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Iterator

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from loguru import logger

from curate import data as M
from curate.errors import ConfigError
from curate.sources import code_meta
from curate.sources.git_read import (
    BlobReader,
    GitError,
    TreeEntry,
    changed_paths,
    has_commit,
    list_tree,
    resolve,
)
from curate.sources.git_seen import COMMIT, REF, REPO, last_commit
from curate.sources.licenses import detect_license, file_license, is_license_candidate

STAGE = "sources"
CODE = "code"
CODE_LANGUAGE, LICENSE = "code_language", "license"


class GitSource(PipelineStep):
    """Read source files from git repositories.

    Args:
        paths: repository directories (working trees or bare repositories) or globs matching them.
        ref: branch, tag or commit to read (default `HEAD`).
        source: name recorded in the `source` column.
        kind: document kind written to the `kind` column (`code`).
        project: project name recorded with every document, if any.
        max_file_bytes: larger files are rejected unread (`file_too_large`); The Stack used 1 MB.
        languages: linguist language names to keep (`[Python, Go]`); empty keeps every language.
        exclude: glob patterns of repository paths to reject (`excluded`), e.g. `[docs/*, "*.svg"]`.
        incremental: read only files changed since the commit a complete earlier run read.
        state_dir: where that commit is kept (set by the runner).
    """

    name = "git"
    type = "📖 - SOURCE"

    def __init__(
        self,
        paths: list[str],
        ref: str = "HEAD",
        source: str = "git",
        kind: str = CODE,
        project: str | None = None,
        max_file_bytes: int = 2**20,
        languages: list[str] = (),
        exclude: list[str] = (),
        incremental: bool = True,
        state_dir: str | None = None,
    ):
        super().__init__()
        if not paths:
            raise ConfigError("paths: expected at least one repository path, found an empty list")
        if not ref or ref.startswith("-"):
            raise ConfigError(f"ref: expected a branch, tag or commit, found {ref!r}")
        if max_file_bytes <= 0:
            raise ConfigError(f"max_file_bytes: expected a number > 0, found {max_file_bytes}")
        self.paths = list(paths)
        self.ref = ref
        self.source = source
        self.kind = kind
        self.project = project
        self.max_file_bytes = max_file_bytes
        self.languages = set(languages)
        self.exclude = list(exclude)
        self.incremental = incremental
        self.state_dir = state_dir

    def _repos(self) -> list[str]:
        found: list[str] = []
        for pattern in self.paths:
            hits = sorted(p for p in glob.glob(pattern) if os.path.isdir(p)) or [pattern]
            found += [h for h in hits if h not in found]
        return found

    def _reject(self, doc_id: str, reason: str, **meta) -> Document:
        doc = Document(text="", id=doc_id, metadata={M.SOURCE: self.source, M.KIND: self.kind, **meta})
        return M.reject(doc, STAGE, reason)

    def _plan(self, repo: str) -> tuple[dict, list[TreeEntry]]:
        """The repository's common metadata and the tree entries to read this run."""
        commit, date = resolve(repo, self.ref)
        key = os.path.abspath(repo)
        entries = list_tree(repo, commit)
        root = [e for e in entries if "/" not in e.path and e.kind == "blob" and is_license_candidate(e.path)]
        with BlobReader(repo) as blobs:
            license_id = detect_license({e.path: blobs.read(e.sha) or b"" for e in root if e.size < 2**20})
        meta = {REPO: key, REF: self.ref, COMMIT: commit, M.FETCHED_AT: date, LICENSE: license_id}
        last = last_commit(self.state_dir, key, self.ref) if self.incremental else None
        if last == commit:
            logger.info(f"git {repo}: {self.ref} is still at {commit[:12]}, read by an earlier run")
            return meta, []
        if last and has_commit(repo, last):
            changed = changed_paths(repo, last, commit)
            entries = [e for e in entries if e.path in changed]
            logger.info(f"git {repo}: {len(entries)} files changed since {last[:12]}")
        return meta, entries

    def _unread(self, entry: TreeEntry) -> tuple[str, dict] | None:
        """(reason, details) when the entry is rejected without reading its blob, else None."""
        if entry.kind != "blob":
            return "submodule", {}
        if entry.mode == "120000":
            return "symlink", {}
        if any(fnmatch.fnmatch(entry.path, p) for p in self.exclude):
            return "excluded", {}
        reason = code_meta.skip_by_path(entry.path)
        if reason:
            return reason, {}
        if entry.size > self.max_file_bytes:
            return "file_too_large", {"size_bytes": entry.size}
        return None

    def _document(self, repo: str, meta: dict, entry: TreeEntry, content: bytes | None) -> Document:
        doc_id = f"{repo}:{entry.path}"
        base = {**meta, M.PATH: entry.path}
        if self.project:
            base[M.PROJECT] = self.project
        if content is None:
            return self._reject(doc_id, "unreadable_file", **base)
        lang = code_meta.language(entry.path, content)
        base[CODE_LANGUAGE] = lang
        reason = code_meta.skip_by_content(entry.path, content, lang)
        if reason:
            return self._reject(doc_id, reason, **base)
        if self.languages and lang not in self.languages:
            return self._reject(doc_id, "language_not_included", **base)
        base[LICENSE] = file_license(content) or meta[LICENSE]
        doc = Document(text=content.decode("utf-8"), id=doc_id, metadata={M.SOURCE: self.source, **base})
        doc.metadata.update({M.KIND: self.kind, M.CONTENT_TYPE: "text/plain"})
        return doc

    def _task_docs(self, rank: int, world_size: int) -> Iterator[Document]:
        plans = []
        for repo in self._repos():
            try:
                plans.append((repo, *self._plan(repo)))
            except GitError as exc:
                logger.warning(f"git {repo}: {exc}")
                if rank == 0:
                    reason = (
                        "bad_ref" if os.path.isdir(repo) and "revision" in str(exc) else "not_a_repository"
                    )
                    yield self._reject(
                        f"{repo}@{self.ref}", reason, **{M.PATH: repo, "error": str(exc)[:300]}
                    )
        index = 0
        for repo, meta, entries in plans:
            mine = []
            for entry in entries:
                if index % world_size == rank:
                    mine.append(entry)
                index += 1
            if not mine:
                continue
            skips = [self._unread(e) for e in mine]
            blobs = BlobReader(repo).read_all([e.sha for e, s in zip(mine, skips, strict=True) if s is None])
            for entry, skip in zip(mine, skips, strict=True):
                if skip is None:
                    yield self._document(repo, meta, entry, next(blobs))
                    continue
                reason, details = skip
                doc = self._reject(f"{repo}:{entry.path}", reason, **meta, **{M.PATH: entry.path}, **details)
                if self.project:
                    doc.metadata[M.PROJECT] = self.project
                yield doc
            blobs.close()

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        for doc in self._task_docs(rank, world_size):
            self.stat_update("documents", doc.metadata.get(M.REASON) or "read")
            yield doc
