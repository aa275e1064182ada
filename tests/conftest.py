"""Shared fixtures: small pipelines written into tmp_path, built from text the tests write."""

from __future__ import annotations

import textwrap
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SENTENCES = [
    "Validators lock tokens as collateral and take turns proposing blocks for the network.",
    "A validator that signs two conflicting blocks loses part of its deposit to slashing.",
    "Delegators who do not run hardware can assign their stake to a professional operator.",
    "Rollups execute transactions off the main chain and post compressed data back to it.",
    "An optimistic rollup assumes batches are valid unless someone proves fraud in time.",
    "Oracles bring prices from exchanges onto the chain so that lending markets can use them.",
    "A thin market makes an oracle price easy to push around with a single large trade.",
    "Bridges hold assets on one chain while minting a wrapped copy on another chain.",
    "Most bridge losses came from stolen signing keys rather than from broken cryptography.",
    "Custody providers split keys between several parties so that no single person can move funds.",
    "The base fee rises when blocks are full and falls when they are empty, which smooths prices.",
    "Users add a priority tip when they want their transaction included in the next block.",
    "Light clients follow the chain by checking signatures of a small rotating committee.",
    "A vesting schedule releases team tokens gradually so that insiders cannot sell at once.",
    "Governance forums work best when delegates explain their votes in plain language.",
    "Stablecoin issuers publish attestations that list the reserves backing each token.",
    "Treasury bills and bank deposits make up most of the reserves of large stablecoins.",
    "Data availability sampling lets small nodes check that a block was fully published.",
    "Zero knowledge proofs show that a computation was done correctly without revealing inputs.",
    "Automated market makers price assets with a formula instead of an order book.",
    "Liquidity providers earn fees but lose value when prices move away from their entry point.",
    "Searchers compete to reorder transactions, and builders sell the resulting blocks to proposers.",
    "Hardware wallets keep the private key on a device that never touches the internet.",
    "Recovery phrases should be written on paper and stored somewhere safe from fire and water.",
    "Rate limits on public endpoints protect providers from clients that poll too often.",
    "Audits reduce risk, but they cannot prove that a contract is free of every bug.",
    "Finality means that a confirmed block cannot be reverted without destroying a large stake.",
    "Sharding splits the work of the network so that each node handles only a part of it.",
]


def article(topic: str, n: int = 8) -> str:
    """A plausible English text (>= 50 words) that passes the quality filters; distinct topics give
    texts that are not near-duplicates of each other (different sentences in a different order)."""
    import random

    rng = random.Random(topic)
    chosen = rng.sample(SENTENCES, min(n, len(SENTENCES)))
    return f"This note is about {topic}. " + " ".join(chosen)


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


def pdf_with_stream(content: bytes, level: int = 9) -> bytes:
    """A one-page PDF whose content stream is `content`, Flate-compressed at `level`."""
    comp = zlib.compress(content, level)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(comp) + comp + b"\nendstream",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
