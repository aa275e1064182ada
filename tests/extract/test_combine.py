"""`combine.complete`: what the second extractor adds to the first one's text."""

from __future__ import annotations

from curate.extract.combine import complete
from tests.conftest import SENTENCES

PROSE = " ".join(SENTENCES[:4])
MISSING = " ".join(SENTENCES[4:8])  # a paragraph of prose only the second extractor found


def test_a_table_row_written_as_markdown_is_not_added_again_as_plain_text():
    table = ["| package | popcon | description |", "|---|---|---|", "| grub-pc | 708 | GRUB 2 boot loader |"]
    primary = "\n".join([PROSE, *table])
    second = "\n".join([PROSE, "package popcon description", "grub-pc 708 GRUB 2 boot loader", MISSING])
    out = complete(primary, second, keep=lambda key: True)
    assert "grub-pc 708 GRUB 2 boot loader" not in out.split("\n")  # the row is there once, as markdown
    assert out.split("\n")[-1] == MISSING  # prose only the second has is still added, after the table
    assert out.count("grub-pc") == 1


def test_a_paragraph_is_recognised_whatever_quotes_each_extractor_rendered():
    quoted = "The first group (“Installed Packages”) is highlighted when the screen opens, as shown below."
    bare = "The first group (Installed Packages) is highlighted when the screen opens, as shown below."
    out = complete("\n".join([PROSE, quoted]), "\n".join([PROSE, bare, MISSING]), keep=lambda key: True)
    assert out.split("\n") == [PROSE, quoted, MISSING]  # once, as the first extractor wrote it


def test_a_paragraph_the_first_extractor_cut_short_replaces_its_piece_instead_of_following_it():
    full = (
        "Many programs exist, such as amanda, bacula, or BackupPC. Those are client and server systems "
        "featuring many options, whose configuration is rather difficult for a small office."
    )
    piece = full[len("Many programs exist, such as ") :]  # cut at an inline element
    everything = lambda key: True  # noqa: E731
    out = complete("\n".join([PROSE, piece, MISSING]), "\n".join([PROSE, full, MISSING]), keep=everything)
    assert out.split("\n") == [PROSE, full, MISSING]
    short = "such as amanda"  # a line too short to be a piece of the paragraph stays as it is
    out = complete("\n".join([PROSE, short]), "\n".join([PROSE, full]), keep=everything)
    assert out.split("\n") == [PROSE, full, short]  # added after what both have, the line kept
