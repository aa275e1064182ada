"""The `article` step on small real-shaped pages, one per failure kind of plain extraction."""

from __future__ import annotations

import json

import pytest
from datatrove.data import Document

from curate import data as M
from curate.extract.article import ArticleExtract
from curate.extract.html import HtmlExtract
from curate.extract.line_rules import clean_lines
from curate.extract.page_meta import _strip_site_name
from tests.conftest import SENTENCES

BODY = SENTENCES[:6]  # six distinct sentences of real prose, 10-20 words each


def paragraphs(sentences) -> str:
    return "".join(f"<p>{s} {s.lower()}</p>" for s in sentences)


def page(body: str, head: str = "<title>Validator rewards explained | Chain Notes</title>") -> bytes:
    nav = "<nav><a href='/'>Home</a> <a href='/blog'>Blog</a> <a href='/about'>About</a></nav>"
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>{head}</head><body>{nav}{body}"
        "<footer>Copyright 2025 Chain Notes. All rights reserved.</footer></body></html>"
    ).encode()


def run(raw: bytes, step=None) -> Document:
    doc = Document(text="", id="d", metadata={M.RAW: raw, M.CONTENT_TYPE: "text/html"})
    list((step or ArticleExtract()).run([doc]))
    return doc


def test_comment_section_and_comment_form_are_dropped():
    comments = (
        "<section class='comments'><h3>3 comments</h3>"
        "<div class='comment'><p>Great write-up, I finally understand why my validator missed "
        "two epochs last week and what the penalty was for it.</p></div>"
        "<form class='comment-form'><label>Leave a reply</label><textarea></textarea></form></section>"
    )
    doc = run(page(f"<article><h1>Validator rewards explained</h1>{paragraphs(BODY)}</article>{comments}"))
    assert all(s in doc.text for s in BODY)
    assert "Great write-up" not in doc.text and "Leave a reply" not in doc.text


def test_related_posts_and_top_stories_link_lists_are_dropped():
    headlines = [f"Headline number {i} about the market this week and what it means" for i in range(5)]
    links = "".join(f"<li><a href='/n/{i}'>{h}</a></li>" for i, h in enumerate(headlines))
    body = (
        f"<article><h1>Validator rewards explained</h1>{paragraphs(BODY[:3])}"
        "<p><strong>Read more: <a href='/x'>Why staking yields fall when more ether is staked</a>"
        "</strong></p>"
        f"{paragraphs(BODY[3:])}<h3>Top stories</h3><ul>{links}</ul></article>"
    )
    doc = run(page(body))
    assert all(s in doc.text for s in BODY)
    assert "Headline number" not in doc.text and "Why staking yields fall" not in doc.text


def test_calls_to_action_are_dropped_unless_turned_off():
    cta = (
        "<p>Subscribe to our newsletter for weekly staking updates.</p>"
        "<p>Lesen Sie auch: Warum Validatoren bestraft werden</p>"
    )
    body = f"<article><h1>Validator rewards explained</h1>{paragraphs(BODY)}{cta}</article>"
    doc = run(page(body))
    assert all(s in doc.text for s in BODY)
    assert "newsletter" not in doc.text and "Lesen Sie auch" not in doc.text
    assert "newsletter" in run(page(body), ArticleExtract(phrases=False)).text


def test_captions_and_credits_are_dropped():
    figure = (
        "<figure><img src='/a.jpg' alt=''><figcaption>Validators at the Berlin meetup, "
        "March 2025.</figcaption></figure><p>Photo: Jane Doe / Example Agency</p>"
    )
    doc = run(page(f"<article><h1>Validator rewards explained</h1>{paragraphs(BODY[:3])}{figure}"
                   f"{paragraphs(BODY[3:])}</article>"))  # fmt: skip
    assert all(s in doc.text for s in BODY)
    assert "Berlin meetup" not in doc.text and "Jane Doe" not in doc.text


def test_hidden_popup_neither_titles_nor_leaks():
    # a documentation site's help pop-up, shown by script: trafilatura 2.3 alone takes its heading
    # as the title and its text as the main text
    popup = (
        "<div class='help-panel' hidden><h1 class='title'>Keyboard shortcuts</h1>"
        "<p>Press the question mark key at any time to open this list of keyboard shortcuts for the "
        "documentation site, and press escape to close it again.</p></div>"
    )
    dialog = (
        "<div role='dialog'><p>Subscribe to the newsletter for weekly staking tips and reports.</p></div>"
    )
    body = (
        f"{popup}<div class='document'><h1>Validator rewards explained</h1>{paragraphs(BODY)}</div>{dialog}"
    )
    raw = page(body, head="<title>Validator rewards explained — Chain Docs</title>")
    doc = run(raw)
    assert doc.metadata[M.TITLE] == "Validator rewards explained"
    assert "Keyboard shortcuts" not in doc.text and "question mark" not in doc.text
    assert "newsletter" not in doc.text and all(s in doc.text for s in BODY)


def test_metadata_block_fills_author_and_date_not_text():
    ld = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": "Validator rewards explained",
        "author": {"@type": "Person", "name": "Ada Lovelace"},
        "datePublished": "2025-03-04T10:00:00Z",
    }
    head = (
        "<title>Validator rewards explained | Chain Notes</title>"
        f"<script type='application/ld+json'>{json.dumps(ld)}</script>"
    )
    meta_block = "<div class='post-meta'>By Ada Lovelace | 4 March 2025 | 5 min read | Tags: staking</div>"
    doc = run(
        page(f"<article><h1>Validator rewards explained</h1>{meta_block}{paragraphs(BODY)}</article>", head)
    )
    assert doc.metadata[M.AUTHOR] == "Ada Lovelace" and doc.metadata[M.PUBLISHED] == "2025-03-04"
    assert "5 min read" not in doc.text and all(s in doc.text for s in BODY)
    assert doc.text.count("Validator rewards explained") <= 1  # the headline is not repeated in the text
    assert clean_lines("Rewards\nRewards\nBody text.", "Rewards") == "Rewards\nBody text."


def test_article_split_around_an_ad_rail_keeps_every_part():
    body = (
        f"<div class='wrap'><div class='article-body'>{paragraphs(BODY[:3])}</div>"
        "<div class='ad-rail'><p>Advertisement</p><a href='/ad'>Buy the best hardware wallet today</a></div>"
        f"<div class='article-body'>{paragraphs(BODY[3:])}</div></div>"
    )
    doc = run(page(f"<h1>Validator rewards explained</h1>{body}"))
    assert all(s in doc.text for s in BODY)
    assert "Advertisement" not in doc.text and "hardware wallet" not in doc.text


def test_json_ld_only_article_uses_article_body():
    text = "\n".join(BODY)
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Validator rewards explained",
          "articleBody": text}  # fmt: skip
    head = f"<title>Chain Notes</title><script type='application/ld+json'>{json.dumps(ld)}</script>"
    links = "".join(f"<li><a href='/p/{i}'>Post number {i}</a></li>" for i in range(12))
    doc = run(page(f"<div id='app'><ul class='list'>{links}</ul></div>", head))
    assert all(s in doc.text for s in BODY) and "Post number" not in doc.text
    assert doc.metadata[M.TITLE] == "Validator rewards explained"


@pytest.mark.parametrize(
    ("head", "h1", "expected"),
    [
        (
            "<meta property='og:title' content='Staking 101'><title>Staking 101 | Docs</title>",
            "Intro",
            "Staking 101",
        ),
        ("<title>Validator rewards explained | Chain Notes</title>", "Other", "Validator rewards explained"),
        (
            "<meta property='og:site_name' content='Chain Notes'><title>Chain Notes - Rewards</title>",
            "",
            "Rewards",
        ),
        ("", "Validator rewards explained", "Validator rewards explained"),
    ],
)
def test_title_choice(head, h1, expected):
    heading = f"<h1>{h1}</h1>" if h1 else ""
    doc = run(page(f"<article>{heading}{paragraphs(BODY)}</article>", head))
    assert doc.metadata[M.TITLE] == expected


def test_site_name_suffix_rules():
    assert _strip_site_name("Rewards explained – Chain Notes", "Chain Notes", "") == "Rewards explained"
    assert _strip_site_name("A long headline about staking | Blog", "", "") == "A long headline about staking"
    assert _strip_site_name("Staking", "", "") == "Staking"


def test_plain_is_the_html_step_and_bad_input_is_rejected():
    raw = page(f"<article><h1>Validator rewards explained</h1>{paragraphs(BODY)}</article>")
    plain, html = run(raw, ArticleExtract(plain=True)), run(raw, HtmlExtract())
    assert plain.text == html.text and plain.metadata.get(M.TITLE) == html.metadata.get(M.TITLE)
    assert run(b"  \n").metadata[M.REASON] == "html_parse_error"
    assert (
        run(b"<html><body><div><img src='/a.png'></div></body></html>").metadata[M.REASON]
        == "html_no_main_text"
    )
    with pytest.raises(ValueError):
        ArticleExtract(fallback="bogus")


def test_complete_adds_missing_prose_after_its_neighbour():
    from curate.extract.combine import complete

    long = " ".join(["The second part of the article continues the argument in full sentences"] * 4) + "."
    second = f"First paragraph here.\n{long}\nMenu\nThird paragraph here."
    assert complete("First paragraph here.\nThird paragraph here.", second).split("\n") == [
        "First paragraph here.",
        long,
        "Third paragraph here.",
    ]
    assert complete("Only this.", "Home\nAbout us") == "Only this."
