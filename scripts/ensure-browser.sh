#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when it is missing. Playwright drives it;
# Playwright's own browser download is not used (it cannot reach its servers here).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "Installing chromium (Debian package) for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
if [ "${CI:-}" = "true" ]; then
  echo "chromium is missing and cannot be installed here (needs root and apt-get)." >&2
  exit 1
fi
echo "chromium is missing: the browser tests will be skipped. Install Debian's chromium package."
