"""The corpus manifest: the union of the kept shards of every complete run of a pipeline.

`out/<pipeline>/corpus.json` is rewritten after each complete run. Training jobs read the corpus
from it (shard paths relative to the pipeline root, with rows and checksums), so a scheduled
pipeline grows its corpus run by run without rewriting earlier shards.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from curate.io import write_json_atomic


def write_corpus_manifest(pipeline_root: Path) -> dict[str, Any]:
    """Collect the kept shards of every complete run under `pipeline_root` into `corpus.json`."""
    runs, shards = [], []
    for manifest_path in sorted(pipeline_root.glob("*/manifest.json")):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        run_id = manifest["run_id"]
        runs.append({"run_id": run_id, "kept": manifest["kept"], "inputs": manifest["inputs"]})
        for shard in manifest["shards"]:
            if shard["route"] == "kept":
                shards.append({**shard, "path": f"{run_id}/{shard['path']}", "run_id": run_id})
    corpus = {
        "pipeline": pipeline_root.name,
        "runs": runs,
        "documents": sum(s["rows"] for s in shards),
        "shards": shards,
    }
    write_json_atomic(pipeline_root / "corpus.json", corpus)
    return corpus
