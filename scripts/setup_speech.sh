#!/usr/bin/env bash
# Speech synthesis for /v1/audio/speech: native/hearth_speech.c (Hearth's own) compiled into
# .deps/speech/lib/libhearth-speech.so against Debian's packages, installed with apt when missing:
# - flite 2.2 (CMU's synthesizer and its US English voices slt, rms, awb, kal16, kal; BSD-style),
# - LAME (mp3, LGPL-2.0, linked dynamically), libopusenc and libopus (Ogg Opus, BSD),
#   libFLAC (flac, BSD).
# All are compatible with Hearth's MIT licence. Called by scripts/setup.sh; idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=.deps/speech
log() { printf 'setup: %s\n' "$*"; }
scripts/apt_install.sh "for speech synthesis" flite1-dev libmp3lame-dev libopus-dev libopusenc-dev libflac-dev
BUILD_ID=$(cat "$0" native/hearth_speech.c native/hearth_speech.h | sha256sum | cut -c1-12)
if [ "$(cat "$PREFIX/build-id" 2>/dev/null)" = "$BUILD_ID" ]; then
    exit 0
fi
log "building Hearth's speech synthesis (flite, LAME, Opus, FLAC)"
rm -rf "$PREFIX.new" && mkdir -p "$PREFIX.new/lib" "$PREFIX.new/include"
cc -O2 -fPIC -shared -Inative -I/usr/include/opus native/hearth_speech.c \
    -lflite_cmu_us_slt -lflite_cmu_us_rms -lflite_cmu_us_awb -lflite_cmu_us_kal16 -lflite_cmu_us_kal \
    -lflite_usenglish -lflite_cmulex -lflite -lmp3lame -lopusenc -lopus -lFLAC -lm -lpthread \
    -Wl,--no-undefined -Wl,-soname,libhearth-speech.so -o "$PREFIX.new/lib/libhearth-speech.so"
cp native/hearth_speech.h "$PREFIX.new/include/"
echo "$BUILD_ID" > "$PREFIX.new/build-id"
rm -rf "$PREFIX" && mv "$PREFIX.new" "$PREFIX"
