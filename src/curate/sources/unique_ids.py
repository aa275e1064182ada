"""`UniqueIds`: ids that several ingest tasks emitted are made unique before any shard is written.

`SanitizeDocuments` makes ids unique within a task and writes each task's 64-bit id hashes to
`<ids_dir>/<rank>.npy`. Tasks read disjoint files, but two files can hold records with the same
id. Once every ingest task has finished, an id whose hash is in two or more of those files is
ambiguous; this step (first in the score phase, so before any shard) renames every document
carrying such an id to `<id>~<h>`, where `<h>` is 8 hex digits of the SHA-1 of the document's
path, URL or text: the same name whichever task and however often the phase runs. The original
id is kept in `id_renamed_from`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from curate import data as M
from curate.sources.sanitize import id_hash


def shared_hashes(ids_dir: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(hashes emitted by two or more tasks, every hash emitted), both sorted int64 arrays."""
    arrays = [np.load(p) for p in sorted(Path(ids_dir).glob("*.npy"))]
    if not arrays:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    values, counts = np.unique(np.concatenate(arrays), return_counts=True)
    return values[counts > 1], values


def _contains(sorted_values: np.ndarray, key: int) -> bool:
    at = int(np.searchsorted(sorted_values, key))
    return at < len(sorted_values) and int(sorted_values[at]) == key


class UniqueIds(PipelineStep):
    """Rename documents whose id more than one ingest task emitted (see the module docstring).

    Args:
        ids_dir: the folder `SanitizeDocuments` wrote the per-task id hashes to.
    """

    name = "unique ids"
    type = "🧼 - SANITIZE"

    def __init__(self, ids_dir: str):
        super().__init__()
        self.ids_dir = ids_dir

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        shared, every = shared_hashes(self.ids_dir)
        for doc in data or ():
            if len(shared) and _contains(shared, id_hash(doc.id)):
                original = doc.id
                basis = doc.metadata.get(M.PATH) or doc.metadata.get(M.URL) or doc.text or ""
                digest = hashlib.sha1(str(basis).encode("utf-8", "surrogatepass")).hexdigest()
                doc.id = f"{original}~{digest[:8]}"
                n = 1
                while _contains(every, id_hash(doc.id)):
                    n += 1
                    doc.id = f"{original}~{digest[:8]}-{n}"
                doc.metadata.setdefault(M.ID_RENAMED_FROM, original)
                self.stat_update("duplicate_id_renamed")
            yield doc
