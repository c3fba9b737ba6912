#!/usr/bin/env bash
# `make bench-peer`: the benchmark with llama.cpp's own `llama-server` beside Hearth: same
# llama.cpp commit and compiler flags (scripts/build-llama-server.sh), same model, threads,
# context per sequence, number of parallel sequences and flash attention (FLASH_ATTN: auto, the
# default of both, or on or off for both).
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER=$(scripts/build-llama-server.sh)
PORT=${PEER_PORT:-8765}
THREADS=$(nproc)
"$SERVER" --model models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf --host 127.0.0.1 --port "$PORT" \
    --ctx-size $((4096 * 4)) --parallel 4 --threads "$THREADS" --threads-batch "$THREADS" \
    --flash-attn "${FLASH_ATTN:-auto}" >.build/llama-server.log 2>&1 &
PEER=$!
trap 'kill $PEER 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$PORT/v1/models" >/dev/null && break
    kill -0 "$PEER" 2>/dev/null || { echo "llama-server exited; see .build/llama-server.log" >&2; exit 1; }
    sleep 0.2
done
.build/release/hearth-bench --against "http://127.0.0.1:$PORT" --against-name llama-server --flash-attn "${FLASH_ATTN:-auto}" "$@"
