#!/usr/bin/env bash
# Builds llama.cpp's own `llama-server` and `llama-bench` from the source llama-cpp-python
# vendors (the same llama.cpp commit Hearth links, with the same compiler flags), into a cache
# folder outside the checkout, for side-by-side benchmarks. Prints the server's path.
# Nothing of llama.cpp is committed; this only builds what pip downloads.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=0.3.36
FLAGS="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"   # as scripts/setup.sh, see there
OUT="${HEARTH_PEER_DIR:-$HOME/.cache/hearth/llama-server-$VERSION}"
if [ -x "$OUT/bin/llama-server" ] && [ -x "$OUT/bin/llama-bench" ]; then
    echo "$OUT/bin/llama-server"
    exit 0
fi
scripts/setup.sh >&2
.venv/bin/python -c 'import cmake' 2>/dev/null || .venv/bin/pip install --quiet cmake >&2
SRC=$(mktemp -d)
trap 'rm -rf "$SRC"' EXIT
.venv/bin/pip download --quiet --no-deps --no-binary llama-cpp-python -d "$SRC" "llama-cpp-python==$VERSION" >&2
tar xzf "$SRC"/llama_cpp_python-"$VERSION".tar.gz -C "$SRC"
echo "building llama-server $VERSION (about 10 minutes on 2 cores)" >&2
.venv/bin/cmake -S "$SRC/llama_cpp_python-$VERSION/vendor/llama.cpp" -B "$SRC/build" -DCMAKE_BUILD_TYPE=Release \
    -DLLAMA_BUILD_SERVER=ON -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DBUILD_SHARED_LIBS=OFF \
    -DCMAKE_C_FLAGS="$FLAGS" -DCMAKE_CXX_FLAGS="$FLAGS" >&2
.venv/bin/cmake --build "$SRC/build" --target llama-server llama-bench -j "$(nproc)" >&2
mkdir -p "$OUT/bin"
cp "$SRC/build/bin/llama-server" "$SRC/build/bin/llama-bench" "$OUT/bin/"
echo "$OUT/bin/llama-server"
