"""The HTML report of a real run, rendered in headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from curate.config import load_config
from curate.report.report import write_run_report
from curate.runner import run_pipeline
from tests.conftest import article, html_page

PIPELINE = """
name: rep
sources:
  - files: {paths: ["{tmp}/in/**/*"], source: sample}
filters:
  - length: {min_words: 30}
  - language: {languages: [en]}
output: {dir: "{tmp}/out"}
"""


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium package)")
        pytest.skip("chromium is not installed")
    return path


def headless(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    return subprocess.run([chromium(), *flags, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def run_dir(tmp_path, write_pipeline) -> Path:
    src = tmp_path / "in"
    (src / "blog").mkdir(parents=True)
    (src / "docs").mkdir()
    for i, topic in enumerate(["rollups", "oracles", "bridges"]):
        (src / "blog" / f"p{i}.html").write_text(html_page(topic.title(), article(topic)))
    (src / "docs" / "guide.md").write_text(article("validator setup", 5))
    (src / "docs" / "short.md").write_text("Too short to keep.")
    (src / "ja.txt").write_text("暗号資産の自己管理では、秘密鍵を安全に保管することが最も重要です。" * 12)
    run_pipeline(load_config(write_pipeline(PIPELINE)), run_id="r1")
    return tmp_path / "out" / "rep" / "r1"


def test_report_tables_hold_the_run_numbers(run_dir):
    manifest = json.loads((run_dir / "manifest.json").read_text())
    soup = BeautifulSoup((run_dir / "report.html").read_text(), "html.parser")
    assert soup.select_one("#total-inputs").text == str(manifest["inputs"]) == "6"
    assert soup.select_one("#total-kept").text == str(manifest["kept"]) == "4"
    funnel = {
        r.find_all("td")[0].text: [td.text for td in r.find_all("td")] for r in soup.select("#funnel tr")[1:]
    }
    assert funnel["sources"][1] == "6"
    assert funnel["filters"][2] == "2" and "too_short (1)" in funnel["filters"][5]
    assert "language_not_allowed (1)" in funnel["filters"][5]
    kinds = {r.find_all("td")[0].text: int(r.find_all("td")[1].text) for r in soup.select("#mix-kind tr")[1:]}
    assert kinds == {"blog": 3, "docs": 1}
    langs = {
        r.find_all("td")[0].text: int(r.find_all("td")[1].text) for r in soup.select("#languages tr")[1:]
    }
    assert langs == {"en": 4, "ja": 1}
    assert (run_dir.parent / "report.html").exists()


def test_report_renders_in_headless_chromium(run_dir, tmp_path):
    from PIL import Image

    report = run_dir / "report.html"
    dom = headless(tmp_path, "--dump-dom", report.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    rendered = BeautifulSoup(dom.stdout, "html.parser")
    assert rendered.select_one("#total-kept").text == "4"
    assert rendered.select("svg")  # charts are inline SVG
    shot = tmp_path / "report.png"
    result = headless(tmp_path, f"--screenshot={shot}", "--window-size=1100,1400", report.as_uri())
    assert shot.exists(), result.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    colors = image.getcolors(maxcolors=1 << 20) or []
    non_white = sum(n for n, c in colors if c != (255, 255, 255))
    assert len(colors) > 20, "the screenshot has almost no distinct colours: blank page?"
    assert non_white / (image.width * image.height) > 0.02
    # the bar colour of the charts is on the page
    assert any(abs(c[0] - 0x4C) < 8 and abs(c[1] - 0x78) < 8 and abs(c[2] - 0xA8) < 8 for _, c in colors)


def test_report_can_be_rebuilt(run_dir):
    (run_dir / "report.html").unlink()
    assert write_run_report(run_dir).exists()


def test_report_splits_the_funnel_and_the_mix_by_language(run_dir):
    import pyarrow.parquet as pq

    soup = BeautifulSoup((run_dir / "report.html").read_text(), "html.parser")
    rows = {
        r.find_all("td")[0].text: [td.text for td in r.find_all("td")]
        for r in soup.select("#funnel-lang tr")[1:]
    }
    assert rows["en"][1:5] == ["4", "4", "0", "0"]
    assert rows["ja"][1:5] == ["1", "0", "1", "0"] and "language_not_allowed (1)" in rows["ja"][5]
    assert rows["(unknown)"][1:4] == ["1", "0", "1"] and "too_short (1)" in rows["(unknown)"][5]
    kept = pq.read_table(next((run_dir / "kept").glob("*.parquet")), columns=["n_tokens"])
    tokens = sum(kept["n_tokens"].to_pylist())  # SmolLM2 counts stored with the documents
    by_lang = {r.find_all("td")[0].text: r.find_all("td")[2].text for r in soup.select("#mix-lang tr")[1:]}
    assert by_lang == {"en": f"{tokens:,}"}
    cross = [r.find_all("td")[0].text for r in soup.select("#mix-lang-x-kind tr")[1:]]
    assert sorted(cross) == ["en · blog", "en · docs"]
