from __future__ import annotations

import os
import stat

import pytest
from click.testing import CliRunner

from curate.cli import main
from curate.errors import CurateError
from curate.schedule import IntervalError, Schedule, parse_every
from tests.conftest import ROOT

PIPELINE = str(ROOT / "pipelines" / "crypto.yaml")


def test_every_is_parsed_and_bad_values_explained():
    assert parse_every("30m") == (30, "m") and parse_every("1d") == (1, "d")
    for bad in ("daily", "0h", "5s", ""):
        with pytest.raises(CurateError, match="--every"):
            parse_every(bad)


@pytest.mark.parametrize(
    "every,spec",
    [("15m", "*/15 * * * *"), ("6h", "0 */6 * * *"), ("1d", "0 3 * * *"), ("1w", "0 3 * * 0"),
     ("60m", "0 * * * *"), ("120m", "0 */2 * * *"), ("24h", "0 3 * * *"), ("7d", "0 3 * * 0"),
     ("1m", "* * * * *")],
)  # fmt: skip
def test_cron_specs(tmp_path, every, spec):
    plan = Schedule(tmp_path / "p.yaml", every, tmp_path, tmp_path / "cron.log", "p")
    assert plan.cron_line().startswith(f"{spec} cd {tmp_path} && ")
    assert plan.cron_line().endswith(f">> {tmp_path}/cron.log 2>&1  # curate:p")


def test_print_and_install_cron_with_a_fake_crontab(tmp_path, monkeypatch):
    table = tmp_path / "table"
    fake = tmp_path / "bin" / "crontab"
    fake.parent.mkdir()
    fake.write_text(
        f'#!/bin/sh\nif [ "$1" = "-l" ]; then cat {table} 2>/dev/null || exit 1; else cat > {table}; fi\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    table.write_text("0 1 * * * other-job\n")
    runner = CliRunner()
    printed = runner.invoke(main, ["schedule", PIPELINE, "--every", "1d"])
    assert printed.exit_code == 0 and "curate run" in printed.output and "# curate:crypto" in printed.output
    for _ in range(2):  # installing twice keeps one line
        assert runner.invoke(main, ["schedule", PIPELINE, "--every", "6h", "--install"]).exit_code == 0
    lines = table.read_text().splitlines()
    assert lines[0] == "0 1 * * * other-job"
    assert len(lines) == 2 and lines[1].startswith("0 */6 * * * cd ")


def test_systemd_units(tmp_path):
    result = CliRunner().invoke(
        main, ["schedule", PIPELINE, "--every", "12h", "--systemd", "--install", "--unit-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    timer = (tmp_path / "curate-crypto.timer").read_text()
    service = (tmp_path / "curate-crypto.service").read_text()
    assert "OnUnitActiveSec=43200s" in timer and "Persistent=true" in timer
    assert "SuccessExitStatus=75" in service and "run " in service and "crypto.yaml" in service


@pytest.mark.parametrize("every", ["90m", "36h", "2w", "5h", "7m", "2d", "25h"])
def test_intervals_cron_cannot_run_evenly_are_refused_not_rounded(tmp_path, every):
    plan = Schedule(tmp_path / "p.yaml", every, tmp_path, tmp_path / "cron.log", "p")
    with pytest.raises(IntervalError, match="--systemd"):
        plan.cron_line()
    result = CliRunner().invoke(main, ["schedule", PIPELINE, "--every", every])
    assert result.exit_code == 2 and "cannot run every" in result.output and "curate run" not in result.output


@pytest.mark.parametrize("every,seconds", [("90m", 5400), ("36h", 129600), ("2w", 1209600), ("5h", 18000)])
def test_a_systemd_timer_runs_at_any_interval(tmp_path, every, seconds):
    result = CliRunner().invoke(
        main, ["schedule", PIPELINE, "--every", every, "--systemd", "--install", "--unit-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert f"OnUnitActiveSec={seconds}s" in (tmp_path / "curate-crypto.timer").read_text()


def test_a_malformed_interval_is_a_usage_error():
    result = CliRunner().invoke(main, ["schedule", PIPELINE, "--every", "1.5h"])
    assert result.exit_code == 2 and "--every" in result.output
