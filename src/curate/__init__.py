"""curate: build clean, deduplicated, novel domain corpora for LLM training."""

__version__ = "0.1.0"
