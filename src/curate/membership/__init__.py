"""Membership scoring: how likely it is that a text was in the target model's training data.

`models` loads causal LMs (local dir or GGUF, named aliases), `forward` turns token ids into per-token
log-likelihoods in length-sorted batches, `scores` holds the maths (bits per byte, zlib, reference
ratio, Min-K%++, LiRA), `scorer` adds caching and tokenisation, `calibrate` picks a threshold from
known non-members and `step` is the pipeline step (`membership: score`).
"""
