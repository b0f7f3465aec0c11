#!/usr/bin/env bash
# Debian's headless Chromium and its driver for the browser tests, each installed when
# missing (tests/e2e/conftest.py uses these two paths); and systemd-analyze, with which
# tests/test_deploy.py checks the unit files of deploy/.
set -euo pipefail
. "$(dirname "$0")/need.sh"
need /usr/bin/chromium chromium /usr/bin/chromedriver chromium-driver systemd-analyze systemd
