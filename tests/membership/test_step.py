"""The `membership: score` step: decisions, pass-through, bad input, the score cache, calibration."""

from __future__ import annotations

import json

import pytest
from datatrove.data import Document

from curate import data as M
from curate.config import parse_config
from curate.errors import ConfigError, ModelLoadError
from curate.membership import forward
from curate.membership.step import MembershipScore
from tests.membership.conftest import save_tiny, train_tiny

SEEN = "the quick brown fox jumps over the lazy dog while the cat sleeps. " * 3
UNSEEN = "Zq8#vW!p2@Lk0&Jx5^Rm9*Ty4(Hs1)Gd7_Fn3+Cb6=Ea0?Uo2|Ii8<Pl4>Ku7~Nw1;Ox5:Vy9,Bz3."


@pytest.fixture(scope="module")
def member_dirs(tmp_path_factory):
    """(target, reference): a tiny model fitted to SEEN, and the same initial weights untouched."""
    root = tmp_path_factory.mktemp("member")
    return str(save_tiny(root / "target", train_tiny(SEEN))), str(save_tiny(root / "ref"))


def run(step: MembershipScore, texts: list[str]) -> list[Document]:
    return list(step.run([Document(text=t, id=str(i)) for i, t in enumerate(texts)]))


def test_reference_ratio_sign_and_decisions(member_dirs):
    target, ref = member_dirs
    step = MembershipScore(
        target=target, references=[ref], decision_score="ref_ratio", threshold=1.0, band=0.5
    )
    seen, unseen = run(step, [SEEN, UNSEEN])
    assert seen.metadata[M.REF_RATIO] > 1.5 and unseen.metadata[M.REF_RATIO] < 0
    assert seen.metadata[M.DECISION] == M.REJECT and seen.metadata[M.REASON] == "likely_member"
    assert M.DECISION not in unseen.metadata
    assert seen.metadata[M.REF_BPB][0] == pytest.approx(
        seen.metadata[M.REF_RATIO] + seen.metadata[M.TARGET_BPB]
    )
    assert seen.metadata[M.N_BYTES] == len(SEEN) and seen.metadata[M.N_TOKENS] == len(SEEN)


def test_borderline_goes_to_review_and_decided_documents_pass_untouched(tiny_dir):
    step = MembershipScore(target=str(tiny_dir), decision_score="loss", threshold=100.0, band=200.0)
    decided = M.reject(Document(text="x" * 200, id="d"), "filters", "too_short")
    docs = [Document(text=SEEN, id="a"), decided]
    out = list(step.run(docs))
    assert [d.id for d in out] == ["a", "d"]
    assert out[0].metadata[M.DECISION] == M.REVIEW and out[0].metadata[M.REASON] == "membership_borderline"
    assert out[1].metadata == {M.DECISION: M.REJECT, M.STAGE: "filters", M.REASON: "too_short"}


def test_bad_input_is_kept_with_a_reason(tiny_dir):
    step = MembershipScore(target=str(tiny_dir), threshold=1e9, max_chars=3000, min_tokens=16)
    huge = "token " * 200_000  # a million characters: capped, scored in windows
    out = run(step, ["", "!?", "   ", "\udcff\udcfe broken " + SEEN, huge, "%$#@!" * 40])
    assert [d.metadata.get(M.MEMBERSHIP_METHOD) for d in out[:3]] == ["too_short"] * 3
    assert out[3].metadata[M.MEMBERSHIP_NOTE] == "invalid_utf8_replaced" and out[3].metadata[M.TARGET_BPB] > 0
    assert (
        out[4].metadata[M.MEMBERSHIP_NOTE] == "truncated_to_3000_chars" and out[4].metadata[M.N_BYTES] == 3000
    )
    assert out[5].metadata[M.MEMBERSHIP_METHOD] == "zlib"  # only symbols: scored like anything else
    assert not any(M.is_decided(d) for d in out)


def test_rerun_hits_the_cache_and_never_calls_the_model(tiny_dir, tmp_path, monkeypatch):
    kwargs = dict(target=str(tiny_dir), cache_dir=str(tmp_path / "state"))
    first = run(MembershipScore(**kwargs), [SEEN, UNSEEN])

    def no_model(*args, **kwargs):
        raise AssertionError("the model was called on a cached text")

    monkeypatch.setattr(forward, "score_ids", no_model)
    second = run(MembershipScore(**kwargs), [UNSEEN, SEEN])
    assert second[1].metadata == first[0].metadata and second[0].metadata == first[1].metadata
    assert (tmp_path / "state" / "scores.sqlite").is_file()


def test_calibration_sets_the_threshold_at_the_target_fpr(tiny_dir, tmp_path):
    texts = [f"calibration text number {i} about {'abc' * i} something" for i in range(20)]
    path = tmp_path / "non_members.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)))
    step = MembershipScore(target=str(tiny_dir), calibration=str(path), target_fpr=0.1, review_fpr=0.25,
                           cache_dir=str(tmp_path / "state"), decision_score="zlib")  # fmt: skip
    out = run(step, texts)
    assert sum(d.metadata.get(M.DECISION) == M.REJECT for d in out) == 2  # 10% of 20
    assert sum(d.metadata.get(M.DECISION) == M.REVIEW for d in out) == 3  # up to 25%
    saved = json.loads((tmp_path / "state" / "calibration.json").read_text())
    assert saved["threshold"] == out[0].metadata[M.MEMBERSHIP_THRESHOLD] and saved["n_texts"] == 20


def test_missing_and_corrupt_models_raise_model_load_error(tmp_path):
    with pytest.raises(ModelLoadError, match="no such file or directory"):
        run(MembershipScore(target=str(tmp_path / "nope")), [SEEN])
    corrupt = tmp_path / "broken.gguf"
    corrupt.write_bytes(b"GGUF" + b"\x00garbage" * 100)
    with pytest.raises(ModelLoadError, match="cannot load"):
        run(MembershipScore(target=str(corrupt)), [SEEN])


def test_yaml_options_are_validated():
    def problems(options):
        with pytest.raises(ConfigError) as info:
            parse_config(
                {"name": "p", "sources": [{"files": {"paths": ["x"]}}], "membership": [{"score": options}]}
            )
        return "\n".join(info.value.problems)

    assert "needs at least 2 references" in problems({"decision_score": "lira", "references": ["a"]})
    assert "either threshold or calibration" in problems({"threshold": 1.0, "calibration": "c.jsonl"})
    assert "stride" in problems({"window": 128, "stride": 128})
    assert "membership.0.score.decision_score" in problems({"decision_score": "magic"})
    ok = parse_config({"name": "p", "sources": [{"files": {"paths": ["x"]}}], "membership": ["score"]})
    assert ok.steps["membership"][0].build().target == "smollm2"


def test_runs_inside_a_datatrove_pipeline_and_logs_progress(tiny_dir, tmp_path):
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from loguru import logger

    (tmp_path / "in").mkdir()
    texts = [SEEN, UNSEEN, "short", SEEN + " again"]  # (datatrove's reader itself skips empty texts)
    (tmp_path / "in" / "docs.jsonl").write_text(
        "".join(json.dumps({"text": t, "id": str(i)}) + "\n" for i, t in enumerate(texts))
    )
    step = MembershipScore(target=str(tiny_dir), cache_dir=str(tmp_path / "state"), backend="torch")
    pipeline = [JsonlReader(str(tmp_path / "in")), step, JsonlWriter(str(tmp_path / "out"), compression=None)]
    LocalPipelineExecutor(pipeline, tasks=1, logging_dir=str(tmp_path / "logs")).run()
    rows = [
        json.loads(line) for f in (tmp_path / "out").glob("*.jsonl") for line in f.read_text().splitlines()
    ]
    assert sorted(r["id"] for r in rows) == ["0", "1", "2", "3"]
    by_id = {r["id"]: r["metadata"] for r in rows}
    assert by_id["2"][M.MEMBERSHIP_METHOD] == "too_short" and by_id["0"][M.MINK_PP] is not None

    messages: list[str] = []
    sink = logger.add(messages.append, format="{message}")
    run(step, [SEEN])
    step._last_log = float("-inf")
    step._log_progress(step._scorers[0])
    logger.remove(sink)
    assert any("tokens/s" in m and "cache hits" in m for m in messages)


def test_auto_tunes_an_out_reference_and_chooses_by_tpr_on_known_members(member_dirs, tmp_path, monkeypatch):
    from loguru import logger

    monkeypatch.setenv("CURATE_CACHE", str(tmp_path / "cache"))
    target, ref = member_dirs
    rng = __import__("random").Random(0)
    noise = ["".join(rng.choice("abcdefghij klmnop") for _ in range(120)) for _ in range(25)]
    (tmp_path / "cal.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in noise[:24]))
    seen = [SEEN, SEEN[:150], SEEN + SEEN[:40]]
    (tmp_path / "members.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in seen))
    messages: list[str] = []
    sink = logger.add(messages.append, format="{message}")
    step = MembershipScore(target=target, references=[ref], calibration=str(tmp_path / "cal.jsonl"),
                           members=str(tmp_path / "members.jsonl"), target_fpr=0.1, out_epochs=2)  # fmt: skip
    out = run(step, [SEEN, noise[24]])  # a member, and fresh text of the population's kind
    logger.remove(sink)
    assert list((tmp_path / "cache" / "models").glob("out-target-*/config.json"))  # tuned and cached
    line = next(m for m in messages if "decision score" in m)
    chosen = out[0].metadata[M.MEMBERSHIP_METHOD]
    assert f"decision score {chosen} (TPR 1.00" in line and "ref_ratio_out TPR" in line  # figures logged
    assert out[0].metadata[M.DECISION] == M.REJECT and M.DECISION not in out[1].metadata
    assert out[0].metadata[M.REF_RATIO_OUT] is not None
    assert step._cal.n_texts == 12  # half of the calibration texts tuned the OUT reference
