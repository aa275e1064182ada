"""Scheduled runs: a crontab line or a systemd timer + service for `curate run`.

The scheduled command runs from the directory the schedule was made in (relative paths in the
pipeline file keep working), appends its output to `<output.dir>/<pipeline>/cron.log`, and uses
curate's exit codes: 0 done, 75 (EX_TEMPFAIL) when the previous run still holds the lock, so
the next tick simply tries again; anything else is a failure worth an alert.

`--every N<unit>` (m, h, d, w) is kept exactly or refused, never rounded. Cron fields repeat within
an hour, a day or a week, so a crontab line runs at even gaps only for minutes dividing 60 (`*/15
* * * *`), hours dividing 24 (`0 */6 * * *`), one day (`0 3 * * *`) and one week (`0 3 * * 0`);
whole hours and days are read as such (`120m` = `2h`, `48h` = `2d`). Anything else (`90m`, `5h`,
`36h`, `2d`, `2w`) is refused for cron with exit code 2; a systemd timer (`--systemd`,
`OnUnitActiveSec`) runs at any interval.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from curate.errors import CurateError

_EVERY = re.compile(r"^(\d+)([mhdw])$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}


class IntervalError(CurateError):
    """`--every` is malformed, or a crontab line cannot run at that interval (a usage error)."""

    exit_code = 2


@dataclass
class Schedule:
    """How often to run which pipeline, from where."""

    pipeline_file: Path
    every: str
    workdir: Path
    log_file: Path
    name: str

    @property
    def command(self) -> str:
        curate = Path(sys.executable).with_name("curate")
        exe = str(curate) if curate.exists() else f"{sys.executable} -m curate.cli"
        return f"{exe} run {shlex.quote(str(self.pipeline_file))}"

    def cron_spec(self) -> str:
        """Five cron fields that run exactly every `every` (days and weeks at 03:00), or
        IntervalError when cron cannot (see the module docstring)."""
        seconds = every_seconds(self.every)
        minutes, hours = seconds // 60, seconds // 3600
        if seconds < 3600 and 3600 % seconds == 0:
            return f"*/{minutes} * * * *" if minutes > 1 else "* * * * *"
        if seconds % 3600 == 0 and hours < 24 and 24 % hours == 0:
            return f"0 */{hours} * * *" if hours > 1 else "0 * * * *"
        if seconds == 86400:
            return "0 3 * * *"
        if seconds == 604800:
            return "0 3 * * 0"
        raise IntervalError(
            f"--every {self.every}: a crontab line cannot run every {self.every} at even gaps (cron "
            "repeats within an hour, a day or a week: use minutes dividing 60, hours dividing 24, 1d "
            "or 1w); use --systemd, whose timer runs at any interval"
        )

    def cron_line(self) -> str:
        return (
            f"{self.cron_spec()} cd {shlex.quote(str(self.workdir))} && {self.command} "
            f">> {shlex.quote(str(self.log_file))} 2>&1  # curate:{self.name}"
        )

    def systemd_units(self) -> dict[str, str]:
        """`curate-<name>.service` and `curate-<name>.timer` file contents."""
        seconds = every_seconds(self.every)
        service = (
            "[Unit]\n"
            f"Description=curate pipeline {self.name}\n\n"
            "[Service]\n"
            "Type=oneshot\n"
            f"WorkingDirectory={self.workdir}\n"
            f"ExecStart={self.command}\n"
            "SuccessExitStatus=75\n"
            f"StandardOutput=append:{self.log_file}\n"
            f"StandardError=append:{self.log_file}\n"
        )
        timer = (
            "[Unit]\n"
            f"Description=Run curate pipeline {self.name} every {self.every}\n\n"
            "[Timer]\n"
            f"OnBootSec={min(seconds, 900)}s\n"
            f"OnUnitActiveSec={seconds}s\n"
            "Persistent=true\n\n"
            "[Install]\n"
            "WantedBy=timers.target\n"
        )
        return {f"curate-{self.name}.service": service, f"curate-{self.name}.timer": timer}


def parse_every(every: str) -> tuple[int, str]:
    """`15m`, `6h`, `1d`, `1w` → (count, unit); IntervalError otherwise."""
    match = _EVERY.match(every.strip())
    if not match or int(match.group(1)) == 0:
        raise IntervalError(
            f"--every: expected a number and a unit m/h/d/w such as 30m, 6h, 1d; found {every!r}"
        )
    return int(match.group(1)), match.group(2)


def every_seconds(every: str) -> int:
    """The interval `every` in seconds (`90m` → 5400)."""
    count, unit = parse_every(every)
    return count * _UNIT_SECONDS[unit]


def install_cron(schedule: Schedule) -> str:
    """Add (or replace) this pipeline's line in the user's crontab; return the new crontab."""
    if not shutil.which("crontab"):
        raise CurateError("crontab is not installed (install cron, or use --systemd)")
    current = subprocess.run(["crontab", "-l"], capture_output=True, text=True)
    lines = [] if current.returncode != 0 else current.stdout.splitlines()
    marker = f"# curate:{schedule.name}"
    lines = [line for line in lines if not line.rstrip().endswith(marker)]
    lines.append(schedule.cron_line())
    new = "\n".join(lines) + "\n"
    done = subprocess.run(["crontab", "-"], input=new, capture_output=True, text=True)
    if done.returncode != 0:
        raise CurateError(f"crontab refused the new table: {done.stderr.strip()}")
    return new


def install_systemd(schedule: Schedule, unit_dir: Path) -> list[Path]:
    """Write the units to `unit_dir` (default: ~/.config/systemd/user); return their paths."""
    unit_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in schedule.systemd_units().items():
        path = unit_dir / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
