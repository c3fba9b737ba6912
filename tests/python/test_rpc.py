"""One model across machines (issue 29): `--rpc` places the model's layers on llama.cpp's
`ggml-rpc-server` workers. Refusals need nothing; the split needs root: two network namespaces
joined to this one by veth pairs shaped to 1 Gbit/s (`tc … tbf`), a worker in each. The split
model answers exactly as the model alone computed with the same kernels (`--no-repack`); a worker killed mid-stream ends that stream with an
error event naming it (no hang, the server keeps serving), `/health` says so, and the model comes
back by itself once the worker does."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
import requests

from conftest import ROOT, free_port
from test_cluster_hosts import Hosts
from test_lifecycle import BINARY, start, wait_until_serving

WORKER = str(ROOT / ".deps" / "llama" / "bin" / "ggml-rpc-server")
QUESTION = {"model": "x", "messages": [{"role": "user", "content": "Name three rivers of Europe, with one fact about each."}],
            "max_tokens": 40, "temperature": 0}


def refusal(*flags: str) -> str:
    """The usage error hearth stops with: it must exit at once, before any model loads."""
    finished = subprocess.run([BINARY, "--api-port", str(free_port()), *flags], capture_output=True, text=True, timeout=60)
    assert finished.returncode != 0, finished.stderr
    return finished.stderr


def test_workers_that_cannot_be_used_are_refused_at_start() -> None:
    assert "public address 8.8.8.8" in refusal("--rpc", "8.8.8.8:50052")
    assert "--rpc-allow-public" in refusal("--rpc", "127.0.0.1:50052,8.8.8.8:50052")
    assert "is not HOST:PORT" in refusal("--rpc", "10.0.0.1")
    assert "named twice" in refusal("--rpc", "10.0.0.1:50052,10.0.0.1:50052")
    assert "2 shares for 1 RPC workers" in refusal("--rpc", "10.0.0.1:50052", "--tensor-split", "1,1")
    assert "non-negative numbers" in refusal("--rpc", "10.0.0.1:50052", "--tensor-split", "0,-1")
    # A worker that is not there: hearth says which, and why, instead of llama.cpp aborting.
    nobody = free_port()
    assert f"the RPC worker 127.0.0.1:{nobody} cannot be used" in refusal("--rpc", f"127.0.0.1:{nobody}")


def wait_for_port(host: str, port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {host}:{port}")


def answer(url: str) -> str:
    response = requests.post(url + "/v1/chat/completions", json=QUESTION, timeout=300)
    assert response.status_code == 200, response.text
    return response.json()["choices"][0]["message"]["content"]


@pytest.mark.skipif(shutil.which("ip") is None or shutil.which("tc") is None or os.geteuid() != 0,
                    reason="needs root, ip and tc (network namespaces)")
def test_a_model_split_over_two_workers_answers_as_alone_and_outlives_a_lost_worker() -> None:
    # Workers compute with ggml's generic kernels (they cannot repack weights); so does the model
    # alone with --no-repack, and then the two must agree token for token.
    alone, url = start("--parallel", "1", "--threads", "1", "--no-repack", log="rpc-alone.log")
    try:
        assert wait_until_serving(alone, url, seconds=120)
        expected = answer(url)
    finally:
        alone.terminate()
        alone.wait(timeout=30)

    hosts = Hosts(2, tag=f"r{os.getpid() % 10000}", subnet=214, rate="1gbit")
    workers: dict[int, subprocess.Popen] = {}
    server = None

    def run_worker(i: int) -> None:
        workers[i] = hosts.run(i, WORKER, "--host", hosts.address(i), "--port", "50052", "--threads", "1",
                               log=f"rpc-worker{i}.log")
        wait_for_port(hosts.address(i), 50052)

    try:
        for i in (1, 2):
            run_worker(i)
        endpoints = ",".join(f"{hosts.address(i)}:50052" for i in (1, 2))
        server, url = start("--parallel", "1", "--threads", "1", "--rpc", endpoints, log="rpc-split.log")
        assert wait_until_serving(server, url, seconds=300), "hearth with --rpc exited; see .build/rpc-split.log"
        log = (ROOT / ".build" / "rpc-split.log").read_text()
        assert "Model layers on llama.cpp RPC workers" in log and "no authentication" in log
        assert answer(url) == expected

        # Worker 2 dies while a reply streams through it: the stream ends with an error event
        # that names it, within seconds.
        stream = requests.post(url + "/v1/chat/completions", stream=True, timeout=60,
                               json={**QUESTION, "max_tokens": 400, "ban_eos_token": True, "stream": True})
        assert stream.status_code == 200
        events, started = [], time.monotonic()
        for line in stream.iter_lines():
            if not line.startswith(b"data: "):
                continue
            events.append(line[6:].decode())
            if len(events) == 3:
                workers[2].send_signal(signal.SIGKILL)
        assert time.monotonic() - started < 60
        failures = [json.loads(event) for event in events if event != "[DONE]" and "error" in json.loads(event)]
        assert failures and failures[0]["error"]["code"] == "rpc_worker_lost", events[-3:]
        assert hosts.address(2) in failures[0]["error"]["message"]

        # The server keeps serving: health names the worker; a request is a clear 503.
        health = requests.get(url + "/health", timeout=10)
        assert health.status_code == 503 and hosts.address(2) in health.json()["message"], health.text
        refused = requests.post(url + "/v1/chat/completions", json=QUESTION, timeout=60)
        assert refused.status_code == 503 and refused.json()["error"]["code"] == "rpc_worker_unreachable", refused.text
        assert refused.headers.get("Retry-After")

        # The worker comes back: health is ok again and the next request loads the model anew.
        workers[2].wait(timeout=30)
        run_worker(2)
        assert requests.get(url + "/health", timeout=10).status_code == 200
        assert answer(url) == expected
    finally:
        if server is not None:
            server.kill()
            server.wait(timeout=30)
        for worker in workers.values():
            worker.kill()
            worker.wait(timeout=30)
        hosts.remove()
