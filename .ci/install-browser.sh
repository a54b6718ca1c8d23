#!/usr/bin/env bash
# Installs Debian's chromium for the browser test of the serve example's page (Playwright drives it by its path), when it
# is missing. Needs root or sudo and the distribution's package sources; does nothing when chromium is already there.
set -euo pipefail
if command -v chromium > /dev/null 2>&1; then
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium > /dev/null
command -v chromium
