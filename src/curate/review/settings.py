"""The `review:` block of a pipeline file, apart from the queue code so that loading a config
does not import the run-reading machinery (pyarrow, datatrove's readers)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ReviewConfig(BaseModel):
    """Queue sizes and what reviewers see (the `review:` block of a pipeline file)."""

    model_config = ConfigDict(extra="forbid")

    audit_kept: int = Field(20, ge=0, description="kept documents sampled for audit per export")
    audit_rejected: int = Field(20, ge=0, description="rejected documents sampled for audit per export")
    max_review: int | None = Field(None, ge=0, description="documents sent to review per export; null = all")
    max_chars: int = Field(20_000, ge=200, description="characters shown per document; the rest is cut")
    seed: int = Field(0, description="seed of the random samples")
