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

    shutil.rmtree(os.path.join(ROOT, "build"), ignore_errors=True)  # no stale copies
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), ROOT],
        check=True, capture_output=True,
    )
    shutil.rmtree(os.path.join(ROOT, "build"), ignore_errors=True)
    [wheel] = [p for p in os.listdir(tmp_path) if p.endswith(".whl")]
    names = set(zipfile.ZipFile(tmp_path / wheel).namelist())
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
