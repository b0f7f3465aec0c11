#!/usr/bin/env bash
# Run CKAN's own tests (from the installed wheel) of a list: by default its search tests
# against our PostgreSQL search backend (tests/ckan_core_search.txt, tests/ckan_core.ini),
# with the few that cannot pass here deselected (the list gives each reason). Prints how
# many pass of how many. VGS_CORE_LIST, VGS_CORE_INI and VGS_CORE_TITLE name another list
# (make ckan-core-logic: CKAN's action and auth tests with the extension's rules off).
# Usage: scripts/ckan_core_search.sh VENV
set -uo pipefail
venv=$1
list=${VGS_CORE_LIST:-tests/ckan_core_search.txt}
ini=${VGS_CORE_INI:-tests/ckan_core.ini}
title=${VGS_CORE_TITLE:-search tests on this backend}
core=$("$venv/bin/python" -c "import ckan.tests, os; print(os.path.relpath(os.path.dirname(ckan.tests.__file__)))")  # node ids are relative to the rootdir
runs=(); reasons=()
while IFS= read -r line; do
  case $line in
    run\ *) runs+=("$core/${line#run }") ;;
    deselect\ *) reasons+=("${line#deselect }") ;;
  esac
done < "$list"
log=$(mktemp)
VGS_CKAN_CORE_LIST=$list \
  "$venv/bin/python" -m pytest -c setup.cfg --rootdir=. -q -p no:cacheprovider --ckan-ini="$ini" \
  -n "${VGS_WORKERS:-3}" "${runs[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
passed=$(grep -Eo '[0-9]+ passed' "$log" | tail -1 | cut -d' ' -f1)
total=$(( ${passed:-0} + ${#reasons[@]} ))
echo "CKAN's own $title: ${passed:-0} of $total pass ($(( 100 * ${passed:-0} / (total > 0 ? total : 1) )) %); not run here:"
for r in "${reasons[@]}"; do echo "  - $r"; done
rm -f "$log"
exit $rc
