#!/usr/bin/env bash
# Installs Debian's Chromium for tests/test_report_html.py (headless browser test).
# Idempotent: does nothing when /usr/bin/chromium exists. Called by .ci/run before the tests.
# Package lists are refreshed only when chromium is unknown to apt or the install fails
# on stale lists.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "setup_chromium: not root and no sudo; install the Debian package 'chromium'" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
install() {
    # no recommends: chromium-sandbox is not needed (the test runs --no-sandbox)
    $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
}

if ! apt-cache show chromium >/dev/null 2>&1; then
    $SUDO apt-get update -qq
fi
if ! install; then
    $SUDO apt-get update -qq  # lists older than the mirror: refresh once and retry
    install
fi
/usr/bin/chromium --version
