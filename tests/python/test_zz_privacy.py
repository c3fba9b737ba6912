"""Privacy, proved: Hearth serves a whole round trip inside a network namespace that has only
loopback, connecting nowhere; and no prompt sent during the whole suite appears in anything a
server logged (without OPENEDAI_DEBUG=1). Named to run last."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import ROOT, SENT, SESSION_STARTED
from test_lifecycle import BINARY

CLIENT = textwrap.dedent(
    """
    import subprocess, sys, time, json, os, signal
    import requests
    from openai import OpenAI
    server = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=open(".build/hearth-netns.log", "wb"))
    for _ in range(600):
        try:
            if requests.get("http://127.0.0.1:5077/health", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            time.sleep(0.1)
    client = OpenAI(base_url="http://127.0.0.1:5077/v1", api_key="none")
    reply = client.chat.completions.create(
        model="x", messages=[{"role": "user", "content": "Say hello to the offline world."}], max_tokens=8)
    streamed = "".join(chunk.choices[0].delta.content or "" for chunk in client.chat.completions.create(
        model="x", messages=[{"role": "user", "content": "Count to three."}], max_tokens=8, stream=True) if chunk.choices)
    models = [m.id for m in client.models.list()]
    # Under strace, SIGTERM goes to hearth itself (strace's child), then strace exits with it.
    children = open(f"/proc/{server.pid}/task/{server.pid}/children").read().split()
    os.kill(int(children[0]) if children else server.pid, signal.SIGTERM)
    print(json.dumps({"reply": reply.choices[0].message.content, "streamed": streamed, "models": models,
                      "exit": server.wait(timeout=30)}))
    """
)


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root and unshare (CI runs as root)")
def test_a_round_trip_in_a_network_namespace_with_only_loopback(tmp_path) -> None:
    """No network but loopback: the model loads, chat (plain and streamed) and the model list
    work. Under strace (when installed), every connect() the server makes is listed: none
    reaches for an IP address."""
    server = [BINARY, "--api-port", "5077", "--ctx-size", "1024"]
    trace = ROOT / ".build" / "hearth-netns.strace"
    if shutil.which("strace"):
        server = ["strace", "-f", "-qq", "-e", "trace=connect", "-o", str(trace)] + server
    client = tmp_path / "client.py"
    client.write_text(CLIENT)
    script = f"ip link set lo up && exec {sys.executable} {client} " + " ".join(server)
    result = subprocess.run(["unshare", "-n", "sh", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["reply"] and outcome["streamed"] and outcome["models"], outcome
    assert outcome["exit"] == 0
    if shutil.which("strace"):
        # Local Unix sockets (glibc asks nscd about names) are not the network.
        connects = [line for line in trace.read_text().splitlines() if "connect(" in line and "AF_UNIX" not in line]
        assert connects == [], connects


def prompts_sent() -> set[str]:
    """The message contents and prompts of every JSON request body the suite sent."""
    found: set[str] = set()

    def collect(value, key: str = "") -> None:
        if isinstance(value, dict):
            for name, member in value.items():
                collect(member, name)
        elif isinstance(value, list):
            for member in value:
                collect(member, key)
        elif isinstance(value, str) and key in ("content", "prompt", "text", "input") and len(value.strip()) >= 8:
            found.add(value.strip()[:200])

    for chunk in SENT:
        body = chunk.split(b"\r\n\r\n", 1)[-1]
        try:
            collect(json.loads(body))
        except (ValueError, RecursionError):
            continue
    return found


def test_no_prompt_appears_in_any_server_log() -> None:
    logs = [path for path in (ROOT / ".build").glob("hearth-*.log") if path.stat().st_mtime >= SESSION_STARTED]
    assert logs, "no server log written during the suite"
    prompts = prompts_sent()
    assert prompts, "no prompt was recorded"
    for path in logs:
        text = path.read_text(errors="replace")
        leaked = [prompt for prompt in prompts if prompt in text]
        assert leaked == [], f"{path.name} holds prompt text: {leaked[:3]}"
