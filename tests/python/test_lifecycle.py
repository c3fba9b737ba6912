"""The `hearth` process itself: its flags at their extremes, and a clean shutdown on SIGTERM."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import ROOT, free_port

BINARY = os.environ.get("HEARTH_BIN", str(ROOT / ".build" / "debug" / "hearth"))
EXTREMES = ["9223372036854775807", "-9223372036854775808", "1e308", "-1", "0"]
SERVER_FLAGS = [
    "--api-port", "--ctx-size", "--threads", "--parallel", "--batch-size", "--ubatch-size",
    "--max-queue", "--cache-ram", "--max-body-size", "--idle-timeout", "--drain-seconds", "--gpu-layers",
]


def sampler_flags() -> list[str]:
    """The numeric sampler flags, as `hearth --help` lists them (they come from one table)."""
    help_text = subprocess.run([BINARY, "--help"], capture_output=True, text=True, timeout=30).stdout
    return re.findall(r"^\s+(--[a-z-]+) -?[0-9.]+–", help_text, flags=re.MULTILINE)


def start(*flags: str, log: str | None = None, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """Starts hearth on a free port; its log goes to `.build/<log>` when named (a long run must
    not fill a pipe nobody reads), else to a pipe for the test to read. `env` adds variables."""
    port = free_port()
    process = subprocess.Popen(
        [BINARY, "--api-port", str(port), "--ctx-size", "1024", *flags],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=open(ROOT / ".build" / log, "wb") if log else subprocess.PIPE,
    )
    return process, f"http://127.0.0.1:{port}"


def wait_until_serving(process: subprocess.Popen, url: str, seconds: float = 60) -> bool:
    """True once the server answers; False if the process exited first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if requests.get(url + "/health", timeout=1).status_code == 200:
                return True
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise AssertionError("hearth neither served nor exited")


def check_flag(flag: str, value: str, extra: list[str]) -> str | None:
    """Runs `hearth` with one flag; returns what went wrong, or None."""
    port = free_port()
    process = subprocess.Popen(
        [BINARY, "--ctx-size", "1024", "--api-port", str(port), *extra, flag, value],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        if flag == "--api-port":
            # `--api-port 0` binds a port of the system's choosing: give it time to start instead.
            try:
                process.wait(timeout=5)
                started = False
            except subprocess.TimeoutExpired:
                started = True
        else:
            started = wait_until_serving(process, f"http://127.0.0.1:{port}", seconds=60)
        if started:
            # Accepted: the server started; it must stop cleanly.
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=30)
            return None if code == 0 else f"{flag} {value}: exit {code} after SIGTERM"
        code = process.wait(timeout=30)
        stderr = process.stderr.read().decode()
        if code != 64 or "Error:" not in stderr or "Fatal error" in stderr:
            return f"{flag} {value}: exit {code}\n{stderr[-2000:]}"
        return None
    finally:
        if process.poll() is None:
            process.kill()


def test_numeric_flags_at_their_extremes_are_usage_errors_or_work() -> None:
    """A value out of range is a usage error (exit 64) naming the flag, never a crash; a value in
    range starts the server, which then stops cleanly. Sampler flags are checked against a missing
    model, so an accepted value ends at "model not found" (also 64) instead of loading it."""
    samplers = sampler_flags()
    assert "--top-k" in samplers and "--dry-allowed-length" in samplers
    runs = [(flag, []) for flag in SERVER_FLAGS] + [(flag, ["--model", "/nonexistent/model.gguf"]) for flag in samplers]
    with ThreadPoolExecutor(max_workers=4) as pool:
        problems = list(pool.map(lambda job: check_flag(*job), [(flag, value, extra) for flag, extra in runs for value in EXTREMES]))
    assert [problem for problem in problems if problem] == []


def test_sigterm_ends_running_streams_refuses_waiting_requests_and_exits_0() -> None:
    process, url = start("--parallel", "1")
    try:
        assert wait_until_serving(process, url)
        body = {"prompt": "Count: 1, 2, 3,", "max_tokens": 400, "ban_eos_token": True, "stream": True}
        stream = requests.post(url + "/v1/completions", json=body, stream=True, timeout=60)
        assert stream.status_code == 200
        lines = stream.iter_lines()
        # The stream is running: wait for some text.
        received = 0
        for line in lines:
            if line.startswith(b"data: {"):
                received += 1
                if received >= 3:
                    break
        # A second request waits for the only slot.
        waiting: dict[str, object] = {}

        def wait_for_slot() -> None:
            response = requests.post(url + "/v1/completions", json={"prompt": "Hi", "max_tokens": 4}, timeout=60)
            waiting["status"] = response.status_code
            waiting["body"] = response.json()

        waiter = threading.Thread(target=wait_for_slot)
        waiter.start()
        time.sleep(0.5)
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        rest = [line for line in lines if line]
        ended = time.monotonic() - signalled
        # The text so far, then the in-band error that says the reply was cut (never a
        # finish_reason that would pass for a whole reply).
        assert rest[-1] == b"data: [DONE]"
        last = json.loads(rest[-2][len(b"data: "):])
        assert last["error"]["code"] == "server_shutting_down", last
        assert all(json.loads(line[len(b"data: "):]).get("choices", [{}])[0].get("finish_reason") is None
                   for line in rest[:-2] if line.startswith(b"data: {"))
        assert ended < 2.5, f"the stream took {ended:.2f} s to end"
        waiter.join(timeout=10)
        assert waiting["status"] == 503
        assert set(waiting["body"]["error"]) == {"message", "type", "param", "code"}
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()


def test_a_busy_port_is_an_error_that_names_it(base_url: str) -> None:
    port = base_url.rsplit(":", 1)[1]
    result = subprocess.run([BINARY, "--api-port", port], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr


def test_an_api_key_file_holds_several_keys(tmp_path) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text("# team keys\nalpha-key\n\n  beta-key  \n")
    process, url = start("--api-key-file", str(keys))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status = requests.get(url + "/v1/models", timeout=1).status_code
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.1)
        assert status == 401
        for key in ["alpha-key", "beta-key"]:
            assert requests.get(url + "/v1/models", headers={"Authorization": f"Bearer {key}"}, timeout=5).status_code == 200
        assert requests.get(url + "/v1/models", headers={"Authorization": "Bearer # team keys"}, timeout=5).status_code == 401
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    missing = subprocess.run([BINARY, "--api-key-file", str(tmp_path / "none.txt")], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert missing.returncode != 0 and "cannot read" in missing.stderr


def serving(url: str, process: subprocess.Popen) -> bool:
    """Waits for `url`/health to answer; False if the process exits first."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            return requests.get(url + "/health", timeout=1).status_code == 200
        except requests.ConnectionError:
            time.sleep(0.1)
    return False


def test_ipv6_beside_or_instead_of_ipv4() -> None:
    port = free_port()
    process = subprocess.Popen([BINARY, "--api-port", str(port), "--ctx-size", "1024", "--api-enable-ipv6"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert serving(f"http://127.0.0.1:{port}", process)
        assert requests.get(f"http://[::1]:{port}/health", timeout=5).json() == {"status": "ok"}
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    port = free_port()
    environment = {**os.environ, "OPENEDAI_ENABLE_IPV6": "1", "OPENEDAI_DISABLE_IPV4": "true"}
    process = subprocess.Popen([BINARY, "--api-port", str(port), "--ctx-size", "1024"], cwd=ROOT, env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert serving(f"http://[::1]:{port}", process)
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/health", timeout=5)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


def test_silent_and_slow_connections_are_closed_and_others_served() -> None:
    """A connection that sends nothing, or its headers a byte at a time, is closed after
    --idle-timeout; a request meanwhile is served."""
    import socket

    process, url = start("--idle-timeout", "2")
    port = int(url.rsplit(":", 1)[1])
    try:
        assert serving(url, process)
        silent = socket.create_connection(("127.0.0.1", port))
        slow = socket.create_connection(("127.0.0.1", port))
        started = time.monotonic()
        closed_at = None
        request = b"GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for byte in request:
            try:
                slow.send(bytes([byte]))
            except OSError:
                closed_at = time.monotonic()
                break
            time.sleep(0.25)
            assert requests.get(url + "/health", timeout=5).status_code == 200
        assert closed_at is not None and closed_at - started < 6, "the slow client was never cut off"
        silent.settimeout(5)
        assert silent.recv(1) == b"", "the silent connection is still open"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


STAND_IN = """#!/bin/sh
# Stands in for cloudflared: prints what it prints when a quick tunnel is up, then waits.
echo $$ > "$(dirname "$0")/pid"
echo "$@" > "$(dirname "$0")/args"
echo "2026-11-30T00:00:00Z INF Requesting new quick Tunnel on trycloudflare.com..." >&2
echo "2026-11-30T00:00:01Z INF |  https://quiet-hearth-test.trycloudflare.com                                       |" >&2
exec sleep 600
"""


def test_public_api_runs_cloudflared_and_stops_it(tmp_path) -> None:
    (tmp_path / "cloudflared").write_text(STAND_IN)
    (tmp_path / "cloudflared").chmod(0o755)
    environment = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    port = free_port()
    process = subprocess.Popen([BINARY, "--api-port", str(port), "--ctx-size", "1024", "--public-api", "--api-key", "k"], cwd=ROOT,
                               env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    log = ""
    try:
        deadline = time.monotonic() + 60
        while "quiet-hearth-test.trycloudflare.com/v1" not in log:
            assert time.monotonic() < deadline and process.poll() is None, log
            log += process.stderr.readline()
        assert f"--url http://127.0.0.1:{port}" in (tmp_path / "args").read_text()
        pid = int((tmp_path / "pid").read_text())
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the tunnel stopped with the server

    without_key = subprocess.run([BINARY, "--public-api"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=30)
    assert without_key.returncode != 0 and "--api-key" in without_key.stderr
    no_tool = subprocess.run([BINARY, "--public-api", "--api-key", "k"], cwd=ROOT, env={**os.environ, "PATH": "/usr/bin:/bin"},
                             capture_output=True, text=True, timeout=30)
    assert no_tool.returncode != 0 and "install" in no_tool.stderr and "cloudflared" in no_tool.stderr


def test_settings_file_under_flags_under_environment(tmp_path) -> None:
    file_port, flag_port, env_port = free_port(), free_port(), free_port()
    settings = tmp_path / "settings.yaml"
    settings.write_text(f"api_port: {file_port}\nctx-size: 1024\nmax-body-size: 200\nmade-up-key: 1\nopenai-embedding_model: all-MiniLM-L6-v2\n")

    def run(flags: list[str], environment: dict[str, str], port: int) -> str:
        process = subprocess.Popen([BINARY, "--settings", str(settings), *flags], cwd=ROOT, env={**os.environ, **environment},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            assert serving(f"http://127.0.0.1:{port}", process), f"not serving on {port}"
            big = requests.post(f"http://127.0.0.1:{port}/v1/completions", json={"prompt": "x" * 300}, timeout=10)
            assert big.status_code == 413  # max-body-size from the file
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        return process.stderr.read()

    log = run([], {}, file_port)
    assert "unknown key 'made-up-key'" in log and "openai-embedding_model" not in log
    run(["--api-port", str(flag_port)], {}, flag_port)
    run(["--api-port", str(flag_port)], {"OPENEDAI_PORT": str(env_port)}, env_port)

    settings.write_text("ctx-size: [1, {a: 2}]\n")
    bad = subprocess.run([BINARY, "--settings", str(settings)], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert bad.returncode != 0 and "'ctx-size'" in bad.stderr


def test_version_names_hearth_and_llama_cpp() -> None:
    result = subprocess.run([BINARY, "--version"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and re.match(r"Hearth \d+\.\d+\.\d+ \(llama\.cpp [^,]+, built by llama-cpp-python 0\.3\.36( with [^)]+)?\)", result.stdout), result.stdout
    # The library Hearth links carries the patches of patches/llama.cpp/ (scripts/setup.sh).
    for patch in sorted((ROOT / "patches" / "llama.cpp").glob("*.patch")):
        assert patch.name in result.stdout, result.stdout
