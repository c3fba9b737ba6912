#!/usr/bin/env python3
"""One model across machines, measured (issue 29; part of `make bench-cluster`): the default
model split over two llama.cpp `ggml-rpc-server` workers (one thread each) against the model
alone on this machine (one thread, and two; and one thread with the workers' kernels,
`--no-repack`, which shows what the network itself costs), side by side, alternating, in one run.

As root, each worker runs in a network namespace of its own, its veth link shaped by a token
bucket to `--rate` both ways (a LAN); otherwise on loopback, unshaped (the table says which).
Each measurement streams one reply to a prompt of its own (nothing cached): prompt tokens/s is
the prompt's tokens over the time to the first token; decode tokens/s is the rest of the reply
over the time after it."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "python"))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_cluster import document, free_port, wait_healthy  # noqa: E402
from test_cluster_hosts import Hosts  # noqa: E402

WORKER = str(ROOT / ".deps" / "llama" / "bin" / "ggml-rpc-server")


def measure(url: str, seed: int, tokens: int) -> tuple[float, float]:
    """Prompt and decode tokens/s of one streamed reply."""
    body = {"model": "x", "stream": True, "max_tokens": tokens, "temperature": 0, "ban_eos_token": True,
            "stream_options": {"include_usage": True},
            "messages": [{"role": "user", "content": document(seed, 300) + "\nSummarise this."}]}
    started = time.monotonic()
    first, usage = None, None
    with requests.post(url + "/v1/chat/completions", json=body, stream=True, timeout=600) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith(b"data: ") or line == b"data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if first is None and chunk.get("choices") and chunk["choices"][0]["delta"].get("content"):
                first = time.monotonic()
            usage = chunk.get("usage") or usage
    ended = time.monotonic()
    return usage["prompt_tokens"] / (first - started), (usage["completion_tokens"] - 1) / (ended - first)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / ".build" / "release" / "hearth"))
    parser.add_argument("--rate", default="1gbit", help="each worker's link, both ways (tc's units)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=96)
    args = parser.parse_args()

    shaped = os.geteuid() == 0
    hosts = Hosts(2, tag=f"b{os.getpid() % 10000}", subnet=215, rate=args.rate) if shaped else None
    address = (lambda i: hosts.address(i)) if hosts else (lambda i: "127.0.0.1")
    ports = {1: 50052, 2: 50052} if hosts else {1: free_port(), 2: free_port()}
    processes: list[subprocess.Popen] = []
    try:
        for i in (1, 2):
            command = [WORKER, "--host", address(i), "--port", str(ports[i]), "--threads", "1"]
            if hosts:
                processes.append(hosts.run(i, *command, log=f"bench-rpc-worker{i}.log"))
            else:
                processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        endpoints = ",".join(f"{address(i)}:{ports[i]}" for i in (1, 2))
        setups = {
            "alone, 1 thread": ["--threads", "1"],
            "alone, 1 thread, --no-repack": ["--threads", "1", "--no-repack"],
            "alone, 2 threads": ["--threads", "2"],
            "2 RPC workers × 1 thread": ["--threads", "1", "--rpc", endpoints],
        }
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in setups}
        seed = 1000
        for round_ in range(args.rounds):
            for name, flags in setups.items():
                port = free_port()
                started = time.monotonic()
                server = subprocess.Popen([args.binary, "--api-port", str(port), "--parallel", "1", "--ctx-size", "2048",
                                           "--spec-max", "0", *flags], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                try:
                    url = f"http://127.0.0.1:{port}"
                    wait_healthy(url, server, seconds=600)
                    load_seconds = time.monotonic() - started
                    measure(url, seed, 8)  # warm-up
                    seed += 1
                    results[name].append(measure(url, seed, args.tokens))
                    seed += 1
                    print(f"round {round_ + 1} {name}: prompt {results[name][-1][0]:.1f} tok/s, "
                          f"decode {results[name][-1][1]:.1f} tok/s, start {load_seconds:.1f} s", file=sys.stderr)
                finally:
                    server.terminate()
                    server.wait(timeout=60)
        link = f"veth shaped to {args.rate} both ways (tc tbf), one network namespace per worker" if hosts else "loopback, unshaped"
        print(f"\nDefault model, {args.tokens}-token replies to ~400-token prompts, best of {args.rounds} (median in brackets); "
              f"workers' link: {link}.\n")
        print("| placement | prompt tok/s | decode tok/s | decode vs alone, 1 thread |")
        print("|---|---|---|---|")
        base = max(decode for _, decode in results["alone, 1 thread"])
        for name, runs in results.items():
            prompt = [p for p, _ in runs]
            decode = [d for _, d in runs]
            print(f"| {name} | {max(prompt):.1f} ({statistics.median(prompt):.1f}) | {max(decode):.1f} "
                  f"({statistics.median(decode):.1f}) | {max(decode) / base:.2f}x |")
    finally:
        for process in processes:
            process.kill()
            process.wait(timeout=30)
        if hosts:
            hosts.remove()


if __name__ == "__main__":
    main()
