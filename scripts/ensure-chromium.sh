#!/usr/bin/env bash
# The browser test drives Debian's Chromium with playwright-core (npm test runs this first).
# Playwright's own browser download does not work on these machines; Debian's package does.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
echo "Chromium is missing: installing Debian's chromium package for the browser test…"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "error: Chromium is not installed and this user cannot install it. Install the 'chromium' package (apt-get install chromium) and run npm test again." >&2
    exit 1
  fi
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
chromium --version
