from __future__ import annotations

import json

import pytest

from curate.review.errors import LabelsError
from curate.review.labels import import_labels
from curate.review.run import RunDir
from curate.review.store import Store
from tests.review.conftest import export, fill_csv, standard_docs, write_run


def stored(run_dir):
    with Store.for_state_dir(RunDir.open(run_dir).state_dir) as store:
        return store.annotations()


@pytest.fixture
def filled(run_dir, tmp_path):
    """A curate CSV export with three documents decided by one reviewer, the rest left blank."""
    decisions = {
        "rev-html": ("drop", "marketing", 'a "press kit", really'),
        "rev-unsure": ("DROP", "Off_Topic"),
        "rev-c1-a": ("keep",),
    }
    return fill_csv(export(run_dir, "csv", tmp_path / "q.csv"), tmp_path / "filled.csv", decisions)


def test_csv_import_stores_annotations_once(run_dir, filled):
    run = RunDir.open(run_dir)
    report = import_labels(filled, run)
    assert (report.format, report.labels, report.added, report.unreviewed) == ("csv", 3, 3, 27)
    assert report.resolved["decisions"] == {"drop": 2, "keep": 1}
    anns = {a.doc_id: a for a in stored(run_dir)}
    assert (anns["rev-unsure"].decision, anns["rev-unsure"].reason) == ("drop", "off_topic")
    assert anns["rev-html"].notes == 'a "press kit", really' and anns["rev-html"].annotator == "ann"
    again = import_labels(filled, run)
    assert again.already_imported and len(stored(run_dir)) == 3


def test_a_corrected_row_replaces_the_reviewers_earlier_label(run_dir, filled, tmp_path):
    run = RunDir.open(run_dir)
    import_labels(filled, run)
    corrected = filled.with_name("corrected.csv")
    corrected.write_text(filled.read_text().replace('"keep"', '"drop"', 1).replace(",keep,", ",drop,", 1))
    report = import_labels(corrected, run)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 2)
    assert {a.doc_id: a.decision for a in stored(run_dir)}["rev-c1-a"] == "drop"


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t.replace(",marketing,", ",maybe,"), "reason must be empty or one of"),
        (
            lambda t: t.replace(",keep,", ",perhaps,"),
            "decision must be one of ['keep', 'drop'], found 'perhaps'",
        ),
        (lambda t: t.replace("rev-c1-a,", "nope-123,"), "unknown id 'nope-123'"),
        (
            lambda t: t.replace(",r1,", ",r0,", 1),
            "label for run 'r0' of pipeline 'demo', but this is run 'r1'",
        ),
        (lambda t: t.replace("curate_id", "doc"), "CSV header lacks columns ['curate_id']"),
    ],
)
def test_bad_rows_refuse_the_whole_file(run_dir, filled, edit, message):
    bad = filled.with_name("bad.csv")
    bad.write_text(edit(filled.read_text()))
    with pytest.raises(LabelsError, match="refused, nothing was imported") as err:
        import_labels(bad, RunDir.open(run_dir))
    assert message in str(err.value)
    assert stored(run_dir) == []  # no partial application


def test_labels_of_another_run_are_refused(tmp_path, filled):
    other = write_run(tmp_path / "out", standard_docs(1000), run_id="r2")
    with pytest.raises(LabelsError, match="import it into its own run"):
        import_labels(filled, RunDir.open(other))


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("x.json", "{not json", "not valid JSON"),
        ("x.json", '{"tasks": []}', "expected a JSON list of tasks"),
        ("x.json", '[{"data": {"curate_id": "rev-html"}}]', "tasks without annotations"),
        (
            "x.jsonl",
            '{"curate_id": "rev-html", "run_id": "r1", "decision": "keep"}\n[1]\n',
            "expected an object",
        ),
        (
            "x.json",
            json.dumps(
                [
                    {
                        "data": {"curate_id": "rev-html", "run_id": "r1"},
                        "annotations": [{"id": 1, "result": [{"from_name": "notes"}]}],
                    }
                ]
            ),
            "no keep/drop choice",
        ),
    ],
)
def test_malformed_files_are_refused_with_a_clear_message(run_dir, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(LabelsError, match=message):
        import_labels(path, RunDir.open(run_dir))
    assert stored(run_dir) == []


def test_labelstudio_export_with_several_annotators_and_ground_truth(run_dir, tmp_path):
    def ann(i, who, decision, reason=None, truth=False, cancelled=False):
        result = [{"from_name": "decision", "type": "choices", "value": {"choices": [decision]}}]
        result += (
            [{"from_name": "reason", "type": "choices", "value": {"choices": [reason]}}] if reason else []
        )
        return {
            "id": i,
            "completed_by": who,
            "result": result,
            "ground_truth": truth,
            "was_cancelled": cancelled,
            "updated_at": f"2026-01-0{i}T00:00:00Z",
        }

    data = {"run_id": "r1", "pipeline": "demo"}
    tasks = [
        {
            "id": 1,
            "data": {**data, "curate_id": "rev-html"},
            "annotations": [ann(1, 7, "keep"), ann(2, 8, "drop", "marketing"), ann(3, 9, "keep", truth=True)],
        },
        {
            "id": 2,
            "data": {**data, "curate_id": "rev-unsure"},
            "annotations": [ann(4, 7, "drop", "off_topic"), ann(5, 8, "keep", cancelled=True)],
        },
    ]
    path = tmp_path / "ls.json"
    path.write_text(json.dumps(tasks))
    report = import_labels(path, RunDir.open(run_dir))
    assert (report.format, report.labels) == ("labelstudio", 4)  # the cancelled annotation is no label
    assert report.resolved["rules"] == {"ground_truth": 1, "single": 1}
    assert report.resolved["agreement"]["documents"] == 1
    assert {a.annotator for a in stored(run_dir)} == {"labelstudio:7", "labelstudio:8", "labelstudio:9"}
