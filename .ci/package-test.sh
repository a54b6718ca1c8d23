#!/usr/bin/env bash
# Packs DiMml.Torch + DiMml.MLNet with a version unique to this run (so no stale cached package is used),
# then builds and runs a fresh console app that only references DiMml.MLNet from that local feed.
set -euo pipefail
cd "$(dirname "$0")/.."
version="0.0.0-ci.$(date +%s).$$"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet pack DiMml.MLNet.sln -c Release --no-build -o "$work/feed" -p:Version="$version" -v quiet
cp .ci/package-consumer/PackageConsumer.csproj .ci/package-consumer/Program.cs "$work/"
cat > "$work/NuGet.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local-ci-feed" value="$work/feed" />
  </packageSources>
</configuration>
XML
cd "$work"
dotnet run -c Release -p:DiMmlVersion="$version"
