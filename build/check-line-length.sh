#!/usr/bin/env bash
# Fails when a tracked C# line is longer than .editorconfig's max_line_length (140), naming each one.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=140
long=$(git ls-files '*.cs' | xargs awk -v limit="$limit" 'length > limit { print FILENAME ":" FNR ": " length " characters" }')
if [ -n "$long" ]; then
  echo "Lines over $limit characters (wrap them):" >&2
  echo "$long" >&2
  exit 1
fi
