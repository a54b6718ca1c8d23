#!/usr/bin/env bash
# The NuGet packages as users get them. Packs every library with a version unique to this run (so no stale cached package
# is used), then builds six fresh apps from that local feed, outside the repository's Directory.Build.* files:
#   training   - DiMml.MLNet.Cpu alone (ML.NET 5.0.1): trains, saves model.zip and the batched model.onnx
#   serving    - DiMml.Serving + Microsoft.ML.OnnxRuntime: scores that model (ML.NET and BulkScorer), no TorchSharp anywhere
#   http       - DiMml.AspNetCore + Microsoft.ML.OnnxRuntime: serves that model on localhost and checks the JSON answers
#   no-backend - DiMml.MLNet alone: training and loading fail with messages that name the packages to add
#   quickstart - DiMml.MLNet.Cpu + DiMml.Video on ML.NET 6.0.0: the README quickstart, then image, audio and video modalities,
#                with only 'using DiMml; using Microsoft.ML;'
#   fusion     - DiMml.Transforms + LightGBM: certainty-weighted fusion of two trainers; no libtorch or OpenCV file in its output
# and prints the size of each package, each app's output folder and its native libraries.
set -euo pipefail
cd "$(dirname "$0")/.."
version="0.0.0-ci.$(date +%s).$$"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -n "${KEEP_PACKAGE_TEST:-}" ] && trap - EXIT && echo "package test: keeping $work"

dotnet pack DiMml.MLNet.sln -c Release --no-build -o "$work/feed" -p:Version="$version" -v quiet
cat > "$work/NuGet.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local-ci-feed" value="$work/feed" />
  </packageSources>
</configuration>
XML
for nupkg in "$work"/feed/*.nupkg; do
  echo "package: $(basename "$nupkg" ".$version.nupkg") $(du -k "$nupkg" | cut -f1) KiB"
done

mkdir -p "$work/shared"
for app in training serving http no-backend quickstart fusion; do
  cp -r ".ci/package-consumers/$app" "$work/$app"
  (cd "$work/$app" && dotnet build -c Release -p:DiMmlVersion="$version" -v quiet -nologo -o out > build.log) \
    || { cat "$work/$app/build.log"; echo "package test: $app app did not build" >&2; exit 1; }
  echo "package test: $app app output folder $(du -sm "$work/$app/out" | cut -f1) MiB, $(find "$work/$app/out" -type f | wc -l) files;" \
    "native: $(find "$work/$app/out" -name '*.so' -printf '%f\n' | sort -u | tr '\n' ' ')"
  if [ "$app" = fusion ] && find "$work/$app/out" -iname '*torch*' -o -iname '*opencv*' | grep -q .; then
    find "$work/$app/out" -iname '*torch*' -o -iname '*opencv*'
    echo "package test: the fusion app's output holds libtorch or OpenCV files" >&2
    exit 1
  fi
  # TorchSharp prints its native-library search to stdout when it fails (the no-backend app): show the apps' own lines only
  dotnet "$work/$app/out/Consumer.dll" "$work/shared" > "$work/$app/run.log" 2>&1 \
    || { cat "$work/$app/run.log"; echo "package test: $app app failed" >&2; exit 1; }
  grep "consumer:" "$work/$app/run.log"
done
echo "package test: passed"
