"""Replicas behind HAProxy (issue 29): the shipped configuration (deploy/haproxy/hearth.cfg, as
scripts/cluster.sh writes it for two replicas) in front of two real Hearth servers on loopback.
Each conversation's turns reach one replica, whose prompt cache they reuse; a stored response is
continued on the replica that stored it; a replica that gets SIGTERM finishes its running stream,
answers /health with 503, and its conversations continue on the other; it exits 0."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time

import pytest
import requests

from conftest import ROOT, free_port
from test_lifecycle import start, wait_until_serving

pytestmark = pytest.mark.skipif(shutil.which("haproxy") is None, reason="HAProxy is installed by make test's setup")

SYSTEM = "You are a helpful assistant. Answer in one short sentence."


class Cluster:
    """Two replicas (r1, r2) and HAProxy in front, torn down by `stop`."""

    def __init__(self, tmp_path) -> None:
        base = free_port()
        while any(port_in_use(base + i) for i in (1, 2)):
            base = free_port()
        self.base, self.folder = base, tmp_path
        self.replicas = {}
        for i in (1, 2):
            self.start_replica(i)
        config = subprocess.run(["scripts/cluster.sh", "config", "2", str(base)], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout
        (tmp_path / "haproxy.cfg").write_text(config)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.haproxy = subprocess.Popen(["haproxy", "-db", "-f", str(tmp_path / "haproxy.cfg")], cwd=ROOT,
                                        env={**os.environ, "HEARTH_CLUSTER_BIND": f"127.0.0.1:{port}"},
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for name, (process, url) in self.replicas.items():
            assert wait_until_serving(process, url, seconds=120), name
        # HAProxy marks both up after its first checks (every second).
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        time.sleep(2.5)

    def start_replica(self, i: int) -> None:
        process, url = start("--api-port", str(self.base + i), "--parallel", "2", "--threads", "1",
                             "--replica-name", f"r{i}", "--drain-seconds", "30", "--metrics",
                             "--responses-dir", str(self.folder / "responses"), log=f"cluster-r{i}.log")
        self.replicas[f"r{i}"] = (process, f"http://127.0.0.1:{self.base + i}")

    def stop(self) -> None:
        for process, _ in self.replicas.values():
            if process.poll() is None:
                process.kill()
        self.haproxy.terminate()
        self.haproxy.wait(timeout=10)


def port_in_use(port: int) -> bool:
    try:
        requests.get(f"http://127.0.0.1:{port}/", timeout=0.2)
        return True
    except requests.ConnectionError:
        return False


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = Cluster(tmp_path_factory.mktemp("cluster"))
    yield cluster
    cluster.stop()


def chat(cluster: Cluster, messages: list[dict], headers: dict | None = None, **fields) -> tuple[str, dict]:
    body = {"model": "x", "messages": messages, "max_tokens": 8, "temperature": 0, **fields}
    response = requests.post(cluster.url + "/v1/chat/completions", json=body, headers=headers or {}, timeout=120)
    assert response.status_code == 200, response.text
    return response.headers["X-Hearth-Replica"], response.json()


def test_each_conversation_stays_on_one_replica_and_reuses_its_cache(cluster: Cluster) -> None:
    served: dict[str, set[str]] = {}
    cached_later_turns = []
    for n in range(12):
        # Keys of every kind: a header, OpenAI's user field, and the first user message after
        # the shared system prompt.
        kind = ("header", "user", "message")[n % 3]
        headers = {"X-Session-Id": f"session-{n}"} if kind == "header" else {}
        fields = {"user": f"user-{n}"} if kind == "user" else {}
        messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": f"Conversation {n}: name a colour."}]
        for turn in range(3):
            replica, reply = chat(cluster, messages, headers, **fields)
            served.setdefault(f"{kind}-{n}", set()).add(replica)
            if turn > 0:
                cached_later_turns.append(reply["usage"].get("prompt_tokens_details", {}).get("cached_tokens", 0))
            messages += [{"role": "assistant", "content": reply["choices"][0]["message"]["content"]},
                         {"role": "user", "content": f"And another one, {turn}?"}]
    assert all(len(replicas) == 1 for replicas in served.values()), served
    assert {replica for replicas in served.values() for replica in replicas} == {"r1", "r2"}, served
    # A later turn reuses the earlier turns' KV on its replica (the system prompt alone is ~20 tokens).
    assert sum(1 for cached in cached_later_turns if cached > 30) >= len(cached_later_turns) * 0.9, cached_later_turns


def test_a_stored_response_is_continued_on_the_replica_that_stored_it(cluster: Cluster) -> None:
    previous = None
    for turn in range(3):
        body = {"model": "x", "input": f"Turn {turn} of a story about a lighthouse.", "max_output_tokens": 8, "temperature": 0}
        if previous:
            body["previous_response_id"] = previous
        response = requests.post(cluster.url + "/v1/responses", json=body, timeout=120)
        assert response.status_code == 200, response.text
        replica = response.headers["X-Hearth-Replica"]
        if previous:
            assert previous.startswith(f"resp_{replica}_"), (previous, replica)
        previous = response.json()["id"]
        assert previous.startswith(f"resp_{replica}_")
    stored = requests.get(cluster.url + f"/v1/responses/{previous}", timeout=30)
    assert stored.status_code == 200 and stored.headers["X-Hearth-Replica"] == previous.split("_")[1]


def test_a_replica_name_must_fit_a_response_id() -> None:
    from test_lifecycle import BINARY

    for name in ("r 1", "", "r_1", "x" * 33):
        refused = subprocess.run([BINARY, "--replica-name", name], capture_output=True, text=True, timeout=30)
        assert refused.returncode == 64 and "--replica-name" in refused.stderr, (name, refused.stderr[-300:])


def session_on(cluster: Cluster, replica: str, prefix: str) -> dict:
    """An X-Session-Id header that HAProxy sends to `replica`."""
    for n in range(200):
        headers = {"X-Session-Id": f"{prefix}-{n}"}
        if chat(cluster, [{"role": "user", "content": "Hi"}], headers)[0] == replica:
            return headers
    raise AssertionError(f"no key reached {replica}")


def stream_on(cluster: Cluster, replica: str, headers: dict, chunks: int):
    """A long greedy stream through HAProxy that `replica` serves, after its first `chunks` chunks."""
    body = {"model": "x", "messages": [{"role": "user", "content": "Count from 1 to 100, comma separated."}],
            "max_tokens": 160, "temperature": 0, "stream": True}
    stream = requests.post(cluster.url + "/v1/chat/completions", json=body, headers=headers, stream=True, timeout=120)
    assert stream.headers["X-Hearth-Replica"] == replica
    lines = stream.iter_lines()
    received = 0
    for line in lines:
        received += line.startswith(b"data: {")
        if received >= chunks:
            break
    return lines


def test_a_killed_replica_cuts_its_stream_and_its_conversations_move(cluster: Cluster) -> None:
    headers = session_on(cluster, "r2", "kill")
    process, url = cluster.replicas["r2"]
    lines = stream_on(cluster, "r2", headers, chunks=1)
    process.kill()
    killed = time.monotonic()
    # The stream ends (HAProxy closes it) without [DONE]: the client sees it cut, never a whole reply.
    rest = []
    try:
        rest = [line for line in lines if line]
    except requests.exceptions.ChunkedEncodingError:
        pass
    assert b"data: [DONE]" not in rest
    assert time.monotonic() - killed < 10
    # The conversation's next request is answered by r1 (a refused connection is retried there).
    assert chat(cluster, [{"role": "user", "content": "Hi again"}], headers)[0] == "r1"
    # Back: the replica restarts and HAProxy's checks take it in again.
    cluster.start_replica(2)
    assert wait_until_serving(cluster.replicas["r2"][0], url, seconds=120)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and chat(cluster, [{"role": "user", "content": "Hi"}], headers)[0] != "r2":
        time.sleep(0.5)
    assert chat(cluster, [{"role": "user", "content": "Hi"}], headers)[0] == "r2"


def test_sigterm_drains_a_replica_and_its_conversations_move(cluster: Cluster) -> None:
    headers = session_on(cluster, "r1", "drain")
    process, _ = cluster.replicas["r1"]
    lines = stream_on(cluster, "r1", headers, chunks=3)
    process.send_signal(signal.SIGTERM)
    # Meanwhile the conversation's next requests are answered, by r2 once r1 refuses them.
    moved = []

    def keep_asking() -> None:
        for _ in range(4):
            moved.append(chat(cluster, [{"role": "user", "content": "Hi again"}], headers)[0])
            time.sleep(0.5)

    asker = threading.Thread(target=keep_asking)
    asker.start()
    rest = [json.loads(line[len(b"data: "):]) for line in lines if line.startswith(b"data: {")]
    asker.join(timeout=120)
    # The stream ran to its end: a finish reason, no error.
    assert not any("error" in chunk for chunk in rest), rest[-1]
    assert [c["choices"][0]["finish_reason"] for c in rest if c.get("choices")][-1] in ("stop", "length")
    assert len(moved) == 4 and moved[-1] == "r2", moved
    try:  # Still draining, or already gone (stopped listening, or exited).
        health = requests.get(cluster.replicas["r1"][1] + "/health", timeout=5) if process.poll() is None else None
    except requests.ConnectionError:
        health = None
    assert health is None or (health.status_code == 503 and health.json()["status"] == "draining")
    assert process.wait(timeout=60) == 0
