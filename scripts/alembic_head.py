"""Print the newest revision of CKAN's own migrations in a venv, read from the migration
files (importing CKAN would take seconds). Usage: python scripts/alembic_head.py VENV"""
import glob
import re
import sys

revisions, downs = set(), set()
for path in glob.glob(f"{sys.argv[1]}/lib/python3*/site-packages/ckan/migration/versions/*.py"):
    text = open(path, encoding="utf-8").read()
    revision = re.search(r"^revision\s*=\s*u?['\"](\w+)['\"]", text, re.M)
    down = re.search(r"^down_revision\s*=\s*u?['\"](\w+)['\"]", text, re.M)
    if revision:
        revisions.add(revision.group(1))
    if down:
        downs.add(down.group(1))
heads = revisions - downs
print(heads.pop() if len(heads) == 1 else "")
