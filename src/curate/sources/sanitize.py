"""`SanitizeDocuments`: what every source emits is made safe to write before any stage sees it.

Runs in the ingest phase right after the sources, for every source:

- *Unicode repair.* A Python `str` can hold lone surrogates (U+D800–U+DFFF): from a JSON escape
  such as `"\\ud800"`, or from `os.fsdecode` of a file name that is not valid UTF-8
  (`caf\\xe9.txt` becomes `caf\\udce9.txt`). They cannot be encoded as UTF-8, so orjson refuses
  to write the stage file and fastText's `predict` raises. Each lone surrogate in the id, the
  text and every string in the metadata becomes U+FFFD; the repaired fields are listed in
  `unicode_repaired`, so the repair is auditable.
- *Unique ids.* Two records with the same id (a JSONL file with a repeated `id`) would make the
  review queue and `review apply` ambiguous. Within a task, the second and later copies get
  `<id>~2`, `<id>~3`, ... and keep the original in `id_renamed_from`. Across tasks, each task
  writes the 64-bit hashes of its ids to `<ids_dir>/<rank>.npy`, and `curate.sources.unique_ids`
  renames the ids several tasks emitted once all of them have finished.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import numpy as np
from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from curate import data as M
from curate.io import atomic_path

_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_DEPTH = 20  # metadata nesting repaired; deeper values are replaced by a note


def repair_str(text: str) -> tuple[str, bool]:
    """`text` with every lone surrogate replaced by U+FFFD, and whether anything changed."""
    if text.isascii():
        return text, False
    repaired, n = _SURROGATE.subn("\ufffd", text)
    return repaired, n > 0


def repair_value(value: Any, depth: int = 0) -> tuple[Any, bool]:
    """A metadata value (str, list, dict, scalar) with its strings repaired, and whether any was."""
    if isinstance(value, str):
        return repair_str(value)
    if isinstance(value, (list, tuple, dict)) and depth >= MAX_DEPTH:
        return "<nested too deep>", True
    if isinstance(value, (list, tuple)):
        out, changed = [], False
        for item in value:
            fixed, c = repair_value(item, depth + 1)
            out.append(fixed)
            changed |= c
        return (out if changed else value), changed
    if isinstance(value, dict):
        fixed_dict, changed = {}, False
        for key, item in value.items():
            new_key, c1 = repair_value(key, depth + 1) if isinstance(key, str) else (key, False)
            fixed, c2 = repair_value(item, depth + 1)
            fixed_dict[new_key] = fixed
            changed |= c1 or c2
        return (fixed_dict if changed else value), changed
    return value, False


def repair_document(doc: Document) -> list[str]:
    """Repair `doc` in place; the names of the repaired fields (`id`, `text`, metadata keys)."""
    repaired = []
    doc.id, changed = repair_str(doc.id) if isinstance(doc.id, str) else (str(doc.id), False)
    if changed:
        repaired.append("id")
    doc.text, changed = repair_str(doc.text or "")
    if changed:
        repaired.append("text")
    for key in list(doc.metadata):
        if key == M.RAW:
            continue
        value, changed = repair_value(doc.metadata[key])
        new_key, key_changed = repair_str(key)
        if changed or key_changed:
            del doc.metadata[key]
            doc.metadata[new_key] = value
            repaired.append(new_key)
    if repaired:
        doc.metadata[M.UNICODE_REPAIRED] = sorted(
            set(repaired) | set(doc.metadata.get(M.UNICODE_REPAIRED, []))
        )
    return repaired


def id_hash(doc_id: str) -> int:
    """64-bit hash of an id (signed, as numpy's int64 stores it)."""
    digest = hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def save_ids(ids_dir: str | Path, rank: int, hashes: list[int]) -> None:
    """Write this task's id hashes atomically to `<ids_dir>/<rank>.npy`."""
    with atomic_path(Path(ids_dir) / f"{rank:05d}.npy") as tmp, open(tmp, "wb") as f:
        np.save(f, np.array(sorted(set(hashes)), dtype=np.int64))


class SanitizeDocuments(PipelineStep):
    """Repair invalid Unicode and make ids unique within the task (see the module docstring).

    Args:
        ids_dir: where this task's id hashes are written for the cross-task check; None: not written.
    """

    name = "sanitize"
    type = "🧼 - SANITIZE"

    def __init__(self, ids_dir: str | None = None):
        super().__init__()
        self.ids_dir = ids_dir

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        seen: set[int] = set()
        copies: dict[str, int] = {}
        for doc in data or ():
            if repair_document(doc):
                self.stat_update("unicode_repaired")
            key = id_hash(doc.id)
            if key in seen:
                original = doc.id
                n = copies.get(original, 1)
                while key in seen:
                    n += 1
                    doc.id = f"{original}~{n}"
                    key = id_hash(doc.id)
                copies[original] = n
                doc.metadata.setdefault(M.ID_RENAMED_FROM, original)
                self.stat_update("duplicate_id_renamed")
            seen.add(key)
            yield doc
        if self.ids_dir:
            save_ids(self.ids_dir, rank, list(seen))
