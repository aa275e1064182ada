"""Unicode repair and unique ids at ingest: nothing that cannot be written reaches a writer."""

from __future__ import annotations

import json

import orjson
from datatrove.data import Document

from curate import data as M
from curate.filters.language import LanguageFilter
from curate.sources.sanitize import SanitizeDocuments, repair_str
from curate.sources.unique_ids import UniqueIds


def test_lone_surrogates_become_replacement_characters_and_are_recorded():
    assert repair_str("ok") == ("ok", False)
    assert repair_str("caf\udce9.txt") == ("caf\ufffd.txt", True)
    row = json.loads('{"id": "a\\ud800", "title": "t\\udfff", "text": "Validators stake \\ud83d tokens."}')
    doc = Document(
        text=row["text"], id=row["id"], metadata={M.TITLE: row["title"], "tags": [{"k": "\udc80"}]}
    )
    (out,) = SanitizeDocuments().run([doc])
    assert out.id == "a\ufffd" and out.text == "Validators stake \ufffd tokens."
    assert out.metadata[M.TITLE] == "t\ufffd" and out.metadata["tags"] == [{"k": "\ufffd"}]
    assert out.metadata[M.UNICODE_REPAIRED] == ["id", "tags", "text", M.TITLE]
    orjson.dumps({"text": out.text, "id": out.id, "metadata": out.metadata})  # the stage writer's encoder
    LanguageFilter(languages=[]).process(out)  # fastText's predict raised TypeError on surrogates
    assert out.metadata[M.LANG] == "en"


def test_repeated_ids_are_renamed_within_a_task(tmp_path):
    docs = [Document(text=str(i), id=i_d) for i, i_d in enumerate(["a", "b", "a", "a", "a~2"])]
    out = list(SanitizeDocuments(str(tmp_path / "ids")).run(docs, rank=0))
    assert [d.id for d in out] == ["a", "b", "a~2", "a~3", "a~2~2"]
    assert [d.metadata.get(M.ID_RENAMED_FROM) for d in out] == [None, None, "a", "a", "a~2"]
    assert (tmp_path / "ids" / "00000.npy").exists()


def test_ids_repeated_across_tasks_are_renamed_the_same_way_in_every_task(tmp_path):
    ids = str(tmp_path / "ids")
    task0 = [Document(text="x", id="same", metadata={M.PATH: "/in/one.jsonl"}), Document(text="y", id="solo")]
    task1 = [Document(text="z", id="same", metadata={M.PATH: "/in/two.jsonl"})]
    list(SanitizeDocuments(ids).run(task0, rank=0))
    list(SanitizeDocuments(ids).run(task1, rank=1))
    out = list(UniqueIds(ids).run(task0, rank=0)) + list(UniqueIds(ids).run(task1, rank=1))
    assert out[1].id == "solo"
    assert out[0].id != out[2].id and {out[0].id[:5], out[2].id[:5]} == {"same~"}
    assert out[0].metadata[M.ID_RENAMED_FROM] == out[2].metadata[M.ID_RENAMED_FROM] == "same"
    again = Document(text="x", id="same", metadata={M.PATH: "/in/one.jsonl"})
    assert next(iter(UniqueIds(ids).run([again]))).id == out[0].id  # a resumed task renames alike
