"""Read a PDF's page texts and document information, within pypdf's resource limits.

`read_pdf` is what `PdfExtract` runs in a bounded child (`curate.extract.bounded`): pypdf first,
pdfminer.six when pypdf fails or finds no text. pypdf's own limits (`pypdf.Configuration`: output
of each decompression filter, page-tree size, ...) are set to `max_decompressed_bytes`; when pypdf
stops at one (`LimitReachedError`) the document is over a bound and pdfminer, which has no such
limit, is not tried; before falling back to pdfminer, pypdf inflates each page's content stream
under the same limit.
"""

from __future__ import annotations

import io
from typing import Any

_OUTPUT_LIMITS = (
    "maximum_declared_stream_length",
    "array_based_stream_maximum_output_length",
    "jbig2_maximum_output_length",
    "lzw_maximum_output_length",
    "run_length_maximum_output_length",
    "zlib_maximum_output_length",
    "brotli_maximum_output_length",
    "image_maximum_buffer_size",
)


def _limits(max_decompressed_bytes: int):
    """A context applying `max_decompressed_bytes` to every pypdf output limit it knows."""
    import contextlib

    import pypdf

    apply = getattr(pypdf, "apply_configuration", None)
    if apply is None:  # pypdf < 7: module constants
        from pypdf import filters

        for name in ("ZLIB_MAX_OUTPUT_LENGTH", "LZW_MAX_OUTPUT_LENGTH", "MAX_DECLARED_STREAM_LENGTH"):
            if hasattr(filters, name):
                setattr(filters, name, max_decompressed_bytes)
        return contextlib.nullcontext()
    known = {f for f in _OUTPUT_LIMITS if hasattr(pypdf.get_configuration(), f)}
    return apply(**{f: max_decompressed_bytes for f in known})


def _info(reader) -> dict[str, str]:
    info = getattr(reader, "metadata", None) if reader is not None else None
    out: dict[str, str] = {}
    if not info:
        return out
    try:
        if info.title and str(info.title).strip():
            out["title"] = str(info.title).strip()
        if info.author and str(info.author).strip():
            out["author"] = str(info.author).strip()
        if info.creation_date:
            out["published"] = info.creation_date.date().isoformat()
    except (ValueError, TypeError, AttributeError):  # malformed dates and strings in the info dict
        pass
    return out


def _pypdf_pages(raw: bytes, max_pages: int) -> tuple[list[str], dict[str, str]]:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(raw))
    info = _info(reader)
    info["page_count"] = str(len(reader.pages))
    return [page.extract_text() or "" for page in reader.pages[:max_pages]], info


def _check_streams(raw: bytes, max_pages: int) -> None:
    """Inflate every page's content stream with pypdf (raises `LimitReachedError` over the bound):
    pdfminer, which has no such limit, would inflate them too."""
    import pypdf

    for page in pypdf.PdfReader(io.BytesIO(raw)).pages[:max_pages]:
        contents = page.get_contents()
        if contents is not None:
            contents.get_data()


def _pdfminer_pages(raw: bytes, max_pages: int) -> list[str]:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(raw), maxpages=max_pages).split("\x0c")


def read_pdf(raw: bytes, max_pages: int, max_decompressed_bytes: int) -> dict[str, Any]:
    """{pages, info, fallback, error, limit}: page texts (first `max_pages`), title/author/published,
    whether pdfminer gave the text, pypdf's error if any, and the pypdf limit reached if any."""
    from pypdf.errors import LimitReachedError

    result: dict[str, Any] = {"pages": [], "info": {}, "fallback": False, "error": None, "limit": None}
    try:
        with _limits(max_decompressed_bytes):
            result["pages"], result["info"] = _pypdf_pages(raw, max_pages)
    except LimitReachedError as exc:
        result["limit"] = f"{exc}"[:300]
        return result
    except Exception as exc:  # pypdf raises many types on corrupt files
        result["error"] = f"{exc}"[:300] or type(exc).__name__
    if not any(p.strip() for p in result["pages"]):
        try:
            with _limits(max_decompressed_bytes):
                _check_streams(raw, max_pages)
        except LimitReachedError as exc:
            result["limit"] = f"{exc}"[:300]
            return result
        except Exception:  # pypdf cannot read it: pdfminer may (the time and memory bounds hold)
            pass
        try:
            result["pages"] = _pdfminer_pages(raw, max_pages)
            result["fallback"] = True
        except Exception:  # pdfminer too; pypdf's error is the one reported
            pass
    return result
