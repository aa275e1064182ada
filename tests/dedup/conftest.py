"""Helpers for the dedup tests: write ingest shards, run the dedup phases in-process, read results."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest
from datatrove.executor import LocalPipelineExecutor

from curate.dedup.exact import ExactDedup
from curate.dedup.minhash import MinhashDedup
from curate.dedup.plan import DedupSettings, phases_for

WORDS = (
    "validator stake block chain proof rollup bridge oracle token fee market light client custody "
    "wallet signature consensus finality slashing delegation reward governance proposal vote "
    "treasury liquidity pool swap price feed latency sequencer batch fraud window withdrawal "
    "deposit contract audit upgrade timelock multisig threshold key shard data availability"
).split()


def lorem(seed: int, n: int = 120) -> str:
    """A reproducible pseudo-English text of `n` words."""
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) + ("." if rng.random() < 0.08 else "") for _ in range(n))


def edit(text: str, rate: float, seed: int) -> str:
    """Replace about `rate` of the words of `text` (at least one) with words not in `WORDS`."""
    rng = random.Random(seed)
    words = text.split()
    picked = [i for i in range(len(words)) if rng.random() < rate] or [rng.randrange(len(words))]
    for i in picked:
        words[i] = rng.choice(WORDS) + "x"
    return " ".join(words)


def write_ingest(run_dir: Path, shards: list[list[dict]]) -> None:
    """Write ingest shards (one list of {id, text, metadata} per task) as the runner would."""
    folder = run_dir / "stages" / "ingest"
    folder.mkdir(parents=True, exist_ok=True)
    for rank, docs in enumerate(shards):
        with gzip.open(folder / f"{rank:05d}.jsonl.gz", "wt", encoding="utf-8") as f:
            for doc in docs:
                f.write(json.dumps(doc) + "\n")


def read_stage(run_dir: Path) -> dict[str, dict]:
    """Documents of stages/dedup by id (asserting no id appears twice)."""
    out: dict[str, dict] = {}
    for path in sorted((run_dir / "stages" / "dedup").glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                doc = json.loads(line)
                assert doc["id"] not in out, f"{doc['id']} written twice"
                out[doc["id"]] = doc
    return out


def settings_for(run_dir: Path, state_dir: Path, tasks: int, exact=True, minhash=True, **mh) -> DedupSettings:
    settings = DedupSettings(
        input_dir=str(run_dir / "stages" / "ingest"),
        output_dir=str(run_dir / "stages" / "dedup"),
        work_dir=str(run_dir / "dedup"),
        state_dir=str(state_dir),
        run_dir=str(run_dir),
        run_id=run_dir.name,
        tasks=tasks,
    )
    if exact:
        settings.exact = ExactDedup() if exact is True else exact
        settings.order.append("exact")
    if minhash:
        settings.minhash = MinhashDedup(**mh) if minhash is True else minhash
        settings.order.append("minhash")
    return settings


def run_phases(settings: DedupSettings, complete: bool = True) -> None:
    """Run every dedup phase with datatrove's local executor (one worker, in this process)."""
    run_dir = Path(settings.run_dir)
    for phase in phases_for(settings):
        LocalPipelineExecutor(
            phase.steps, tasks=phase.tasks, workers=1, logging_dir=str(run_dir / "logs" / phase.name)
        ).run()
    if complete:  # what the runner's manifest does: the run's index segment now counts
        (run_dir / "manifest.json").write_text("{}")


@pytest.fixture
def dedup_run(tmp_path):
    """Write ingest shards for run `run_id`, run dedup on them, return the stage docs by id."""

    def _run(
        shards: list[list[dict]],
        run_id: str = "r1",
        tasks: int | None = None,
        complete: bool = True,
        **kwargs,
    ) -> dict[str, dict]:
        run_dir = tmp_path / "out" / "p" / run_id
        write_ingest(run_dir, shards)
        settings = settings_for(run_dir, tmp_path / "out" / "p" / "state", tasks or len(shards), **kwargs)
        run_phases(settings, complete)
        return read_stage(run_dir)

    return _run
