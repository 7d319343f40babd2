#!/usr/bin/env bash
# The browser test drives Debian's Chromium with playwright-core (npm test runs this first).
# Playwright's own browser download does not work on these machines; Debian's package does.
# Debian's Chromium brings no emoji font, so users' emoji would render as empty boxes: the
# colour emoji font is installed with it (the web app's font stack names it).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg-query -W -f='${Status}' fonts-noto-color-emoji 2>/dev/null | grep -q "install ok installed" || missing+=(fonts-noto-color-emoji)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
echo "Missing for the browser test: ${missing[*]}: installing Debian's package(s)…"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "error: ${missing[*]} not installed and this user cannot install it. Install the package(s) (apt-get install ${missing[*]}) and run npm test again." >&2
    exit 1
  fi
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
command -v chromium >/dev/null 2>&1 && chromium --version
