#!/usr/bin/env bash
# `make bench-peer`: the benchmark with llama-cpp-python's own OpenAI server beside Hearth, same
# model, same llama.cpp build, same threads and context per request.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
if ! .venv/bin/python -c 'import llama_cpp.server' 2>/dev/null; then
    .venv/bin/pip install --quiet "llama-cpp-python[server]==0.3.36"
fi
PORT=${PEER_PORT:-8765}
THREADS=$(nproc)
.venv/bin/python -m llama_cpp.server --model models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf \
    --host 127.0.0.1 --port "$PORT" --n_ctx 4096 --n_threads "$THREADS" --n_threads_batch "$THREADS" \
    >.build/llama-cpp-python-server.log 2>&1 &
PEER=$!
trap 'kill $PEER 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$PORT/v1/models" >/dev/null && break
    kill -0 "$PEER" 2>/dev/null || { echo "llama-cpp-python's server exited; see .build/llama-cpp-python-server.log" >&2; exit 1; }
    sleep 0.2
done
.build/release/hearth-bench --against "http://127.0.0.1:$PORT" --against-name llama-cpp-python "$@"
