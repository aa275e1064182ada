"""Reading WARC and ARC archives record by record, with damage reported instead of raised.

Two maintained readers behind one interface: FastWARC (resiliparse; WARC only, gzip or not,
the default: several times faster, see `benchmarks/sources.py`) and warcio (the reference
implementation; also reads ARC). Both yield `WarcItem`s for `response`, `resource` and
`revisit` records and stop at the first damage with one `Damage` item:

- a read error (a broken gzip member, an invalid record header): the offset is where the
  damaged record starts, i.e. just after the last record read in full;
- a record cut short (fewer payload bytes than its Content-Length, HTTP headers missing): the
  offset is the record's own.

Payloads are returned with transfer and content encodings removed (chunked, gzip, deflate,
brotli), at most `max_bytes` of them: a longer record is returned with `payload=None` and
`too_large=True`, unread. Offsets are positions in the file as stored (compressed offsets for
`.gz`), the ones `WARC_RECORD` points to.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import BinaryIO

READERS = ("fastwarc", "warcio")
TYPES = ("response", "resource", "revisit")


@dataclass
class WarcItem:
    """One content record of an archive."""

    type: str  # response | resource | revisit
    url: str
    date: str  # ISO-8601 UTC (WARC-Date)
    record_id: str
    offset: int
    http_status: int | None
    content_type: str  # MIME type without parameters, lower-cased ("" when none)
    payload: bytes | None
    payload_digest: str | None = None
    refers_to: str | None = None  # revisit: WARC-Refers-To (record id of the original)
    refers_to_uri: str | None = None
    too_large: bool = False


@dataclass
class Damage:
    """Where reading stopped, and why."""

    offset: int
    error: str


def mime(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def iso(value) -> str:
    """WARC-Date (str or datetime) or ARC date (14 digits) → `YYYY-MM-DDTHH:MM:SSZ`."""
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = str(value or "").strip()
    if len(text) >= 14 and text[:14].isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:8]}T{text[8:10]}:{text[10:12]}:{text[12:14]}Z"
    return text[:19] + "Z" if len(text) >= 19 else text


def is_arc(head: bytes) -> bool:
    """Whether the first bytes of a file (gzipped or not) are an ARC file's `filedesc://` line."""
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(31).decompress(head, 64)
        except zlib.error:
            return False
    return head.lstrip()[:11] == b"filedesc://"


def read_fastwarc(stream: BinaryIO, max_bytes: int) -> Iterator[WarcItem | Damage]:
    """Records of a WARC file with FastWARC."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    wanted = WarcRecordType.response | WarcRecordType.resource | WarcRecordType.revisit
    last = None
    try:
        for record in ArchiveIterator(stream, record_types=wanted, parse_http=True, auto_decode="all"):
            rtype = str(record.record_type)
            offset = record.stream_pos
            headers = record.headers
            http = record.http_headers if record.is_http else None
            if record.is_http and http is None:
                yield Damage(offset, "record cut short: no HTTP headers")
                return
            if headers.get("Content-Length") is None or not record.record_id:
                yield Damage(offset, "record cut short: incomplete WARC headers")
                return
            length = record.content_length
            item = WarcItem(
                type=rtype,
                url=headers.get("WARC-Target-URI") or "",
                date=iso(headers.get("WARC-Date")),
                record_id=headers.get("WARC-Record-ID") or "",
                offset=offset,
                http_status=http.status_code if http is not None else None,
                content_type=mime(
                    http.get("Content-Type") if http is not None else headers.get("Content-Type")
                ),
                payload=None,
                payload_digest=headers.get("WARC-Payload-Digest"),
                refers_to=headers.get("WARC-Refers-To"),
                refers_to_uri=headers.get("WARC-Refers-To-Target-URI"),
            )
            if length > max_bytes:
                item.too_large = True
            else:
                item.payload = record.reader.read()
                declared = http.get("Content-Encoding") if http is not None else None
                if len(item.payload) < length and not declared and not _chunked(http):
                    yield Damage(offset, f"record cut short: {len(item.payload)} of {length} payload bytes")
                    return
            last = offset
            yield item
    except (OSError, ValueError, RuntimeError) as exc:
        yield Damage(_end_of(stream, last), f"{type(exc).__name__}: {exc}")


def _chunked(http) -> bool:
    return http is not None and "chunked" in (http.get("Transfer-Encoding") or "").lower()


def _end_of(stream: BinaryIO, offset: int | None) -> int:
    """End of the record starting at `offset` (0 when none): where the damage that followed it starts."""
    if offset is None:
        return 0
    from warcio.archiveiterator import ArchiveIterator

    try:
        stream.seek(offset)
        it = ArchiveIterator(stream)
        for record in it:
            it.read_to_end(record)
            start, length = it.member_info
            return start + length
    except Exception:  # noqa: BLE001 - the damage itself may be what the re-read hits
        pass
    return offset


def read_warcio(stream: BinaryIO, max_bytes: int) -> Iterator[WarcItem | Damage]:
    """Records of a WARC or ARC file with warcio (ARC records are read as WARC `response`s)."""
    from warcio.archiveiterator import ArchiveIterator

    it = ArchiveIterator(stream, arc2warc=True)
    next_offset = 0
    try:
        for record in it:
            if record.rec_type not in TYPES:
                it.read_to_end(record)
                next_offset = sum(it.member_info)
                continue
            headers, http = record.rec_headers, record.http_headers
            status = http.get_statuscode() if http is not None else None
            item = WarcItem(
                type=record.rec_type,
                url=headers.get_header("WARC-Target-URI") or "",
                date=iso(headers.get_header("WARC-Date")),
                record_id=headers.get_header("WARC-Record-ID") or "",
                offset=next_offset,
                http_status=int(status) if status and status.isdigit() else None,
                content_type=mime((http or headers).get_header("Content-Type")),
                payload=None,
                payload_digest=headers.get_header("WARC-Payload-Digest"),
                refers_to=headers.get_header("WARC-Refers-To"),
                refers_to_uri=headers.get_header("WARC-Refers-To-Target-URI"),
            )
            declared = int(headers.get_header("Content-Length") or 0)
            if declared > max_bytes:
                item.too_large = True
            else:
                item.payload = record.content_stream().read(max_bytes + 1)
                missing = getattr(record.raw_stream, "limit", 0)
                if missing > 0:
                    yield Damage(next_offset, f"record cut short: {missing} of {declared} bytes missing")
                    return
            it.read_to_end(record)
            item.offset, length = it.member_info
            next_offset = item.offset + length
            yield item
    except Exception as exc:  # noqa: BLE001 - warcio raises many types on damaged input
        yield Damage(next_offset, f"{type(exc).__name__}: {exc}"[:300])
        return
    try:  # warcio ends quietly on a gzip member cut short: bytes left after the last record are damage
        stream.seek(next_offset)
        rest = stream.read(64)
    except (OSError, ValueError):
        rest = b""
    if rest.strip():
        yield Damage(next_offset, "record cut short: bytes after the last complete record")


def read_archive(stream: BinaryIO, reader: str, max_bytes: int, arc: bool) -> Iterator[WarcItem | Damage]:
    """Records of one archive; ARC files always go through warcio (FastWARC reads WARC only)."""
    if arc or reader == "warcio":
        return read_warcio(stream, max_bytes)
    return read_fastwarc(stream, max_bytes)
