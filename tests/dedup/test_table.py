"""Row tables: ids come back as written, in the order asked, whether read in one span or one by one."""

from __future__ import annotations

import random

import numpy as np

from curate.dedup.table import ROW, Table, TableWriter


def test_ids_come_back_in_the_order_asked(tmp_path):
    rng = random.Random(3)
    ids = [f"doc-{i}-" + "é" * rng.randint(0, 40) + ("\udcff" if i % 997 == 0 else "") for i in range(40_000)]
    writer = TableWriter(tmp_path / "t")
    for start in range(0, len(ids), 8192):
        part = ids[start : start + 8192]
        writer.append(np.zeros(len(part), dtype=ROW), part)
    table = Table(writer.close({}))
    assert table.ids() == ids
    # the first and last id of a blob over 1 MiB: read one by one, not as the span between them
    assert table.ids(np.array([len(ids) - 1, 0])) == [ids[-1], ids[0]]
    picked = rng.sample(range(len(ids)), 500)
    assert table.ids(np.array(picked)) == [ids[i] for i in picked]
    assert table.ids(np.array([], dtype=np.int64)) == []
    # copied as bytes (index segments): a table built from them holds the same ids
    blob, lengths = table.id_bytes(np.array(picked))
    copy = TableWriter(tmp_path / "copy")
    copy.append(np.zeros(len(picked), dtype=ROW), (blob, lengths))
    assert Table(copy.close({})).ids() == [ids[i] for i in picked]


def test_sorted_unique_is_numpys_unique():
    import numpy as np

    from curate.dedup.table import sorted_unique

    rng = np.random.default_rng(0)
    for values in (
        np.zeros(0, np.uint64),
        np.array([7], np.int64),
        rng.integers(0, 50, 500).astype(np.uint64),
    ):
        got = sorted_unique(values)
        assert got.dtype == values.dtype and np.array_equal(got, np.unique(values))


def test_concat_ranges_is_the_concatenation_of_aranges():
    import numpy as np

    from curate.dedup.table import concat_ranges

    rng = np.random.default_rng(1)
    for _ in range(100):
        n = int(rng.integers(0, 12))
        starts, lengths = rng.integers(0, 1000, n), rng.integers(0, 5, n)  # empty ranges too
        want = np.concatenate([np.arange(s, s + k) for s, k in zip(starts, lengths, strict=True)] + [[]])
        got = concat_ranges(starts, lengths)
        assert got.dtype == np.int64 and np.array_equal(got, want.astype(np.int64))
