#!/usr/bin/env bash
# Installs a built hearth under a prefix, relocatable (nothing in the tree names the prefix):
#   PREFIX/bin/hearth                    the server (its RUNPATH has $ORIGIN/../lib/hearth)
#   PREFIX/bin/ggml-rpc-server           llama.cpp's RPC worker, for --rpc (docs/scaling.md)
#   PREFIX/lib/hearth/                   llama.cpp's and whisper.cpp's libraries (their RUNPATH is $ORIGIN),
#                                        OpenBLAS and the encoders' glue, and Hearth's speech glue (flite and the encoders are Debian's)
#   PREFIX/share/hearth/                 the chat page (ui/), instruction templates, characters, presets, model
#                                        settings, the default model (hard-linked if it can) and
#                                        the Whisper models (models/whisper/)
# Usage: scripts/install.sh BINARY PREFIX   (make install PREFIX=… builds BINARY first)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$1
prefix=$2
lib=.deps/llama/lib

install -d "$prefix/bin" "$prefix/lib/hearth" "$prefix/share/hearth/models"
install -m 755 "$binary" "$prefix/bin/hearth"
install -m 755 .deps/llama/bin/ggml-rpc-server "$prefix/bin/ggml-rpc-server"
# The sonames hearth and the libraries need (readelf NEEDED), nothing else of the build.
for soname in libllama.so.0 libggml.so.0 libggml-base.so.0 libggml-cpu.so.0 libggml-rpc.so.0; do
    install -m 644 "$lib/$soname" "$prefix/lib/hearth/$soname"
done
for soname in libwhisper.so libhearth-audio.so; do
    install -m 644 ".deps/whisper/lib/$soname" "$prefix/lib/hearth/$soname"
done
# OpenBLAS (PyPI's self-contained build) and the sentence encoders' glue; their RUNPATH is $ORIGIN.
for soname in libhearth-encoder-ops.so libscipy_openblas.so; do
    install -m 644 ".deps/encoder/lib/$soname" "$prefix/lib/hearth/$soname"
done
# flite and the encoders stay Debian's (installed by scripts/setup_speech.sh); only the glue is ours.
install -m 644 .deps/speech/lib/libhearth-speech.so "$prefix/lib/hearth/libhearth-speech.so"
if [ -f "$lib/hearth-patches.txt" ]; then
    install -m 644 "$lib/hearth-patches.txt" "$prefix/lib/hearth/hearth-patches.txt"
fi
for folder in instruction-templates characters presets model-config ui; do
    rm -rf "$prefix/share/hearth/$folder"
    cp -R "$folder" "$prefix/share/hearth/$folder"
done
rm -f "$prefix/share/hearth/model-config/config-user.yaml"
for model in models/*.gguf; do
    [ -e "$model" ] || continue
    target="$prefix/share/hearth/models/$(basename "$model")"
    rm -f "$target"
    ln "$model" "$target" 2>/dev/null || cp "$model" "$target"
done
for model in ggml-base.bin ggml-tiny.en.bin; do
    [ -f "models/whisper/$model" ] || continue
    install -d "$prefix/share/hearth/models/whisper"
    target="$prefix/share/hearth/models/whisper/$model"
    rm -f "$target"
    ln "models/whisper/$model" "$target" 2>/dev/null || cp "models/whisper/$model" "$target"
done
echo "Installed $("$prefix/bin/hearth" --version) in $prefix"
