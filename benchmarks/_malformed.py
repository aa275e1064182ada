"""Generated malformed inputs for benchmarks/reliability.py: one generator per kind.

`KINDS[name](folder, n, rng)` writes `n` inputs of that kind into `folder` and returns the paths
whose rows the run must produce (each input file, link or FIFO is one input). Contents are built
here, from a few English sentences; the heavy blobs (gzip and PDF bombs) are made once and
copied.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import random
from collections.abc import Callable
from pathlib import Path

WORDS = (
    "validators lock tokens as collateral and take turns proposing blocks while delegators assign "
    "stake to operators and rollups post compressed data back to the main chain for anyone to check"
).split()


def prose(rng: random.Random, n: int = 80) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)) + "."


def _write(path: Path, data: bytes | str) -> Path:
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    path.write_bytes(data)
    return path


def well_formed(folder: Path, n: int, rng: random.Random) -> list[Path]:
    """The baseline: plain text files that every step reads without trouble."""
    return [_write(folder / f"good{i}.txt", prose(rng)) for i in range(n)]


def name_not_utf8(folder: Path, n: int, rng: random.Random) -> list[Path]:
    out = []
    for i in range(n):
        name = os.fsdecode(b"doc%d-caf\xe9-%c.txt" % (i, 0x80 + i % 64))
        out.append(_write(folder / name, prose(rng)))
    return out


def jsonl_surrogates(folder: Path, n: int, rng: random.Random) -> list[Path]:
    out = []
    for i in range(n):
        rows = [
            f'{{"id": "s{i}\\ud800", "text": "{prose(rng)} \\udfff"}}',
            f'{{"id": "t{i}", "title": "bad \\udc80 title", "text": "{prose(rng)}"}}',
            f'{{"id": "u{i}", "text": "{prose(rng)} \\ud83d end"}}',
        ]
        out.append(_write(folder / f"sur{i}.jsonl", "\n".join(rows) + "\n"))
    return out


def jsonl_deep(folder: Path, n: int, rng: random.Random) -> list[Path]:
    out = []
    for i in range(n):
        depth = rng.choice([3_000, 20_000, 100_000])
        opener, closer = ("[", "]") if i % 2 else ('{"a":', "}")
        line = opener * depth + ("1" if i % 2 == 0 else "") + closer * depth
        out.append(_write(folder / f"deep{i}.jsonl", line + "\n" + json.dumps({"text": prose(rng)}) + "\n"))
    return out


def _records(rng: random.Random, n: int = 60) -> bytes:
    return "".join(
        json.dumps({"id": f"r{rng.random()}", "text": prose(rng)}) + "\n" for _ in range(n)
    ).encode()


def jsonl_gz_corrupt(folder: Path, n: int, rng: random.Random) -> list[Path]:
    out = []
    for i in range(n):
        data = bytearray(gzip.compress(_records(rng)))
        at = rng.randrange(20, len(data) - 20)
        for j in range(at, min(len(data), at + rng.randint(1, 200))):
            data[j] ^= rng.randint(1, 255)
        out.append(_write(folder / f"flip{i}.jsonl.gz", bytes(data)))
    return out


def jsonl_gz_truncated(folder: Path, n: int, rng: random.Random) -> list[Path]:
    out = []
    for i in range(n):
        data = gzip.compress(_records(rng))
        out.append(_write(folder / f"trunc{i}.jsonl.gz", data[: rng.randrange(1, len(data) - 1)]))
    return out


@functools.cache
def _gzip_bomb() -> bytes:
    line = b'{"text": "' + b"a" * (4 * 2**20) + b'"}\n'
    return gzip.compress(line * 32, 9)  # 128 MB of records in ~130 KB


def gzip_bomb(folder: Path, n: int, rng: random.Random) -> list[Path]:
    return [_write(folder / f"bomb{i}.jsonl.gz", _gzip_bomb()) for i in range(n)]


def jsonl_long_line(folder: Path, n: int, rng: random.Random) -> list[Path]:
    big = json.dumps({"text": "word " * 600_000})  # 3 MB, over the benchmark's 2 MB record bound
    return [
        _write(folder / f"long{i}.jsonl", big + "\n" + json.dumps({"text": prose(rng)}) + "\n")
        for i in range(n)
    ]


def jsonl_invalid(folder: Path, n: int, rng: random.Random) -> list[Path]:
    junk = [
        "{broken",
        "[1, 2, 3]",
        '"a string"',
        "null",
        '{"text": 5}',
        '{"id": [1, {"x": 2}], "text": "t"}',
        '{"id": true, "text": "%s"}',
        '{"text": "nul \\u0000 and bell \\u0007 %s"}',
        "\x00\x01\x02",
    ]
    out = []
    for i in range(n):
        lines = [rng.choice(junk).replace("%s", prose(rng, 30)) for _ in range(4)]
        out.append(_write(folder / f"junk{i}.jsonl", "\n".join(lines) + "\n"))
    return out


def jsonl_dup_ids(folder: Path, n: int, rng: random.Random) -> list[Path]:
    out = []
    for i in range(n):
        rows = [{"id": f"same{j % 3}", "text": prose(rng)} for j in range(4)]
        out.append(_write(folder / f"dup{i}.jsonl", "".join(json.dumps(r) + "\n" for r in rows)))
    return out


def parquet_corrupt(folder: Path, n: int, rng: random.Random) -> list[Path]:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.table({"text": [prose(rng) for _ in range(20)]}), buf)
    whole = buf.getvalue()
    out = []
    for i in range(n):
        data = whole[: rng.randrange(8, len(whole) - 8)] if i % 2 else b"PAR1" + rng.randbytes(500) + b"PAR1"
        out.append(_write(folder / f"bad{i}.parquet", data))
    return out


def _front(rng: random.Random, header: str) -> str:
    return f"---\n{header}\n---\n# Notes\n\n{prose(rng)}\n"


def md_bad_date(folder: Path, n: int, rng: random.Random) -> list[Path]:
    dates = ["2024-13-45", "2024-02-30", "0000-00-00", "9999-99-99 25:61:61", "yesterday", "[2024, 1]"]
    return [
        _write(folder / f"date{i}.md", _front(rng, f"title: t{i}\ndate: {dates[i % len(dates)]}"))
        for i in range(n)
    ]


def md_deep_front_matter(folder: Path, n: int, rng: random.Random) -> list[Path]:
    out = []
    for i in range(n):
        depth = rng.choice([100, 5_000, 20_000])
        nested = "a: " + "[" * depth + "]" * depth if i % 2 else "a: " + "{b: " * depth + "1" + "}" * depth
        out.append(_write(folder / f"fm{i}.md", _front(rng, nested)))
    return out


def md_alias_bomb(folder: Path, n: int, rng: random.Random) -> list[Path]:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    header = "\n".join(lines) + "\ntitle: *i\nauthor: *h"
    return [_write(folder / f"alias{i}.md", _front(rng, header)) for i in range(n)]


def md_huge_front_matter(folder: Path, n: int, rng: random.Random) -> list[Path]:
    header = "\n".join(f"k{j}: {prose(rng, 5)}" for j in range(3000))  # ~150 KB
    return [_write(folder / f"huge{i}.md", _front(rng, header)) for i in range(n)]


def _pdf(content: bytes) -> bytes:
    from tests.conftest import pdf_with_stream

    return pdf_with_stream(content, level=6)


@functools.cache
def _pdf_bomb() -> bytes:
    return _pdf(b"1 0 0 1 0 0 cm\n" * 6_000_000)  # 90 MB of operators in ~180 KB


@functools.cache
def _pdf_slow() -> bytes:
    return _pdf(b"1 0 0 1 0 0 cm\n" * 2_000_000)  # 30 MB: within the bytes bound, minutes in pdfminer


def pdf_bomb(folder: Path, n: int, rng: random.Random) -> list[Path]:
    return [_write(folder / f"bomb{i}.pdf", _pdf_bomb()) for i in range(n)]


def pdf_slow(folder: Path, n: int, rng: random.Random) -> list[Path]:
    return [_write(folder / f"slow{i}.pdf", _pdf_slow()) for i in range(n)]


def pdf_garbage(folder: Path, n: int, rng: random.Random) -> list[Path]:
    return [
        _write(folder / f"junk{i}.pdf", b"%PDF-1.7\n" + rng.randbytes(rng.randint(10, 5000)))
        for i in range(n)
    ]


def html_deep(folder: Path, n: int, rng: random.Random) -> list[Path]:
    out = []
    for i in range(n):
        depth = rng.choice([1_000, 50_000, 200_000])
        body = "<div>" * depth + prose(rng) + "</div>" * depth
        out.append(_write(folder / f"deep{i}.html", f"<!doctype html><html><body>{body}</body></html>"))
    return out


def binary_garbage(folder: Path, n: int, rng: random.Random) -> list[Path]:
    exts = [".html", ".txt", ".md", ".htm"]
    return [_write(folder / f"bin{i}{exts[i % 4]}", rng.randbytes(rng.randint(1, 20_000))) for i in range(n)]


def bad_encoding(folder: Path, n: int, rng: random.Random) -> list[Path]:
    encodings = ["latin-1", "cp1252", "shift_jis", "utf-16-le", "koi8-r", "gb18030"]
    out = []
    for i in range(n):
        text = prose(rng) + " café naïve 東京 Москва"
        data = text.encode(encodings[i % len(encodings)], "replace")
        if i % 7 == 6:
            data = data[:-1] + b"\xff\xfe\xc3"  # invalid bytes in every decoding
        out.append(_write(folder / f"enc{i}.txt", data))
    return out


def empty_files(folder: Path, n: int, rng: random.Random) -> list[Path]:
    exts = [".txt", ".md", ".html", ".pdf", ".jsonl", ".jsonl.gz", ".parquet"]
    return [_write(folder / f"empty{i}{exts[i % len(exts)]}", b"") for i in range(n)]


def special_paths(folder: Path, n: int, rng: random.Random) -> list[Path]:
    """FIFOs and broken links (each needs a row) and directory links to `.` (a cycle, no row)."""
    out = []
    for i in range(n):
        path = folder / f"special{i}.txt"
        if i % 2:
            os.mkfifo(path)
        else:
            os.symlink(folder / f"missing{i}.txt", path)
        out.append(path)
    for j in range(2):
        os.symlink(".", folder / f"loop{j}")
    (folder / "real.txt").write_text(prose(rng))
    return out + [folder / "real.txt"]


KINDS: dict[str, Callable[[Path, int, random.Random], list[Path]]] = {
    f.__name__: f
    for f in (
        name_not_utf8,
        jsonl_surrogates,
        jsonl_deep,
        jsonl_gz_corrupt,
        jsonl_gz_truncated,
        gzip_bomb,
        jsonl_long_line,
        jsonl_invalid,
        jsonl_dup_ids,
        parquet_corrupt,
        md_bad_date,
        md_deep_front_matter,
        md_alias_bomb,
        md_huge_front_matter,
        pdf_bomb,
        pdf_slow,
        pdf_garbage,
        html_deep,
        binary_garbage,
        bad_encoding,
        empty_files,
        special_paths,
    )
}
# kinds that cost seconds each get fewer inputs (share of the per-kind count)
SHARE = {"pdf_slow": 0.1, "pdf_bomb": 0.3, "gzip_bomb": 0.3, "html_deep": 0.3, "jsonl_long_line": 0.5}
