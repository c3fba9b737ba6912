#!/usr/bin/env bash
# Builds whisper.cpp's own `whisper-cli` from the same source and against the same libwhisper.so
# and ggml that Hearth links (scripts/setup_whisper.sh), into a cache folder outside the
# checkout, for the transcription figures of `make bench`. Prints its path. Nothing of
# whisper.cpp is committed; this only builds what PyPI serves.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${HEARTH_WHISPER_CLI_DIR:-$HOME/.cache/hearth/whisper-cli-1.8.5}"
WHISPER=$(cd .deps/whisper && pwd -P)
LLAMA=$(cd .deps/llama/lib && pwd -P)
STAMP="$WHISPER $(cat .deps/whisper/build-id)"
if [ -x "$OUT/whisper-cli" ] && [ "$(cat "$OUT/build-id" 2>/dev/null)" = "$STAMP" ]; then
    echo "$OUT/whisper-cli"
    exit 0
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SOURCE=$(scripts/whisper_sdist.sh "$WORK")
echo "building whisper-cli 1.8.5 against Hearth's libwhisper.so (about 40 seconds)" >&2
mkdir -p "$OUT"
c++ -O3 -std=c++17 -DWHISPER_VERSION='"1.8.5"' -I"$SOURCE/include" -I"$SOURCE/examples" -I"$WHISPER/include" \
    "$SOURCE/examples/cli/cli.cpp" "$SOURCE/examples/common.cpp" "$SOURCE/examples/common-whisper.cpp" "$SOURCE/examples/grammar-parser.cpp" \
    -L"$WHISPER/lib" -L"$LLAMA" -lwhisper -lggml -lggml-base -lggml-cpu -lpthread \
    -Wl,-rpath,"$WHISPER/lib" -Wl,-rpath,"$LLAMA" -o "$OUT/whisper-cli"
echo "$STAMP" > "$OUT/build-id"
echo "$OUT/whisper-cli"
