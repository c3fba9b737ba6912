"""HTTPS with a certificate the test makes, through the `openai` client trusting only it."""
from __future__ import annotations

import os
import signal
import ssl
import subprocess
import time

import httpx
import pytest
from openai import OpenAI

from conftest import ROOT, free_port

BINARY = os.environ.get("HEARTH_BIN", str(ROOT / ".build" / "debug" / "hearth"))


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return str(key), str(cert)


def serve(flags: list[str], environment: dict[str, str] | None = None) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [BINARY, "--api-port", str(port), "--ctx-size", "1024", *flags], cwd=ROOT,
        env={**os.environ, **(environment or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    return process, port


def wait_until_serving(port: int, certificate: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, process.stderr.read().decode()
        try:
            httpx.get(f"https://127.0.0.1:{port}/v1/models", verify=ssl.create_default_context(cafile=certificate), timeout=1)
            return
        except httpx.TransportError:
            assert time.monotonic() < deadline, "hearth did not start"
            time.sleep(0.1)


@pytest.mark.parametrize("by", ["flags", "environment"])
def test_the_openai_client_talks_https(certificate: tuple[str, str], by: str) -> None:
    key, cert = certificate
    if by == "flags":
        process, port = serve(["--ssl-keyfile", key, "--ssl-certfile", cert])
    else:
        process, port = serve([], {"OPENEDAI_KEY_PATH": key, "OPENEDAI_CERT_PATH": cert})
    try:
        wait_until_serving(port, cert, process)
        client = OpenAI(base_url=f"https://127.0.0.1:{port}/v1", api_key="sk-x", http_client=httpx.Client(verify=ssl.create_default_context(cafile=cert)), max_retries=0)
        reply = client.chat.completions.create(model="x", messages=[{"role": "user", "content": "Say hi"}], max_tokens=5, temperature=0)
        assert reply.choices[0].message.content
        streamed = "".join(
            chunk.choices[0].delta.content or ""
            for chunk in client.chat.completions.create(model="x", messages=[{"role": "user", "content": "Say hi"}], max_tokens=5, temperature=0, stream=True)
            if chunk.choices
        )
        assert streamed == reply.choices[0].message.content
        with pytest.raises(httpx.TransportError):  # plain HTTP is not served on the TLS port
            httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=5)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@pytest.mark.parametrize("flags", [["--ssl-keyfile", "/nonexistent/key.pem", "--ssl-certfile", "CERT"], ["--ssl-keyfile", "KEY"], ["--ssl-keyfile", "CERT", "--ssl-certfile", "CERT"]])
def test_unusable_tls_files_stop_the_server_before_it_listens(certificate: tuple[str, str], flags: list[str]) -> None:
    key, cert = certificate
    flags = [cert if flag == "CERT" else key if flag == "KEY" else flag for flag in flags]
    result = subprocess.run([BINARY, "--api-port", str(free_port()), *flags], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "ssl" in result.stderr.lower() or "tls" in result.stderr.lower(), result.stderr
