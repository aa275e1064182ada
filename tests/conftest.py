"""Shared fixtures: small pipelines written into tmp_path, built from text the tests write."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

ARTICLE = (
    "Validators in a proof of stake network lock tokens as collateral and take turns proposing blocks. "
    "When a validator signs two conflicting blocks, the protocol destroys part of its deposit, which makes "
    "attacks expensive and gives the chain economic finality. Delegators who do not run hardware can "
    "assign their stake to an operator and share the rewards, but they also share the penalties. "
)


def article(topic: str, n: int = 3) -> str:
    """A plausible English paragraph block (>= 50 words) that passes the quality filters."""
    return f"This note is about {topic}. " + ARTICLE * n


def html_page(title: str, body: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return textwrap.dedent(
        f"""<!doctype html><html><head><title>{title}</title></head><body>
        <nav><a href="/">Home</a> <a href="/blog">Blog</a> <a href="/docs">Docs</a></nav>
        <article><h1>{title}</h1>{paragraphs}</article>
        <footer>Copyright 2025 Example Labs. All rights reserved. Follow us.</footer>
        </body></html>"""
    )


@pytest.fixture
def write_pipeline(tmp_path):
    """Write a pipeline YAML (given as a string with `{tmp}` for tmp_path) and return its path."""

    def _write(yaml_text: str, name: str = "pipeline.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(yaml_text).replace("{tmp}", str(tmp_path)), encoding="utf-8")
        return path

    return _write
