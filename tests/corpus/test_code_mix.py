"""Text and code in one corpus: a pipeline over a git repository and HTML files, code filters,
the report's code-language table, and `curate mix --by kind --target text=0.7,code=0.3`."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
from bs4 import BeautifulSoup
from click.testing import CliRunner

from curate.cli import main
from curate.config import load_config
from curate.runner import run_pipeline
from tests.conftest import ROOT, article, html_page
from tests.sources.gitrepo import make_repo

PIPELINE = """
name: mixed
sources:
  - files: {paths: ["{tmp}/web/*.html"], source: web}
  - git: {paths: ["{tmp}/repo"], max_file_bytes: 100000}
filters:
  - language: {languages: [en]}
  - gopher_quality: {}
  - code_quality: {}
  - license: {allow: [MIT, GPL-3.0-only]}
  - secrets: {}
dedup:
  - exact: {}
  - minhash: {threshold: 0.8}
output: {dir: "{tmp}/out"}
"""


def test_code_pipeline_report_and_text_code_mix(tmp_path, write_pipeline):
    (tmp_path / "web").mkdir()
    for topic in ("rollups", "oracles", "bridges", "custody", "fee markets", "light clients"):
        (tmp_path / "web" / f"{topic}.html").write_text(html_page(topic.title(), article(topic)))
    make_repo(tmp_path / "repo")
    manifest = run_pipeline(load_config(write_pipeline(PIPELINE)), run_id="r1")
    assert manifest["accounted"]
    rows = [
        r
        for s in sorted((tmp_path / "out/mixed/r1").glob("*/*.parquet"))
        for r in pq.read_table(s).to_pylist()
    ]
    code = {r["path"]: r for r in rows if r["kind"] == "code"}
    app = code["src/app.py"]
    assert app["decision"] == "keep" and json.loads(app["metadata"])["secrets_removed"] == 2
    assert (
        "AKIAIOSFODNN7EXAMPLE" not in app["text"] and "    bids = sorted(bids, reverse=True)" in app["text"]
    )
    assert code["src/header.c"]["reason"] == "license_not_allowed"  # its own header says Apache-2.0
    assert code["vendor/lib/left_pad.js"]["reason"] == "vendored"
    soup = BeautifulSoup((tmp_path / "out/mixed/r1/report.html").read_text(), "html.parser")
    languages = {tr.find_all("td")[0].text for tr in soup.select("#mix-code-language tr")[1:]}
    assert {"Python", "Go"} <= languages
    kinds = {tr.find_all("td")[0].text for tr in soup.select("#mix-kind tr")[1:]}
    assert "code" in kinds and len(kinds) >= 2

    result = CliRunner().invoke(
        main,
        ["mix", "mixed", "--by", "kind", "--target", "text=0.7,code=0.3", "--budget-tokens", "100000",
         "--output-dir", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out/mixed/mixes/default/mix.json").read_text())
    assert set(summary["achieved"]) == {"text", "code"}
    assert abs(summary["achieved"]["code"] - 0.3) < 0.1 and summary["documents"] > 3
    mixed = pq.read_table(tmp_path / "out/mixed/mixes/default/mix.parquet").to_pylist()
    assert {r["kind"] for r in mixed} >= {"code"} and any(r["kind"] != "code" for r in mixed)


def test_example_code_pipeline_validates():
    config = load_config(ROOT / "pipelines/code.yaml")
    assert [s.name for s in config.steps["sources"]] == ["git", "warc"]
