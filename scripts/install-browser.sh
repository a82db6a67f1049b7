#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (tests/web/browser) when it is missing.
# Playwright drives this system browser; it never downloads a browser of its own.
set -euo pipefail
CHROMIUM="${SALESTRACK_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
    echo "chromium found at $CHROMIUM"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "chromium is missing and this user cannot run apt-get; install the 'chromium' package" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium
test -x "$CHROMIUM" || { echo "chromium did not install at $CHROMIUM" >&2; exit 1; }
echo "installed chromium at $CHROMIUM"
