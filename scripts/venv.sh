#!/usr/bin/env bash
# Make (or reuse) a virtualenv with a pinned CKAN and this extension installed in it.
# Usage: scripts/venv.sh VENV_DIR REQUIREMENTS_FILE
set -euo pipefail
venv=$1; req=$2
here=$(cd "$(dirname "$0")/.." && pwd)
stamp="$venv/.vgsamverkan-installed"
want=$( { cat "$req" "$here/requirements/common.txt" "$here/requirements/nodeps.txt" "$here/setup.py" 2>/dev/null || true; } | sha1sum | cut -d" " -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
   && "$venv/bin/python" -c "import importlib.metadata as m; m.distribution('ckanext-vgsamverkan')" 2>/dev/null; then
  exit 0
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade "pip<25" "setuptools<70" wheel 2>&1 | grep -v "^WARNING: Location" || true
"$venv/bin/pip" install -q -r "$req" 2>&1 | grep -v "^WARNING: Location" || true
"$venv/bin/pip" install -q --no-deps -r "$here/requirements/nodeps.txt" 2>&1 | grep -v "^WARNING: Location" || true
"$venv/bin/python" -c "import ckan, luqum, gunicorn" # fail here if the install did not work
if [ -f "$here/setup.py" ]; then
  "$venv/bin/pip" install -q --no-deps -e "$here" 2>&1 | grep -v "^WARNING: Location\|DEPRECATION" || true
  "$venv/bin/python" -c "import importlib.metadata as m; m.distribution('ckanext-vgsamverkan')"
fi
echo "$want" > "$stamp"
