#!/usr/bin/env bash
# Run CKAN's own search tests (from the installed wheel) against our PostgreSQL search
# backend, with the few that cannot pass here deselected (tests/ckan_core_search.txt
# gives each reason). Prints how many pass of how many.
# Usage: scripts/ckan_core_search.sh VENV
set -uo pipefail
venv=$1
core=$("$venv/bin/python" -c "import ckan.tests, os; print(os.path.relpath(os.path.dirname(ckan.tests.__file__)))")  # node ids are relative to the rootdir
runs=(); reasons=()
while IFS= read -r line; do
  case $line in
    run\ *) runs+=("$core/${line#run }") ;;
    deselect\ *) reasons+=("${line#deselect }") ;;
  esac
done < tests/ckan_core_search.txt
log=$(mktemp)
VGS_CKAN_CORE_LIST=tests/ckan_core_search.txt \
  "$venv/bin/python" -m pytest -c setup.cfg --rootdir=. -q -p no:cacheprovider --ckan-ini=tests/ckan_core.ini \
  -n "${VGS_WORKERS:-3}" "${runs[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
passed=$(grep -Eo '[0-9]+ passed' "$log" | tail -1 | cut -d' ' -f1)
total=$(( ${passed:-0} + ${#reasons[@]} ))
echo "CKAN's own search tests on this backend: ${passed:-0} of $total pass ($(( 100 * ${passed:-0} / (total > 0 ? total : 1) )) %); not run here:"
for r in "${reasons[@]}"; do echo "  - $r"; done
rm -f "$log"
exit $rc
