"""deploy/ as a CKAN operator installs it (issue 19): the systemd units pass
``systemd-analyze verify`` (with their paths pointed at this machine's virtualenv and
repository, which stand in for /usr/lib/ckan/default and /etc/ckan/default), every timer
starts a service that exists, the crontab lines are well formed, and every command the
units, the crontab and the supervisor file run is a real command of CKAN or of ours."""
from __future__ import annotations

import pathlib
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from ckan.cli.cli import ckan

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())
VENV_BIN = pathlib.Path(sys.executable).parent


def _rendered(tmp_path: pathlib.Path) -> list[pathlib.Path]:
    out = []
    for unit in UNITS:
        text = (unit.read_text().replace("/usr/lib/ckan/default/bin", str(VENV_BIN))
                .replace("/etc/ckan/default", str(ROOT)))
        target = tmp_path / unit.name
        target.write_text(text)
        out.append(target)
    return out


def _need_systemd_analyze() -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing: make test installs it (scripts/chromium.sh, package systemd)")


def test_the_units_pass_systemd_analyze_verify(tmp_path):
    _need_systemd_analyze()
    units = _rendered(tmp_path)
    result = subprocess.run(["systemd-analyze", "verify", *map(str, units)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and not result.stderr.strip() and not result.stdout.strip(), (
        result.stdout + result.stderr)


def test_the_check_itself_sees_a_broken_unit(tmp_path):
    _need_systemd_analyze()
    broken = tmp_path / "broken.service"
    broken.write_text((DEPLOY / "systemd" / "ckan-worker.service").read_text()
                      .replace("/usr/lib/ckan/default/bin", str(VENV_BIN)).replace("/etc/ckan/default", str(ROOT))
                      .replace("Restart=always", "Restart=sometimes"))
    result = subprocess.run(["systemd-analyze", "verify", str(broken)], capture_output=True, text=True, timeout=60)
    assert "sometimes" in result.stderr


def test_every_timer_starts_a_service_that_exists_and_has_a_schedule():
    timers = [u for u in UNITS if u.suffix == ".timer"]
    assert {t.stem for t in timers} == {"vgsamverkan-daily", "vgsamverkan-mail-flush"}
    for timer in timers:
        assert (timer.parent / f"{timer.stem}.service").exists()
        text = timer.read_text()
        assert re.search(r"^(OnCalendar|OnUnitActiveSec)=", text, re.M), timer.name
        assert "WantedBy=timers.target" in text


def _commands() -> list[list[str]]:
    """Every ckan command line the deploy files run, as arguments after ``ckan -c INI``."""
    lines = []
    for unit in UNITS:
        lines += [line.split("=", 1)[1] for line in unit.read_text().splitlines() if line.startswith("ExecStart=")]
    for line in (DEPLOY / "cron" / "vgsamverkan").read_text().splitlines():
        if line.strip() and not line.startswith("#") and "=" not in line.split()[0]:
            lines.append(" ".join(line.split()[6:]))
    supervisor = (DEPLOY / "supervisor" / "vgsamverkan.conf").read_text()
    lines += re.findall(r"ckan -c \S+ [a-z ]+?(?=[;&>]|$)", supervisor, re.M)
    commands = []
    for line in lines:
        words = shlex.split(line.split(">>")[0].replace("%(ENV_CKAN_INI)s", "INI"))
        if not words[0].endswith("ckan"):
            continue
        assert words[1] == "-c", line
        commands.append([w for w in words[3:] if not w.startswith(";")])
    return commands


def test_every_command_is_a_real_one(cli):
    commands = _commands()
    assert ["jobs", "worker"] in commands and ["vgsamverkan", "expire"] in commands
    assert ["vgsamverkan", "mail", "flush"] in commands
    for command in commands:
        result = cli.invoke(ckan, [*command, "--help"])
        assert result.exit_code == 0, (command, result.output)


def test_the_crontab_lines_are_well_formed():
    field = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\d+(-\d+)?))*$")
    entries = [line for line in (DEPLOY / "cron" / "vgsamverkan").read_text().splitlines()
               if line.strip() and not line.startswith("#") and "=" not in line.split()[0]]
    assert len(entries) == 2
    for line in entries:
        words = line.split()
        assert all(field.match(w) for w in words[:5]), line
        assert words[5] == "ckan" and words[6].endswith("/bin/ckan"), line


def test_the_web_unit_serves_this_wsgi_file():
    web = (DEPLOY / "systemd" / "ckan-web.service").read_text()
    assert "wsgi:application" in web and "CKAN_INI=" in web
    assert "application = make_app" in (ROOT / "wsgi.py").read_text()
    assert (VENV_BIN / "gunicorn").exists()
