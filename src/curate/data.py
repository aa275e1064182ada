"""Metadata keys that documents carry through the pipeline, and the decision helpers.

Every stage reads and writes `datatrove.data.Document`s. A document is *live* until a stage decides
it: `reject` (dropped, with `stage` and a snake_case `reason`) or `review` (sent to human review,
with why). Decided documents are never removed from the stream: they flow through the remaining
stages untouched and the output writer routes them to `rejected/` shards or the review queue, so
every input ends up kept, rejected with a reason, or in review.
"""

from __future__ import annotations

from typing import Any

from datatrove.data import Document

# --- provenance ---------------------------------------------------------------------------------
SOURCE = "source"  # name of the configured source ("sample", "projects", ...)
PATH = "path"  # local file the document came from
URL = "url"  # URL that was requested
FINAL_URL = "final_url"  # URL after redirects
PROJECT = "project"  # crypto project (or other entity) the document belongs to
KIND = "kind"  # whitepaper | blog | docs | news | research | other
CONTENT_TYPE = "content_type"  # MIME type as sniffed or served
HTTP_STATUS = "http_status"
FETCHED_AT = "fetched_at"  # ISO-8601 UTC time of fetch or file read
RAW = "_raw"  # raw bytes between source and extract; never written out
UNICODE_REPAIRED = "unicode_repaired"  # fields whose lone surrogates became U+FFFD (curate.sources.sanitize)
ID_RENAMED_FROM = "id_renamed_from"  # the input's id, when another input had the same one

# --- extracted ----------------------------------------------------------------------------------
TITLE = "title"
AUTHOR = "author"
PUBLISHED = "published"
LANG = "lang"
LANG_SCORE = "lang_score"
CONTENT_SHA1 = "content_sha1"  # sha1 of the normalized text (exact dedup key)
N_WORDS = "n_words"
FRONT_MATTER_ERROR = "front_matter_error"  # why a Markdown file's front matter was not (all) used
PDF_PAGES_READ = "pdf_pages_read"  # "300 of 412" when a PDF was cut at the extractor's max_pages

# --- dedup --------------------------------------------------------------------------------------
CLUSTER_ID = "minhash_cluster"
DUP_OF = "dup_of"
DUP_SIMILARITY = "dup_similarity"
DEDUP_NOTE = "dedup_note"  # short_text | no_shingles | minhash_truncated

# --- membership ---------------------------------------------------------------------------------
N_TOKENS = "n_tokens"
TARGET_BPB = "target_bpb"
TARGET_LOSS = "target_loss"
ZLIB_BPB = "zlib_bpb"
MEMBERSHIP_SCORE = "membership_score"
MEMBERSHIP_METHOD = "membership_method"
MEMBERSHIP_NOTE = "membership_note"  # why a text was only partly scored or not at all (truncated, ...)
N_BYTES = "n_bytes"  # UTF-8 bytes of the scored text (the denominator of every bits-per-byte score)
ZLIB_SCORE = "zlib_score"  # -(target bits) / (zlib bits), Carlini et al. 2021; higher = more likely member
MINK_PP = "mink_pp"  # Min-K%++ on the target (Zhang et al. 2024), k = mink_k
REF_MODELS = "ref_models"  # list of reference model ids, in the order of REF_BPB
REF_BPB = "ref_bpb"  # list: bits per byte under each reference model
REF_RATIO = "ref_ratio"  # mean over references of ref_bpb - target_bpb (bits/byte)
LIRA = "lira"  # offline LiRA z-score of the target against the references (K >= 2)
REF_RATIO_OUT = "ref_ratio_out"  # bpb under the OUT reference (tuned on non-members) - target bpb
MEMBERSHIP_THRESHOLD = "membership_threshold"  # decision threshold in score units (reject at or above)
MEMBERSHIP_REVIEW_FROM = "membership_review_from"  # scores in [review_from, threshold) go to review

# --- crawl --------------------------------------------------------------------------------------
CRAWL_DEPTH = "crawl_depth"  # link hops from a seed (sitemap and feed entries count 1)
ETAG = "etag"  # ETag of the response, sent back as If-None-Match on the next run
LAST_MODIFIED = "last_modified"  # Last-Modified of the response, sent back as If-Modified-Since
RAW_SHA1 = "raw_sha1"  # sha1 of the fetched body (bytes as decoded from Content-Encoding)
WARC_RECORD = "warc_record"  # "<file>#<offset>" of the stored body, relative to the crawl state dir

# --- decision -----------------------------------------------------------------------------------
DECISION = "decision"  # keep | reject | review (absent while live)
STAGE = "stage"  # stage that decided
REASON = "reason"  # snake_case reason
KEEP, REJECT, REVIEW = "keep", "reject", "review"


def is_decided(doc: Document) -> bool:
    """True once a stage has rejected the document or sent it to review."""
    return doc.metadata.get(DECISION) in (REJECT, REVIEW)


def reject(doc: Document, stage: str, reason: str, **details: Any) -> Document:
    """Mark `doc` as dropped by `stage` for `reason`; extra details are stored as metadata."""
    doc.metadata.update(details)
    doc.metadata[DECISION] = REJECT
    doc.metadata[STAGE] = stage
    doc.metadata[REASON] = reason
    doc.metadata.pop(RAW, None)
    return doc


def send_to_review(doc: Document, stage: str, reason: str, **details: Any) -> Document:
    """Mark `doc` for human review because `stage` is unsure (`reason` says why)."""
    doc.metadata.update(details)
    doc.metadata[DECISION] = REVIEW
    doc.metadata[STAGE] = stage
    doc.metadata[REASON] = reason
    return doc
