"""Records of JSONL (`.jsonl`, `.jsonl.gz`) and parquet files, read within bounds.

Both readers yield `(position, record)` with `record` a dict, any other JSON value, or a
`Problem` (the reason of the rejected row and a detail), and never raise on bad input:

- a JSONL line longer than `max_record_bytes` is skipped unparsed (`record_too_large`) without
  holding it in memory; a line nested deeper than the parser's recursion limit is
  `json_too_deep`; one that does not parse is `bad_record`; bytes that are not UTF-8 become
  U+FFFD and the record is marked (`INVALID_UTF8`);
- a damaged or truncated gzip or parquet file ends with one `corrupt_file` row after the records
  read before the damage;
- reading stops at `max_decompressed_bytes` uncompressed bytes (`decompressed_too_large`; a
  50 MB gzip bomb can inflate to 50 GB; for parquet the row groups' declared sizes are checked).
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_CHUNK = 2**20
INVALID_UTF8 = ("invalid utf-8",)  # marks a parsed record (JSON keys are never tuples)


class Problem:
    """A record or file that cannot be read: the reason of its rejected row and a detail."""

    def __init__(self, reason: str, error: str):
        self.reason, self.error = reason, error[:300]


def jsonl_rows(path: Path, max_record_bytes: int, max_decompressed_bytes: int) -> Iterator[tuple[int, Any]]:
    """(line number, dict | Problem) per non-blank line; bytes that are not UTF-8 become U+FFFD
    (the record is marked), and a corrupt or truncated gzip ends the file with one Problem."""
    lineno, total = 0, 0
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            while True:
                line = f.readline(max_record_bytes + 1)
                if not line:
                    return
                lineno += 1
                total += len(line)
                too_long = len(line) > max_record_bytes and not line.endswith(b"\n")
                while too_long and total <= max_decompressed_bytes:
                    rest = f.readline(_CHUNK)  # skip the rest of the line without keeping it
                    total += len(rest)
                    if not rest or rest.endswith(b"\n"):
                        break
                if total > max_decompressed_bytes:
                    error = f"more than {max_decompressed_bytes} bytes uncompressed"
                    yield lineno, Problem("decompressed_too_large", error)
                    return
                if too_long:
                    error = f"line longer than {max_record_bytes} bytes"
                    yield lineno, Problem("record_too_large", error)
                elif line.strip():
                    yield lineno, _parse_line(line.removeprefix(b"\xef\xbb\xbf"))  # UTF-8 BOM
    except (OSError, EOFError, zlib.error) as exc:  # gzip: BadGzipFile (an OSError), truncation
        yield lineno + 1, Problem("corrupt_file", f"{type(exc).__name__}: {exc}")


def _parse_line(line: bytes) -> dict | Problem:
    try:
        text, invalid = line.decode("utf-8"), False
    except UnicodeDecodeError:
        text, invalid = line.decode("utf-8", "replace"), True
    try:
        row = json.loads(text)
    except RecursionError:
        return Problem("json_too_deep", "nesting deeper than the parser's recursion limit")
    except ValueError as exc:
        return Problem("bad_record", str(exc))
    if isinstance(row, dict) and invalid:
        row[INVALID_UTF8] = True
    return row


def parquet_rows(path: Path, max_decompressed_bytes: int) -> Iterator[tuple[int, Any]]:
    import pyarrow.parquet as pq

    index = 0
    try:
        parquet = pq.ParquetFile(path)
        meta = parquet.metadata
        size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if size > max_decompressed_bytes:
            error = f"{size} bytes uncompressed, more than {max_decompressed_bytes}"
            yield 0, Problem("decompressed_too_large", error)
            return
        for batch in parquet.iter_batches(batch_size=1024):
            for row in batch.to_pylist():
                index += 1
                yield index, row
    except Exception as exc:  # pyarrow raises many types for corrupt files
        yield index + 1, Problem("corrupt_file", f"{type(exc).__name__}: {exc}")
