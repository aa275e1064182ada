"""Code shingles: identifier, number and symbol tokens, chosen per document by kind."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq

from curate.config import load_config
from curate.dedup.shingles import batch_shingles, mixed_shingles
from curate.runner import run_pipeline
from tests.sources.gitrepo import make_repo

PLUS, MINUS = "total = price_a + fee_b * 2\n", "total = price_a - fee_b * 2\n"


def shingle_set(text: str, mode: str, n: int = 3) -> set[int]:
    return set(batch_shingles([text], mode, n).hashes.tolist())


def test_code_tokens_keep_operators_and_underscores():
    assert shingle_set(PLUS, "word") == shingle_set(MINUS, "word")  # words alone cannot tell + from -
    assert shingle_set(PLUS, "code") != shingle_set(MINUS, "code")
    assert batch_shingles([PLUS], "code", 3).tokens[0] == 7  # total = price_a + fee_b * 2
    assert shingle_set("f(x)  +\n   1", "code") == shingle_set("f( x ) + 1", "code")  # spacing is not a token


def test_mixed_modes_equal_their_single_mode_batches():
    texts = [PLUS, "plain words of a web page here", MINUS, "more plain words in a text"]
    modes = ["code", "word", "code", "word"]
    mixed = mixed_shingles(texts, modes, 3)
    for i, (text, mode) in enumerate(zip(texts, modes, strict=True)):
        alone = batch_shingles([text], mode, 3)
        start, end = mixed.offsets[i], mixed.offsets[i + 1]
        assert np.array_equal(mixed.hashes[start:end], alone.hashes) and mixed.tokens[i] == alone.tokens[0]


def test_near_duplicate_code_files_are_found(tmp_path, write_pipeline):
    body = "".join(f"def f{i}(x, y):\n    return (x + y * {i}) % 97\n\n\n" for i in range(40))
    make_repo(
        tmp_path / "repo", {"a.py": body, "b.py": body.replace("% 97", "% 89", 1), "c.py": "x = 1\n" * 3}
    )
    config = write_pipeline(
        """
        name: codedup
        sources:
          - git: {paths: ["{tmp}/repo"]}
        dedup:
          - minhash: {threshold: 0.8}
        output: {dir: "{tmp}/out"}
        """
    )
    assert run_pipeline(load_config(config), run_id="r1")["accounted"]
    rows = [
        r
        for s in sorted((tmp_path / "out/codedup/r1").glob("*/*.parquet"))
        for r in pq.read_table(s).to_pylist()
    ]
    reasons = {r["path"]: r["reason"] for r in rows}
    assert list(reasons.values()).count("near_duplicate") == 1
    dropped = next(r for r in rows if r["reason"] == "near_duplicate")
    assert dropped["path"] in ("a.py", "b.py") and reasons["c.py"] is None
