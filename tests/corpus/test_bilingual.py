"""pipelines/bilingual.yaml runs offline on the shipped prose and mixes Japanese/English 80/20 by tokens."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from curate.config import load_config
from curate.runner import run_pipeline

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_bilingual_pipeline_mixes_80_20_by_tokens(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # the pipeline's paths are relative to the repository root
    manifest = run_pipeline(load_config("pipelines/bilingual.yaml"), run_id="r1", output_dir=str(tmp_path))
    ja = len(os.listdir(ROOT / "data/bilingual/ja"))
    en = len(os.listdir(ROOT / "data/bilingual/en"))
    junk = len(os.listdir(ROOT / "data/bilingual/junk"))
    assert manifest["inputs"] == ja + en + junk and manifest["kept"] == ja + en  # prose kept, junk dropped
    mix = json.loads((tmp_path / "bilingual/mixes/ja80-en20/mix.json").read_text())
    assert mix["tokenizer"] == "smollm2" and mix["target"] == {"ja": 0.8, "en": 0.2}
    assert abs(mix["achieved"]["ja"] - 0.8) <= 0.02 and abs(mix["achieved"]["en"] - 0.2) <= 0.02
    soup = BeautifulSoup((tmp_path / "bilingual/r1/report.html").read_text(), "html.parser")
    shares = {
        r.find_all("td")[0].text: r.find_all("td")[2].text for r in soup.select("#mixture-ja80-en20 tr")[1:]
    }
    assert shares == {g: f"{100 * mix['achieved'][g]:.1f}%" for g in ("ja", "en")}
    langs = {r.find_all("td")[0].text: r.find_all("td")[2].text for r in soup.select("#funnel-lang tr")[1:]}
    assert langs["ja"] == str(ja) and langs["en"] == str(en)
