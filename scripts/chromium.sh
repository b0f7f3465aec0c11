#!/usr/bin/env bash
# Debian's headless Chromium for the browser tests, installed when missing.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Chromium…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
