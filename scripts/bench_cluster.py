#!/usr/bin/env python3
"""`make bench-cluster` (issue 29): one replica with all the cores against replicas sharing them
behind HAProxy (deploy/haproxy/hearth.cfg as scripts/cluster.sh writes it), with conversation
affinity and with round robin, under the same multi-turn chat load; and HAProxy's own added
latency against calling a replica directly.

Load: CLIENTS clients, each holding CONVERSATIONS conversations of TURNS turns (the turns of a
conversation in order, the client's conversations interleaved); every replica has 8 slots
(`--parallel 8`), so one replica alone can keep 8 conversations' KV, each beginning with a ~250-word text of its own after a short system
prompt they share, greedy, 32 new tokens a turn, streamed with usage. Figures: completion tokens per second over the run, time to
first token (median, p95), and the prompt-cache hit rate (cached prompt tokens over prompt tokens
on turns after the first, from each reply's usage).

Usage: scripts/bench_cluster.py [--binary .build/release/hearth] [--replicas 2] [--clients 8]
       [--conversations 1] [--turns 5]
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
SYSTEM = "You are a careful assistant for a small software company. Answer briefly."
QUESTIONS = ["Name a colour.", "Name an animal.", "Name a city.", "Name a fruit.", "Name a tool.", "Name a river."]
WORDS = ("river mountain city music science history garden kitchen window engine market winter summer library painter "
         "teacher vector search document query answer model server local private fast token").split()


def document(seed: int, words: int = 250) -> str:
    """A text of its own for each conversation (what makes its history worth keeping)."""
    state = seed * 2654435761 % 2**32
    out = []
    for _ in range(words):
        state = (state * 1103515245 + 12345) % 2**31
        out.append(WORDS[state % len(WORDS)])
    return " ".join(out)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_ports_after(count: int) -> int:
    """A port P such that P+1 … P+count are free (the replicas' ports, as scripts/cluster.sh numbers them)."""
    while True:
        base = free_port()
        try:
            for port in range(base + 1, base + count + 1):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue


def wait_healthy(url: str, process: subprocess.Popen | None = None, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            if requests.get(url + "/health", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not become healthy")


class Layout:
    """Replicas (and HAProxy in front of more than one), stopped by `stop`."""

    def __init__(self, binary: str, replicas: int, threads: int, balance: str, folder: Path) -> None:
        self.processes: list[subprocess.Popen] = []
        base = free_ports_after(replicas)
        for i in range(1, replicas + 1):
            port = base + i
            self.processes.append(subprocess.Popen(
                [binary, "--api-port", str(port), "--threads", str(threads), "--parallel", "8", "--ctx-size", "2048",
                 "--replica-name", f"r{i}", "--flash-attn", "on"],
                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(folder / f"r{i}.log", "wb")))
        self.direct = f"http://127.0.0.1:{base + 1}"
        for i in range(1, replicas + 1):
            try:
                wait_healthy(f"http://127.0.0.1:{base + i}", self.processes[i - 1])
            except RuntimeError:
                print((folder / f"r{i}.log").read_text()[-2000:], file=sys.stderr)
                raise
        self.url = self.direct
        if replicas > 1:
            config = subprocess.run(["scripts/cluster.sh", "config", str(replicas), str(base)], cwd=ROOT, check=True,
                                    capture_output=True, text=True).stdout
            if balance == "roundrobin":
                config = config.replace("balance hash var(txn.key)", "balance roundrobin")
            (folder / f"haproxy-{balance}.cfg").write_text(config)
            port = free_port()
            self.processes.append(subprocess.Popen(["haproxy", "-db", "-f", str(folder / f"haproxy-{balance}.cfg")],
                                                   env={**os.environ, "HEARTH_CLUSTER_BIND": f"127.0.0.1:{port}"},
                                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            self.url = f"http://127.0.0.1:{port}"
            wait_healthy(self.url)
            time.sleep(2.5)  # every replica checked up

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def turn(url: str, messages: list[dict], key: str) -> dict:
    started = time.monotonic()
    body = {"model": "x", "messages": messages, "max_tokens": 32, "temperature": 0, "stream": True,
            "stream_options": {"include_usage": True}}
    response = requests.post(url + "/v1/chat/completions", json=body, headers={"X-Session-Id": key}, stream=True, timeout=600)
    response.raise_for_status()
    first, text, usage = None, "", None
    for line in response.iter_lines():
        if not line.startswith(b"data: {"):
            continue
        chunk = json.loads(line[6:])
        if chunk.get("usage"):
            usage = chunk["usage"]
        for choice in chunk.get("choices", []):
            piece = choice.get("delta", {}).get("content")
            if piece:
                first = first or time.monotonic()
                text += piece
    return {"ttft": (first or time.monotonic()) - started, "text": text, "usage": usage,
            "replica": response.headers.get("X-Hearth-Replica")}


def run_load(url: str, clients: int, conversations: int, turns: int, tag: str) -> dict:
    results: list[dict] = []
    lock = threading.Lock()

    def client(c: int) -> None:
        chats = [[{"role": "system", "content": SYSTEM},
                  {"role": "user", "content": f"Read this: {document(c * 100 + k)}\n\n{QUESTIONS[(c + k) % len(QUESTIONS)]}"}]
                 for k in range(conversations)]
        for t in range(turns):
            for k, messages in enumerate(chats):
                result = turn(url, messages, f"{tag}-{c}-{k}")
                result["turn"], result["conversation"] = t, f"{c}-{k}"
                with lock:
                    results.append(result)
                messages += [{"role": "assistant", "content": result["text"]},
                             {"role": "user", "content": f"And another, please ({t})."}]

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    later = [r for r in results if r["turn"] > 0]
    prompt = sum(r["usage"]["prompt_tokens"] for r in later)
    cached = sum(r["usage"].get("prompt_tokens_details", {}).get("cached_tokens", 0) for r in later)
    ttfts = sorted(r["ttft"] for r in results)
    replicas_per_conversation = {}
    for r in results:
        replicas_per_conversation.setdefault(r["conversation"], set()).add(r["replica"])
    return {
        "tokens_per_second": sum(r["usage"]["completion_tokens"] for r in results) / elapsed,
        "ttft_p50_ms": statistics.median(ttfts) * 1000,
        "ttft_p95_ms": ttfts[int(0.95 * (len(ttfts) - 1))] * 1000,
        "cache_hit_rate": cached / max(prompt, 1),
        "conversations_on_one_replica": sum(1 for s in replicas_per_conversation.values() if len(s) == 1) / len(replicas_per_conversation),
        "requests": len(results),
        "seconds": elapsed,
    }


def latency(url: str, count: int = 300) -> tuple[float, float]:
    session = requests.Session()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        session.get(url + "/v1/models", timeout=10).raise_for_status()
        times.append(time.perf_counter() - started)
    times.sort()
    return times[len(times) // 2] * 1000, times[int(0.99 * (len(times) - 1))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / ".build" / "release" / "hearth"))
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--conversations", type=int, default=1)
    parser.add_argument("--turns", type=int, default=5)
    args = parser.parse_args()
    cores = os.cpu_count() or 2
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        layouts = [("1 replica x %d threads, direct" % cores, 1, cores, "hash"),
                   ("%d replicas x %d thread(s), HAProxy, affinity" % (args.replicas, max(1, cores // args.replicas)), args.replicas, max(1, cores // args.replicas), "hash"),
                   ("%d replicas x %d thread(s), HAProxy, round robin" % (args.replicas, max(1, cores // args.replicas)), args.replicas, max(1, cores // args.replicas), "roundrobin")]
        overhead = None
        for name, replicas, threads, balance in layouts:
            layout = Layout(args.binary, replicas, threads, balance, Path(folder))
            try:
                figures = run_load(layout.url, args.clients, args.conversations, args.turns, tag=f"{balance}{replicas}")
                rows.append((name, figures))
                print(name, json.dumps({k: round(v, 3) for k, v in figures.items()}), file=sys.stderr, flush=True)
                if replicas > 1 and balance == "hash":
                    latency(layout.url, 30)
                    through, direct = [], []
                    for _ in range(3):  # alternating rounds
                        through.append(latency(layout.url))
                        direct.append(latency(layout.direct))
                    overhead = (statistics.median(t[0] for t in through), statistics.median(t[1] for t in through),
                                statistics.median(d[0] for d in direct), statistics.median(d[1] for d in direct))
            finally:
                layout.stop()
    print(f"\n{args.clients} clients x {args.conversations} conversations x {args.turns} turns, 32 new tokens a turn, greedy, "
          f"each conversation opening with a ~250-word text of its own; {cores} cores\n")
    print("| layout | completion tok/s | TTFT p50 ms | TTFT p95 ms | prompt-cache hit rate (turns 2+) | conversations on one replica |")
    print("|---|---|---|---|---|---|")
    for name, f in rows:
        print(f"| {name} | {f['tokens_per_second']:.1f} | {f['ttft_p50_ms']:.0f} | {f['ttft_p95_ms']:.0f} | "
              f"{f['cache_hit_rate'] * 100:.1f}% | {f['conversations_on_one_replica'] * 100:.0f}% |")
    if overhead:
        print(f"\nHAProxy's added latency (GET /v1/models, 300 requests a round, 3 alternating rounds, medians): "
              f"p50 {overhead[0]:.2f} ms through HAProxy against {overhead[2]:.2f} ms direct "
              f"(+{overhead[0] - overhead[2]:.2f}); p99 {overhead[1]:.2f} against {overhead[3]:.2f} (+{overhead[1] - overhead[3]:.2f})")
    if len(rows) == 3:
        alone, affinity, robin = (f["cache_hit_rate"] for _, f in rows)
        print(f"\nAffinity keeps {affinity / max(alone, 1e-9) * 100:.0f}% of one replica's hit rate (target >= 90%); "
              f"round robin {robin / max(alone, 1e-9) * 100:.0f}%.")


if __name__ == "__main__":
    main()
