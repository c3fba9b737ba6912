#!/usr/bin/env bash
# Builds llama.cpp's own `llama-server`, `llama-bench`, `llama-batched-bench` and
# `test-backend-ops` from the source llama-cpp-python vendors (the same llama.cpp commit Hearth
# links, with the same compiler flags), into a cache folder outside the checkout, for
# side-by-side benchmarks. Prints the server's path. Nothing of llama.cpp is committed; this
# only builds what pip downloads.
#
# By default the build is llama.cpp as published: the peer Hearth is compared with. With
# HEARTH_PEER_PATCHED=1 Hearth's own patches (patches/llama.cpp/, and the pending ones in
# patches/llama.cpp/pending/ that the library Hearth links does not carry yet) are applied
# first: the folder name carries their hash. That build also has ggml's RPC backend, its worker
# and the RPC tests (`make test-patches` runs them against the patched ggml-rpc).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=0.3.36
FLAGS="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"   # as scripts/setup.sh, see there
PATCHES=""
SUFFIX=""
if [ "${HEARTH_PEER_PATCHED:-0}" = 1 ]; then
    # pending patches too: this build is where they are measured and tested
    PATCHES=$(find patches/llama.cpp -name '*.patch' | LC_ALL=C sort)
    SUFFIX=-patched-$(for patch in $PATCHES; do basename "$patch"; cat "$patch"; done | sha256sum | cut -c1-12)
fi
OUT="${HEARTH_PEER_DIR:-$HOME/.cache/hearth/llama-server-$VERSION$SUFFIX}"
TOOLS="llama-server llama-bench llama-batched-bench test-backend-ops"
OPTIONS=""
if [ -n "$PATCHES" ]; then
    TOOLS="$TOOLS ggml-rpc-server test-rpc-multi-server test-rpc-lost-server"
    OPTIONS="-DGGML_RPC=ON"
fi
ready=1
for tool in $TOOLS; do [ -x "$OUT/bin/$tool" ] || ready=0; done
if [ "$ready" = 1 ]; then
    echo "$OUT/bin/llama-server"
    exit 0
fi
scripts/setup.sh >&2
.venv/bin/python -c 'import cmake' 2>/dev/null || .venv/bin/pip install --quiet cmake >&2
SRC=$(mktemp -d)
trap 'rm -rf "$SRC"' EXIT
.venv/bin/pip download --quiet --no-deps --no-binary llama-cpp-python -d "$SRC" "llama-cpp-python==$VERSION" >&2
tar xzf "$SRC"/llama_cpp_python-"$VERSION".tar.gz -C "$SRC"
for patch in $PATCHES; do
    patch --quiet --forward -p1 -d "$SRC/llama_cpp_python-$VERSION/vendor/llama.cpp" < "$patch"
done
echo "building $TOOLS $VERSION${SUFFIX:+ ($SUFFIX)} (about 12 minutes on 2 cores)" >&2
.venv/bin/cmake -S "$SRC/llama_cpp_python-$VERSION/vendor/llama.cpp" -B "$SRC/build" -DCMAKE_BUILD_TYPE=Release \
    -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TESTS=ON -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DBUILD_SHARED_LIBS=OFF \
    -DCMAKE_C_FLAGS="$FLAGS" -DCMAKE_CXX_FLAGS="$FLAGS" $OPTIONS >&2
# shellcheck disable=SC2086
.venv/bin/cmake --build "$SRC/build" --target $TOOLS -j "$(nproc)" >&2
mkdir -p "$OUT/bin"
for tool in $TOOLS; do cp "$SRC/build/bin/$tool" "$OUT/bin/"; done
# The RPC tests' drivers (they start the workers), beside the binaries.
[ -z "$PATCHES" ] || cp "$SRC/llama_cpp_python-$VERSION/vendor/llama.cpp/tests/"test-rpc-*.sh "$OUT/bin/"
echo "$OUT/bin/llama-server"
