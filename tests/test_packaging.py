"""The wheel carries what CKAN loads relative to the package: templates, migrations,
translations, data, the config declaration and public files."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_wheel_carries_templates_migrations_translations_and_data(tmp_path):
    import shutil

    # built from a copy of the source: setuptools writes build/ and *.egg-info beside the
    # source, and the other CKAN version's suite may be building it at the same moment
    source = tmp_path / "source"
    source.mkdir()
    for name in ("setup.py", "setup.cfg", "README.md"):
        shutil.copy(os.path.join(ROOT, name), source)
    shutil.copytree(os.path.join(ROOT, "ckanext"), source / "ckanext",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(source)],
        check=True, capture_output=True,
    )
    [wheel] = [p for p in os.listdir(out) if p.endswith(".whl")]
    names = set(zipfile.ZipFile(out / wheel).namelist())
    package = "ckanext/vgsamverkan/"
    expected = [
        "plugin.py",
        "config_declaration.yaml",
        "templates/header.html",
        "templates/admin/base.html",
        "templates/vgsamverkan/index.html",
        "templates/vgsamverkan/admin/queue.html",
        "i18n/sv/LC_MESSAGES/ckanext-vgsamverkan.mo",
        "i18n/sv/LC_MESSAGES/ckanext-vgsamverkan.po",
        "migration/vgsamverkan/alembic.ini",
        "migration/vgsamverkan/env.py",
        "migration/vgsamverkan/script.py.mako",
        "data/vg_population.csv",
        "data/README.md",
        "public/vgsamverkan/vgsamverkan.css",
    ]
    missing = [f for f in expected if package + f not in names]
    assert missing == []
    # every module in the source tree, and nothing else
    source_modules = {
        os.path.relpath(os.path.join(folder, f), ROOT)
        for folder, _, files in os.walk(os.path.join(ROOT, package))
        for f in files if f.endswith(".py")
    }
    assert {n for n in names if n.endswith(".py")} == source_modules
    versions = [n for n in names if n.startswith(package + "migration/vgsamverkan/versions/")]
    source_versions = os.listdir(os.path.join(ROOT, package, "migration/vgsamverkan/versions"))
    assert len(versions) == len([v for v in source_versions if v.endswith(".py")])
    # every template in the source tree is in the wheel
    for folder, _, files in os.walk(os.path.join(ROOT, package, "templates")):
        for f in files:
            rel = os.path.relpath(os.path.join(folder, f), ROOT)
            assert rel in names, rel


def _need(tmp_path, *pairs: str) -> list[str]:
    """scripts/need.sh's ``need`` with apt-get replaced by a recorder on PATH (packages
    cannot be uninstalled on this machine to try the real install): what it would install."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    record = tmp_path / "apt-get.log"
    apt = bin_dir / "apt-get"
    apt.write_text(f'#!/bin/sh\necho "$*" >> {record}\n')
    apt.chmod(0o755)
    script = os.path.join(ROOT, "scripts", "need.sh")
    subprocess.run(["bash", "-c", f'. {script}; need "$@"', "need", *pairs], check=True,
                   capture_output=True, env=dict(os.environ, PATH=f"{bin_dir}:/usr/bin:/bin"))
    if not record.exists():
        return []
    installs = [line.split() for line in record.read_text().splitlines() if " install " in f" {line} "]
    return [word for line in installs for word in line if not word.startswith("-") and word != "install"]


def test_each_missing_program_is_installed_on_its_own(tmp_path):
    """A machine with Chromium but not its driver gets the driver (scripts/chromium.sh
    used to install nothing when ``chromium`` existed); nothing is installed when all is
    there; a package named twice is installed once; a glob finds any installed version."""
    present, absent = "/bin/sh", str(tmp_path / "nowhere" / "chromedriver")
    assert _need(tmp_path, present, "chromium", absent, "chromium-driver") == ["chromium-driver"]
    (tmp_path / "apt-get.log").unlink()
    assert _need(tmp_path, present, "chromium", "sh", "dash") == []
    assert _need(tmp_path, absent, "postgresql", absent + "-2", "postgresql", "no-such-command-vgs", "redis-tools",
                 "/bin/s*", "dash") == ["postgresql", "redis-tools"]


def test_the_set_up_scripts_check_every_program_the_suite_uses():
    """chromium.sh and services.sh name each program, not one per group."""
    with open(os.path.join(ROOT, "scripts", "chromium.sh")) as f:
        chromium = f.read()
    assert "/usr/bin/chromium chromium" in chromium and "/usr/bin/chromedriver chromium-driver" in chromium
    with open(os.path.join(ROOT, "scripts", "services.sh")) as f:
        services = f.read()
    for program in ("bin/postgres ", "bin/initdb ", "pg_ctlcluster ", "psql ", "createdb ", "pg_isready ",
                    "redis-server ", "redis-cli "):
        assert program in services, program
