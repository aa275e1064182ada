"""PDF page-layout cleanup: book-style alternating headers, every hyphen form at line ends."""

from __future__ import annotations

from curate.extract.pdf import clean_pdf_text
from curate.extract.pdf_layout import prepare

PROSE = (
    "A validator that signs two conflicting blocks in the same slot is slashed and leaves the",
    "active set after a waiting period, losing part of its stake to the penalty that the proto\u2010",
    "col applies to every validator slashed in the same window, which discourages coordinated",
    "attacks by making them far more expensive than isolated mistakes of one single operator.",
)


DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


def book(n_pages: int = 6) -> list[str]:
    """Pages with the book title on even pages, the chapter on odd ones, and a page number."""
    pages = []
    for i in range(n_pages):
        header = "Proof of Stake in Practice" if i % 2 == 0 else "Chapter 3. Slashing and penalties"
        opening = f"On {DAYS[i]} the {DAYS[i].lower()} operator reviewed the slashing record of the network."
        closing = f"That closed the {DAYS[i].lower()} review of the validator set and its penalties."
        prose = [f"{line} ({DAYS[i]})" if k in (0, 3) else line for k, line in enumerate(PROSE)]
        pages.append("\n".join([header, opening, *prose, closing, str(i + 1)]))
    return pages


def test_alternating_headers_page_numbers_and_hyphens_are_cleaned():
    text = clean_pdf_text(prepare(book()))
    assert "Proof of Stake in Practice" not in text and "Chapter 3." not in text
    assert "protocol applies" in text and "proto" not in text.replace("protocol", "")
    assert text.count("A validator that signs") == 6 and text.count("review of the validator set") == 6
    assert not any(line.strip().isdigit() for line in text.splitlines())


def test_soft_hyphen_and_not_sign_are_joined_and_short_documents_untouched():
    pages = ["The staking con\u00ad\ntract locks the depo¬\nsit until the exit queue is processed."]
    text = clean_pdf_text(prepare(pages))
    assert "contract locks the deposit" in text
    two = ["Title line\nBody text of page one.", "Title line\nBody text of page two."]
    assert prepare(two) == two  # too few pages to call a line an alternating header
