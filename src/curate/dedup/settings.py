"""`DedupSettings`: everything the four dedup phases need, in one picklable object.

Its own module, so the phase steps (signature, buckets, cluster, filter) and the plan that
assembles them can all import it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from curate.dedup.exact import DEFAULT_NORMALIZE, ExactDedup
from curate.dedup.minhash import MinhashDedup


@dataclass
class DedupSettings:
    """Everything the dedup phases need; picklable, shared by the four steps."""

    input_dir: str  # stages/ingest: jsonl.gz written by the ingest phase
    output_dir: str  # stages/dedup
    work_dir: str  # run_dir/dedup: signatures, pairs, decisions, index snapshot
    state_dir: str  # the pipeline's state directory (persistent index)
    run_dir: str
    run_id: str
    tasks: int
    exact: ExactDedup | None = None
    minhash: MinhashDedup | None = None
    order: list[str] = field(default_factory=list)  # "exact" / "minhash", as configured

    @property
    def key_normalize(self) -> tuple[str, ...]:
        """Normalization of the `content_sha1` key (exact's, or exact's defaults)."""
        return self.exact.normalize if self.exact else DEFAULT_NORMALIZE

    @property
    def use_index(self) -> bool:
        return any(s is not None and s.index for s in (self.exact, self.minhash))

    @property
    def bands_rows(self) -> tuple[int, int]:
        return self.minhash.bands_rows if self.minhash else (0, 0)

    def path(self, *parts: str) -> Path:
        return Path(self.work_dir, *parts)
