#!/usr/bin/env python3
"""`make soak`: 8 clients for 10 minutes against a real hearth, mixing well-formed requests
(chat and completions, streamed and not), streams the client drops mid-way, and bad requests.

Passes when: the server never crashed, every well-formed request that was read to its end got a
200 with a finish reason (none lost), every bad request got a 4xx, and the server's RSS at the
end is within 5% of its RSS after the first minute. Prints a report for docs/performance.md.

Usage: scripts/soak.py [--seconds 600] [--clients 8] [--binary .build/release/hearth]
"""
from __future__ import annotations

import argparse
import json
import random
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BAD = [
    (b'{"messages": [', "application/json"),
    (b'{"messages": []}', "application/json"),
    (b'{"messages": [{"role": "wizard", "content": "x"}]}', "application/json"),
    (b'{"messages": [{"role": "user", "content": "x"}], "temperature": 9}', "application/json"),
    (b'{"messages": [{"role": "user", "content": "x"}], "max_tokens": 2, "max_tokens": 3}', "application/json"),
    (b'{"prompt": "x"}', "text/plain"),
    (b"\xff\xfe\xfd", "application/json"),
    (b"[" * 5000, "application/json"),
]
TOPICS = ["a haiku about rain", "the capital of France", "a Python function that adds two numbers", "three colours",
          "why the sky is blue", "a limerick about a cat", "the number after 41", "a short greeting"]


def rss_kib(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Soak:
    def __init__(self, url: str, deadline: float, seed: int) -> None:
        self.url, self.deadline = url, deadline
        self.counts: Counter[str] = Counter()
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.random = random.Random(seed)

    def note(self, key: str, failure: str | None = None) -> None:
        with self.lock:
            self.counts[key] += 1
            if failure and len(self.failures) < 20:
                self.failures.append(failure)

    def client(self, index: int) -> None:
        rng = random.Random(index)
        while time.monotonic() < self.deadline:
            roll = rng.random()
            try:
                if roll < 0.15:
                    self.bad(rng)
                elif roll < 0.35:
                    self.dropped_stream(rng)
                else:
                    self.well_formed(rng)
            except requests.RequestException as error:
                self.note("lost", f"{type(error).__name__}: {error}")

    def well_formed(self, rng: random.Random) -> None:
        stream = rng.random() < 0.5
        if rng.random() < 0.7:
            path, body = "/v1/chat/completions", {"messages": [{"role": "user", "content": "Write " + rng.choice(TOPICS)}]}
        else:
            path, body = "/v1/completions", {"prompt": "Once upon a time, " + rng.choice(TOPICS)}
        body.update(max_tokens=rng.randint(8, 64), temperature=rng.choice([0, 0.7, 1.0]), stream=stream)
        reply = requests.post(self.url + path, json=body, stream=stream, timeout=300)
        if reply.status_code != 200:
            self.note("lost", f"{path} -> {reply.status_code} {reply.text[:200]}")
            return
        if not stream:
            finish = reply.json()["choices"][0]["finish_reason"]
        else:
            events = [line for line in reply.iter_lines() if line.startswith(b"data: ")]
            if events[-1] != b"data: [DONE]":
                self.note("lost", f"{path} stream ended without [DONE]")
                return
            finish = json.loads(events[-2][6:])["choices"][0]["finish_reason"]
        if finish not in ("stop", "length"):
            self.note("lost", f"{path} finished with {finish!r}")
            return
        self.note("well-formed answered")

    def dropped_stream(self, rng: random.Random) -> None:
        body = {"messages": [{"role": "user", "content": "Tell a long story about " + rng.choice(TOPICS)}],
                "max_tokens": 400, "stream": True}
        reply = requests.post(self.url + "/v1/chat/completions", json=body, stream=True, timeout=300)
        wanted = rng.randint(1, 20)
        for received, _ in enumerate(reply.iter_lines(), start=1):
            if received >= wanted:
                break
        reply.close()
        self.note("streams dropped mid-way")

    def bad(self, rng: random.Random) -> None:
        body, content_type = rng.choice(BAD)
        reply = requests.post(self.url + "/v1/chat/completions", data=body, headers={"Content-Type": content_type}, timeout=60)
        if 400 <= reply.status_code < 500 and set(reply.json()["error"]) == {"message", "type", "param", "code"}:
            self.note("bad requests refused")
        else:
            self.note("bad request mishandled", f"bad request -> {reply.status_code} {reply.text[:200]}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--binary", default=str(ROOT / ".build" / "release" / "hearth"))
    options = parser.parse_args()

    port = free_port()
    log = open(ROOT / ".build" / "hearth-soak.log", "wb")
    server = subprocess.Popen([options.binary, "--api-port", str(port), "--metrics"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(1200):
        try:
            if requests.get(url + "/health", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            time.sleep(0.1)
    started = time.monotonic()
    soak = Soak(url, started + options.seconds, seed=1)
    clients = [threading.Thread(target=soak.client, args=(index,)) for index in range(options.clients)]
    for client in clients:
        client.start()
    time.sleep(min(60, options.seconds / 10))
    first_minute = rss_kib(server.pid)
    for client in clients:
        client.join()
    alive = server.poll() is None
    end = rss_kib(server.pid) if alive else 0
    still_serves = alive and requests.get(url + "/health", timeout=5).status_code == 200
    server.terminate()
    exit_code = server.wait(timeout=60)

    growth = (end - first_minute) / first_minute * 100 if first_minute else float("nan")
    print(f"soak: {options.clients} clients, {options.seconds} s")
    for key in ("well-formed answered", "streams dropped mid-way", "bad requests refused", "lost", "bad request mishandled"):
        print(f"  {key}: {soak.counts[key]}")
    print(f"  crashes: {0 if alive else 1}; still serving at the end: {still_serves}; exit code on SIGTERM: {exit_code}")
    print(f"  RSS after the first minute: {first_minute / 1024:.0f} MiB; at the end: {end / 1024:.0f} MiB ({growth:+.1f}%)")
    for failure in soak.failures:
        print("  failure:", failure)
    passed = alive and still_serves and soak.counts["lost"] == 0 and soak.counts["bad request mishandled"] == 0 and abs(growth) <= 5
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
