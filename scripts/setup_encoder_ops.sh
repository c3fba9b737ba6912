#!/usr/bin/env bash
# The sentence encoders' float32 matrix products on OpenBLAS and their GELU (native/hearth_encoder_ops.c,
# issue 28), compiled for this CPU as ggml is (and without AMX, as scripts/setup.sh says why):
# OpenBLAS from PyPI's scipy-openblas32 (the build NumPy and SciPy ship: self-contained, one
# library for every x86-64 CPU with its kernel chosen at run time, symbols prefixed `scipy_`,
# BSD-3), pinned, unpacked into .deps/encoder/, and Hearth's glue compiled against it and ggml into
# .deps/encoder/lib/libhearth-encoder-ops.so. llama.cpp itself is not built with BLAS (see the header).
# Measured against Debian's OpenBLAS 0.3.21 and BLIS 0.9 on the encoders' shapes: all three
# reach the same ~200 GFLOP/s on 2 cores here (docs/performance.md); the PyPI build is pinned
# and the same on every machine. Called by scripts/setup.sh after llama.cpp; idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=0.3.34.481.3
PREFIX=.deps/encoder
log() { printf 'setup: %s\n' "$*"; }
BUILD_ID=$( (echo "$VERSION"; cat "$0" native/hearth_encoder_ops.c native/hearth_encoder_ops.h .deps/llama/build-id) | sha256sum | cut -c1-12)
if [ "$(cat "$PREFIX/build-id" 2>/dev/null)" = "$BUILD_ID" ]; then
    exit 0
fi
log "building the encoders' BLAS glue (scipy-openblas32==$VERSION)"
WHEEL=$(mktemp -d)
trap 'rm -rf "$WHEEL"' EXIT
.venv/bin/pip download --quiet --no-deps --only-binary :all: -d "$WHEEL" "scipy-openblas32==$VERSION"
(cd "$WHEEL" && python3 -m zipfile -e scipy_openblas32-*.whl unpacked)
rm -rf "$PREFIX.new" && mkdir -p "$PREFIX.new/lib" "$PREFIX.new/include/scipy_openblas32"
cp "$WHEEL/unpacked/scipy_openblas32/lib/libscipy_openblas.so" "$PREFIX.new/lib/"
cp "$WHEEL"/unpacked/scipy_openblas32/include/*.h "$PREFIX.new/include/scipy_openblas32/"
cp native/hearth_encoder_ops.h "$PREFIX.new/include/"
cc -O3 -march=native -mno-amx-tile -mno-amx-int8 -mno-amx-bf16 -fPIC -shared -Wall -Inative -I"$PREFIX.new/include" -I.deps/llama/include native/hearth_encoder_ops.c \
    -L"$PREFIX.new/lib" -lscipy_openblas -L.deps/llama/lib -lggml-base -lm -lpthread \
    -Wl,--no-undefined -Wl,-rpath,'$ORIGIN' -Wl,-rpath,'$ORIGIN/../../llama/lib' -Wl,-soname,libhearth-encoder-ops.so -o "$PREFIX.new/lib/libhearth-encoder-ops.so"
echo "$BUILD_ID" > "$PREFIX.new/build-id"
rm -rf "$PREFIX" && mv "$PREFIX.new" "$PREFIX"
