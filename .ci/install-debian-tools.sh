#!/usr/bin/env bash
# Installs the Debian packages that tests and examples run as programs, when they are missing: chromium (the browser test of
# the serve example's page; Playwright drives it by its path) and espeak-ng (the spoken words of the audio example and the
# audio tests). Needs root or sudo and the distribution's package sources; does nothing when every command is there.
set -euo pipefail
missing=()
for package in chromium espeak-ng; do
  command -v "$package" > /dev/null 2>&1 || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" > /dev/null
command -v chromium espeak-ng
