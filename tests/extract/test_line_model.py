"""The `article` step's learned line filter: features read from the page, the model's arithmetic."""

from __future__ import annotations

from types import SimpleNamespace

import lxml.html

from curate.extract import line_features, line_model
from curate.extract.article import ArticleExtract
from tests.conftest import SENTENCES


def tree_of(body: str):
    return lxml.html.fromstring(f"<html><body>{body}</body></html>")


ARTICLE = "<article class='post-content'>" + "".join(f"<p>{s}</p>" for s in SENTENCES[:5]) + "</article>"
ASIDE = (
    "<aside class='related-widget'><p><a href='/x'>Another story you might like to read today</a></p></aside>"
)


def test_lines_are_matched_to_their_elements_and_described():
    tree = tree_of(ARTICLE + ASIDE)
    lines = [*SENTENCES[:5], "Another story you might like to read today", "A line that is on no element"]
    rows = line_features.line_features(lines, tree, second=" ".join(SENTENCES[:5]), title="")
    first, teaser, orphan = rows[0], rows[5], rows[6]
    assert first["matched"] == 1 and first["tag_p"] == 1 and first["in_article"] == 1
    assert first["cls_far_content"] == 1 and first["in_second"] == 1 and first["outside_main"] == 0
    assert teaser["in_furniture"] == 1 and teaser["cls_far_related"] == 1 and teaser["cls_far_side"] == 1
    assert teaser["link_density"] == 1 and teaser["outside_main"] == 1 and teaser["in_second"] == 0
    assert orphan["matched"] == 0 and "tag_p" not in orphan
    assert rows[0]["position"] == 0 and 0 < rows[3]["position"] < rows[4]["position"] < 1


def test_a_logistic_model_drops_the_lines_above_its_threshold():
    model = SimpleNamespace(WEIGHTS={"bias": -2.0, "in_furniture": 4.0}, TREES=None, THRESHOLD=0.5)
    never = SimpleNamespace(WEIGHTS={"bias": -30.0}, TREES=None, THRESHOLD=0.5)
    tree = tree_of(ARTICLE + ASIDE)
    text = "\n".join([*SENTENCES[:5], "Another story you might like to read today"])
    kept = line_model.refine(text, "", tree, "", models=(model, never))
    assert kept.split("\n") == SENTENCES[:5]
    assert line_model.refine(text, "", tree, "", drop=0.99, models=(model, never)) == text


def test_an_addition_model_adds_the_other_extractors_paragraphs_in_its_order():
    tree = tree_of(ARTICLE)
    keep_all = SimpleNamespace(WEIGHTS={"bias": -30.0}, TREES=None, THRESHOLD=0.5)
    add_between = SimpleNamespace(
        WEIGHTS={"bias": -4.0, "prev_kept": 4.0, "next_kept": 4.0}, TREES=None, THRESHOLD=0.5
    )
    primary = "\n".join([SENTENCES[0], SENTENCES[2], SENTENCES[4]])
    second = "\n".join([*SENTENCES[:5], SENTENCES[7]])  # 1 and 3 between kept ones, 7 after the last
    out = line_model.refine(primary, second, tree, "", models=(keep_all, add_between))
    assert out.split("\n") == SENTENCES[:5]


def test_boosted_trees_add_their_leaves_to_the_prior_log_odds():
    # one stump: short lines (log_words <= 1.5) get +4, others -4; prior log-odds 0, rate 0.5
    stump = [[0, 1.5, 1, 2], [4.0], [-4.0]]
    model = SimpleNamespace(
        WEIGHTS=None, TREES=[stump], FEATURES=["log_words"], INIT=0.0, RATE=0.5, THRESHOLD=0.5
    )
    short, long = line_model.probabilities([{"log_words": 1.0}, {"log_words": 3.0}], model)
    assert abs(short - 1 / (1 + 2.718281828**-2)) < 1e-6 and abs(long - 1 / (1 + 2.718281828**2)) < 1e-6


def test_the_shipped_model_keeps_every_paragraph_of_a_plain_article():
    paragraphs = "".join(f"<p>{s} {t}</p>" for s, t in zip(SENTENCES[:6], SENTENCES[6:12], strict=False))
    raw = f"<html><head><title>T</title></head><body><article>{paragraphs}</article></body></html>".encode()
    with_model, _, _ = ArticleExtract().extract(raw)
    without, _, _ = ArticleExtract(line_model=False).extract(raw)
    assert with_model == without and len(with_model.split("\n")) == 6
