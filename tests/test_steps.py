"""One document's failure is that document's rejection; configuration errors still stop the run."""

from __future__ import annotations

import pytest
from datatrove.data import Document

from curate import data as M
from curate.errors import ConfigError
from curate.steps import CurateStep


class Picky(CurateStep):
    name = "picky"
    stage = "filters"

    def process(self, doc: Document) -> None:
        if doc.text == "deep":
            raise RecursionError("maximum recursion depth exceeded")
        if doc.text == "config":
            raise ConfigError("model_path: file not found")
        doc.metadata["seen"] = True


def test_an_exception_rejects_only_that_document_and_the_stream_goes_on():
    docs = [Document(text=t, id=t) for t in ("a", "deep", "b")]
    out = list(Picky().run(docs))
    assert [d.id for d in out] == ["a", "deep", "b"]
    assert out[0].metadata["seen"] and out[2].metadata["seen"]
    assert out[1].metadata[M.REASON] == "picky_failed" and out[1].metadata[M.STAGE] == "filters"
    assert out[1].metadata["error"].startswith("RecursionError")


def test_a_curate_error_still_stops_the_run():
    with pytest.raises(ConfigError):
        list(Picky().run([Document(text="config", id="c")]))
