#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for tests/test_report_html.py (idempotent).
# Called by .ci/run before the tests; safe to run again: does nothing when chromium exists.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "setup_chromium: not root and no sudo; install 'chromium' by hand" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
# update the package lists only when chromium is not known yet (fresh image)
if ! apt-cache show chromium >/dev/null 2>&1; then
    $SUDO apt-get update -qq
fi
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version
