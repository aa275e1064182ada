"""Deduplication: exact (normalized text) and MinHash LSH near duplicates, incremental across runs.

YAML steps (`dedup:` section) are `exact` (`curate.dedup.exact.ExactDedup`) and `minhash`
(`curate.dedup.minhash.MinhashDedup`, which documents the LSH maths). They hold options only;
`curate.dedup.plan.dedup_phases` turns them into the sharded datatrove phases
signatures → buckets → cluster → filter, and `curate.dedup.index` keeps what every run kept so
the next run drops copies of it. Nothing is removed from the stream: duplicates are rejected
with `stage: dedup` and a reason.
"""
