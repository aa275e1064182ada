from __future__ import annotations

import pytest

from curate.config import load_config, parse_config
from curate.errors import ConfigError
from tests.conftest import ROOT


def problems_of(data) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(data, "p.yaml")
    return info.value.problems


def test_shipped_pipeline_is_valid():
    pipeline = load_config(ROOT / "pipelines" / "crypto.yaml")
    assert pipeline.name == "crypto"
    assert [s.name for s in pipeline.steps["sources"]] == ["files", "crawl"]
    assert pipeline.steps["filters"] and pipeline.steps["dedup"] and pipeline.steps["membership"]


def test_every_problem_is_reported_with_file_path_and_found_value():
    problems = problems_of(
        {
            "name": "x y",
            "colour": "red",
            "executor": {"tasks": 0},
            "sources": [{"files": {"paths": ["a"], "bogus": 1}}],
            "filters": [{"length": {"min_words": "many"}}, {"nope": {}}],
        }
    )
    text = "\n".join(problems)
    assert "p.yaml: colour: unknown key" in text
    assert "p.yaml: executor.tasks:" in text and "found 0" in text
    assert "p.yaml: name:" in text and "found 'x y'" in text
    assert "p.yaml: sources.0.files.bogus: unknown key" in text
    assert "p.yaml: filters.0.length.min_words:" in text and "found 'many'" in text
    assert "p.yaml: filters.1: unknown filters step" in text and "'language'" in text
    assert len(problems) == 6


def test_step_init_checks_are_reported_with_their_path():
    problems = problems_of(
        {
            "name": "x",
            "sources": [{"files": {"paths": ["a"]}}],
            "filters": [{"length": {"min_words": 9, "max_words": 2}}],
        }
    )
    assert problems == ["p.yaml: filters.0.length: min_words (9) is larger than max_words (2)"]


def test_missing_required_keys():
    problems = problems_of({"sources": [{"files": {}}]})
    assert "p.yaml: name: required key is missing" in problems
    assert "p.yaml: sources.0.files.paths: required key is missing" in problems


def test_bad_yaml_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nsources:\n  - files: {paths: [a]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems[0].startswith(f"{path}:")
    assert "invalid YAML" in info.value.problems[0]


def test_missing_file_and_non_mapping(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "absent.yaml")
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(tmp_path / "list.yaml")


def test_resolved_config_fills_defaults():
    pipeline = parse_config({"name": "x", "sources": [{"files": {"paths": ["a"]}}]})
    resolved = pipeline.resolved()
    assert resolved["sources"] == [
        {
            "files": {
                "paths": ["a"],
                "source": "files",
                "kind": "auto",
                "project": None,
                "max_file_bytes": 50 * 2**20,
                "text_key": "text",
                "max_record_bytes": 16 * 2**20,
                "max_decompressed_bytes": 2**30,
                "incremental": True,
                "state_dir": None,
            }
        }
    ]
    assert [next(iter(s)) for s in resolved["extract"]] == ["html", "pdf", "text"]
    assert resolved["executor"] == {
        "type": "local",
        "tasks": 1,
        "workers": -1,
        "cpus_per_task": 1,
        "mem_per_cpu_gb": 2.0,
        "ray_address": None,
        "slurm": None,
    }


def test_slurm_needs_its_settings():
    problems = problems_of(
        {"name": "x", "sources": [{"files": {"paths": ["a"]}}], "executor": {"type": "slurm"}}
    )
    assert problems == [
        "p.yaml: executor: value error, executor.slurm (with at least `partition`) is required "
        "when type is slurm, found {'type': 'slurm'}"
    ]
    bad_time = {"type": "slurm", "slurm": {"partition": "cpu", "time": "soon"}}
    (problem,) = problems_of({"name": "x", "sources": [{"files": {"paths": ["a"]}}], "executor": bad_time})
    assert problem.startswith("p.yaml: executor.slurm.time:") and "found 'soon'" in problem
