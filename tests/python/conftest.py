"""Starts the real `hearth` binary on a free port for the compatibility tests.

The binary is the one `make test` just built (HEARTH_BIN overrides it); it serves the real
default model. Tests reach it as any client would, over HTTP.
"""
from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
MODEL_ID = "qwen2.5-coder-0.5b-instruct-q4_k_m"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def base_url() -> str:
    binary = os.environ.get("HEARTH_BIN", str(ROOT / ".build" / "debug" / "hearth"))
    port = free_port()
    log = open(ROOT / ".build" / "hearth-pytest.log", "wb")
    process = subprocess.Popen(
        [binary, "--api-port", str(port), "--ctx-size", "2048", "--parallel", "2"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"hearth exited with {process.returncode}; see .build/hearth-pytest.log")
        try:
            if requests.get(url + "/v1/models", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("hearth did not start within 120 s")
        time.sleep(0.1)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


# Every byte the tests send over plain sockets, so that test_zz_privacy.py can look for each
# prompt in what the servers logged (TLS traffic is encrypted and not looked at).
SENT: list[bytes] = []
SESSION_STARTED = time.time()


@pytest.fixture(scope="session", autouse=True)
def record_sent_bytes():
    original_send, original_sendall = socket.socket.send, socket.socket.sendall

    def send(self, data, *args):
        SENT.append(bytes(data[:1 << 16]))
        return original_send(self, data, *args)

    def sendall(self, data, *args):
        SENT.append(bytes(data[:1 << 16]))
        return original_sendall(self, data, *args)

    socket.socket.send, socket.socket.sendall = send, sendall
    yield
    socket.socket.send, socket.socket.sendall = original_send, original_sendall
