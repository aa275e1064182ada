"""`curate validate` refuses every bad configuration with one `Error:` line per problem, exit 2,
never a traceback; `curate run` refuses it the same way before doing any work."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from benchmarks._bad_configs import cases
from curate.cli import main
from curate.config import load_config
from curate.errors import ConfigError
from curate.yaml_safe import MAX_NODES, expanded_size


def _names():
    import tempfile
    from pathlib import Path

    return [c.name for c in cases(Path(tempfile.mkdtemp()))]


NAMES = _names()


def test_there_are_at_least_fifty_bad_configs():
    assert len(NAMES) >= 50 and len(set(NAMES)) == len(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_validate_refuses_a_bad_config(tmp_path, name):
    case = next(c for c in cases(tmp_path) if c.name == name)
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(case.text)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no traceback
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert any(case.expect in line for line in errors), result.output
    assert len(errors) == len(result.output.strip().splitlines())  # one Error: line per problem


@pytest.mark.parametrize("name", ["dedup_exact_twice", "output_dir_is_a_file", "calibration_missing"])
def test_run_refuses_it_before_any_work(tmp_path, name):
    case = next(c for c in cases(tmp_path) if c.name == name)
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(case.text)
    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 2 and case.expect in result.output
    assert not (tmp_path / "out").exists()


def test_every_problem_is_reported_at_once(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        f'name: many\nsources: [{{files: {{paths: ["{tmp_path}/*"], max_file_bytes: 0}}}}]\n'
        "dedup: [exact, exact]\nexecutor: {workers: 0}\n"
        f"membership: [{{score: {{calibration: {tmp_path}/none.json}}}}]\n"
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    problems = "\n".join(info.value.problems)
    for part in ("max_file_bytes", "'exact' repeats dedup.0", "executor.workers", "calibration: expected"):
        assert part in problems


def test_an_alias_bomb_is_counted_not_expanded():
    import yaml

    text = "a: &a [1,1,1,1,1,1,1,1,1,1]\n" + "".join(
        f"{c}: &{c} [{','.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefghi", "bcdefghij", strict=True)
    )
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    assert expanded_size(node) > 10**10 > MAX_NODES  # ten lines, ten billion values


def test_good_configs_still_validate(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(
        "name: ok\nbase: &src {paths: [a/*.txt]}\nsources: [{files: *src}]\n".replace(
            "base: &src", "x-base: &src"
        )
    )
    with pytest.raises(ConfigError, match="x-base: unknown key"):  # anchors are fine; unknown keys are not
        load_config(path)
    path.write_text(
        "name: ok\nsources:\n  - files: {paths: [a/*.txt]}\n  - files: {paths: [b/*.txt]}\n"
        "filters: [length, {length: {min_words: 5}}]\ndedup: [exact, minhash]\n"
    )
    pipeline = load_config(path)
    assert [s.name for s in pipeline.steps["sources"]] == ["files", "files"]
