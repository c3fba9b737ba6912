"""Hostile input: each gets a 4xx or a closed connection, and other clients keep their service."""
from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time

import pytest
import requests

from test_lifecycle import start, wait_until_serving

CHAT = "/v1/chat/completions"


def post(base_url: str, body: bytes, content_type: str = "application/json", path: str = CHAT) -> requests.Response:
    return requests.post(base_url + path, data=body, headers={"Content-Type": content_type}, timeout=60)


def still_serves(base_url: str) -> None:
    reply = requests.post(base_url + "/v1/completions", json={"prompt": "1, 2, 3,", "max_tokens": 2}, timeout=60)
    assert reply.status_code == 200, reply.text


def message(text: str) -> bytes:
    return json.dumps({"messages": [{"role": "user", "content": text}], "max_tokens": 2}).encode()


@pytest.mark.parametrize(
    "name, body, content_type, status, says",
    [
        ("invalid UTF-8", b'{"messages": [{"role": "user", "content": "\xff\xfe"}]}', "application/json", 400, "invalid UTF-8"),
        ("nested 10,000 deep", b"[" * 10_000 + b"]" * 10_000, "application/json", 400, "nested deeper"),
        ("1e400", b'{"messages": [{"role": "user", "content": "hi"}], "temperature": 1e400}', "application/json", 400, ""),
        ("a duplicate key", b'{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2, "max_tokens": 9}',
         "application/json", 400, 'key "max_tokens" appears twice'),
        ("text/plain", message("hi"), "text/plain", 415, "Content-Type"),
        ("form data", b"messages=hi", "application/x-www-form-urlencoded", 415, "Content-Type"),
        ("a JSON array", b"[1, 2]", "application/json", 400, "JSON object"),
        ("a number", b"42", "application/json", 400, "JSON object"),
        ("an empty body", b"", "application/json", 400, ""),
    ],
)
def test_a_hostile_body_is_a_4xx_naming_the_problem(base_url: str, name, body, content_type, status, says) -> None:
    reply = post(base_url, body, content_type)
    assert reply.status_code == status, (name, reply.text)
    error = reply.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert says in error["message"], (name, error)
    still_serves(base_url)


def test_ten_megabytes_of_text_are_refused_without_tokenizing(base_url: str) -> None:
    started = time.monotonic()
    reply = post(base_url, message("word " * 2_000_000))
    assert reply.status_code == 400 and reply.json()["error"]["code"] == "context_length_exceeded"
    assert time.monotonic() - started < 10
    still_serves(base_url)


def test_a_body_over_the_limit_is_refused_before_it_is_sent(base_url: str) -> None:
    """A declared Content-Length over the limit (16 MiB) gets 413 without the body being read;
    an `Expect: 100-continue` client never sends it."""
    port = int(base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(
            f"POST {CHAT} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {1 << 30}\r\nExpect: 100-continue\r\n\r\n".encode()
        )
        answer = connection.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    still_serves(base_url)


@pytest.mark.parametrize("flood", ["20,000 headers", "a 2 MB header", "a 100 kB request line"])
def test_header_floods_are_refused_and_the_server_goes_on(base_url: str, flood: str) -> None:
    port = int(base_url.rsplit(":", 1)[1])
    if flood == "20,000 headers":
        head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 50) for i in range(20_000))
    elif flood == "a 2 MB header":
        head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"v" * 2_000_000 + b"\r\n"
    else:
        head = b"GET /health?" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        try:
            connection.sendall(head + b"\r\n")
            answer = connection.recv(4096)
        except ConnectionResetError:
            answer = b""
    # A 4xx, or the connection closed: never a 200, never a 5xx.
    assert answer == b"" or answer.startswith(b"HTTP/1.1 4"), answer[:200]
    assert requests.get(base_url + "/health", timeout=5).status_code == 200


def test_thousands_of_idle_connections_cannot_exhaust_descriptors() -> None:
    """2,000 connections that send nothing: at most --max-connections are accepted (the rest wait
    in the kernel's queue), idle ones are closed after --idle-timeout, and a real client is
    served meanwhile."""
    process, url = start("--max-connections", "64", "--idle-timeout", "2", log="hearth-idle.log")
    port = int(url.rsplit(":", 1)[1])
    sockets: list[socket.socket] = []
    try:
        assert wait_until_serving(process, url)
        baseline = len(os.listdir(f"/proc/{process.pid}/fd"))
        for _ in range(2000):
            connection = socket.socket()
            connection.setblocking(False)
            connection.connect_ex(("127.0.0.1", port))
            sockets.append(connection)
        time.sleep(1)
        held = len(os.listdir(f"/proc/{process.pid}/fd")) - baseline
        assert held <= 64 + 8, f"{held} descriptors held by 2,000 idle connections"
        started = time.monotonic()
        assert requests.get(url + "/health", timeout=60).status_code == 200
        assert time.monotonic() - started < 60
        assert process.poll() is None
    finally:
        for connection in sockets:
            connection.close()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_sigterm_under_load_answers_every_non_streamed_request() -> None:
    """Running non-streamed requests are answered the moment SIGTERM arrives (a client was once
    left hanging for over 40 s), with a 503 that says the generation was cut (they once ended
    as a normal `stop`, which no client could tell from a whole reply); the process exits 0."""
    process, url = start("--parallel", "2", log="hearth-sigterm.log")
    try:
        assert wait_until_serving(process, url)
        answers: list[tuple[int, dict, float]] = []

        def ask() -> None:
            body = {"prompt": "Count: 1, 2, 3,", "max_tokens": 2000, "ban_eos_token": True}
            reply = requests.post(url + "/v1/completions", json=body, timeout=60)
            answers.append((reply.status_code, reply.json(), time.monotonic()))

        clients = [threading.Thread(target=ask) for _ in range(2)]
        for client in clients:
            client.start()
        time.sleep(3)
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        for client in clients:
            client.join(timeout=30)
        assert len(answers) == 2
        for status, body, at in answers:
            assert status == 503, body
            assert body["error"]["code"] == "server_shutting_down"
            assert at - signalled < 5
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()


def test_json_without_a_content_type_is_read_from_programs_not_pages(base_url: str) -> None:
    """litellm's Ollama providers and Ollama's own curl examples send no Content-Type; a web
    page's cross-site POST always carries Origin, and without the header is still refused."""
    body = json.dumps({"model": "hearth", "messages": [{"role": "user", "content": "Hi"}], "stream": False,
                       "options": {"num_predict": 2}}).encode()
    plain = requests.post(base_url + "/api/chat", data=body, headers={"Content-Type": None}, timeout=60)
    assert "content-type" not in {name.lower() for name in plain.request.headers}
    assert plain.status_code == 200, plain.text
    page = requests.post(base_url + "/api/chat", data=body, headers={"Content-Type": None, "Origin": "http://localhost:3000"},
                         timeout=60)
    assert page.status_code == 415
