#!/usr/bin/env bash
# Debian's headless Chromium and its driver for the browser tests, each installed when
# missing (tests/e2e/conftest.py uses these two paths).
set -euo pipefail
. "$(dirname "$0")/need.sh"
need /usr/bin/chromium chromium /usr/bin/chromedriver chromium-driver
