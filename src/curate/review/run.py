"""A complete run directory as the review loop sees it: its identity, shards and documents.

`RUN` on the command line is a run directory, `out/<pipeline>/<run-id>/`. Only complete runs
(with `manifest.json`) can be reviewed: an unfinished run's shards are still being written.
The pipeline's state folder, shared by its runs, is the run directory's sibling `state/`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml

from curate import data as M
from curate.errors import RunError
from curate.writers.parquet import ROUTES

ROUTE_NAMES = tuple(ROUTES.values())  # kept, rejected, review
# Columns the queue and apply need to place a document without reading its text.
INDEX_COLUMNS = ("id", M.SOURCE, M.KIND, M.CLUSTER_ID, M.CONTENT_SHA1, M.DECISION, M.STAGE, M.REASON)


@dataclass
class RunDir:
    """A complete run of a pipeline: `path` is `out/<pipeline>/<run-id>/`."""

    path: Path
    run_id: str
    pipeline: str
    manifest: dict[str, Any]

    @classmethod
    def open(cls, path: str | Path) -> RunDir:
        """Open a complete run directory, or explain why it cannot be reviewed."""
        path = Path(path)
        manifest_path = path / "manifest.json"
        if not path.is_dir():
            raise RunError(f"{path}: not a run directory (expected out/<pipeline>/<run-id>/)")
        if not manifest_path.is_file():
            raise RunError(
                f"{path}: no manifest.json, so the run is not complete; finish it with "
                f"`curate run PIPELINE_FILE --run-id {path.name}` before reviewing it"
            )
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            return cls(path, str(manifest["run_id"]), str(manifest["pipeline"]), manifest)
        except (OSError, ValueError, KeyError) as exc:
            raise RunError(f"{manifest_path}: unreadable manifest ({exc})") from None

    @property
    def state_dir(self) -> Path:
        """`out/<pipeline>/state/`, shared by every run of the pipeline."""
        return self.path.parent / "state"

    def config(self) -> dict[str, Any]:
        """The run's `config.resolved.yaml` (empty if missing)."""
        path = self.path / "config.resolved.yaml"
        return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}

    def shards(self, routes: Iterable[str] = ROUTE_NAMES) -> list[tuple[str, Path]]:
        """`(route, path)` of every finished shard, in a stable order."""
        return [(r, p) for r in routes for p in sorted((self.path / r).glob("*.parquet"))]

    def scan(self, columns: Iterable[str] = INDEX_COLUMNS) -> Iterator[dict[str, Any]]:
        """Every document's `columns` plus `_route` and `_shard`, one shard in memory at a time."""
        cols = list(dict.fromkeys(columns))
        for route, shard in self.shards():
            for batch in pq.ParquetFile(shard).iter_batches(batch_size=10_000, columns=cols):
                for row in batch.to_pylist():
                    row["_route"], row["_shard"] = route, shard
                    yield row

    def rows(self, ids: set[str], shards: Iterable[Path] | None = None) -> dict[str, dict[str, Any]]:
        """Full rows (text included) of the documents in `ids`, read only from shards holding them."""
        found: dict[str, dict[str, Any]] = {}
        if not ids:
            return found
        wanted = pa.array(sorted(ids), pa.string())
        for shard in shards if shards is not None else (p for _, p in self.shards()):
            table = pq.read_table(shard)
            for row in table.filter(pc.is_in(table["id"], value_set=wanted)).to_pylist():
                found[row["id"]] = row
        return found


def parse_metadata(row: dict[str, Any]) -> dict[str, Any]:
    """The JSON `metadata` column of a shard row as a dict (empty when absent or broken)."""
    try:
        value = json.loads(row.get("metadata") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
