"""Replicas on hosts of their own (issue 29): three network namespaces joined to this one by veth
pairs, each running a replica on its own address, and HAProxy here in front with the
configuration `scripts/cluster.sh config 3 PORT HOST…` writes. Conversations from six clients at
once each stay on one replica, and the cluster's prompt-cache hit rate is at least 90% of what
one replica alone gives on the same load. Needs root (namespaces); torn down whatever happens.

`make test` runs 2 conversations of 3 turns per client (12 × 3, about a minute);
`HEARTH_CLUSTER_LOAD=5x4` runs the issue's full load, 30 conversations × 4 turns (about 4 minutes)."""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time

import pytest
import requests

from conftest import ROOT, free_port
from test_lifecycle import BINARY, wait_until_serving

pytestmark = pytest.mark.skipif(shutil.which("haproxy") is None or shutil.which("ip") is None or os.geteuid() != 0,
                                reason="needs root, ip and haproxy (make test's setup installs haproxy)")

PORT = 5000
CONVERSATIONS, TURNS = (int(n) for n in os.environ.get("HEARTH_CLUSTER_LOAD", "2x3").split("x"))
TAG = f"h{os.getpid() % 10000}"


def sh(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=30)


class Hosts:
    """Namespaces `<tag>n<i>` at 10.<subnet>.<i>.2, reached through veth `<tag>v<i>` at
    10.<subnet>.<i>.1; with `rate` (tc's units, e.g. `1gbit`), each link is shaped to it both ways
    by a token bucket, as a LAN would be."""

    def __init__(self, count: int, tag: str = TAG, subnet: int = 213, rate: str | None = None) -> None:
        self.count, self.made, self.tag, self.subnet = count, [], tag, subnet
        for i in range(1, count + 1):
            namespace, veth = f"{tag}n{i}", f"{tag}v{i}"
            sh("ip", "netns", "add", namespace)
            self.made.append(namespace)
            sh("ip", "link", "add", veth, "type", "veth", "peer", "name", f"{veth}p")
            sh("ip", "link", "set", f"{veth}p", "netns", namespace)
            sh("ip", "addr", "add", f"10.{subnet}.{i}.1/30", "dev", veth)
            sh("ip", "link", "set", veth, "up")
            sh("ip", "netns", "exec", namespace, "ip", "addr", "add", f"10.{subnet}.{i}.2/30", "dev", f"{veth}p")
            sh("ip", "netns", "exec", namespace, "ip", "link", "set", f"{veth}p", "up")
            sh("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up")
            if rate:
                shape = ("root", "tbf", "rate", rate, "burst", "256kb", "latency", "50ms")
                sh("tc", "qdisc", "add", "dev", veth, *shape)
                sh("ip", "netns", "exec", namespace, "tc", "qdisc", "add", "dev", f"{veth}p", *shape)

    def address(self, i: int) -> str:
        return f"10.{self.subnet}.{i}.2"

    def run(self, i: int, *command: str, log: str) -> subprocess.Popen:
        return subprocess.Popen(["ip", "netns", "exec", f"{self.tag}n{i}", *command], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=open(ROOT / ".build" / log, "wb"))

    def remove(self) -> None:
        for namespace in self.made:  # the veth pair goes with its namespace
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True, timeout=30)


def load(url: str, tag: str, clients: int = 6, conversations: int = 2, turns: int = 3) -> tuple[dict, float]:
    """Each client's conversations, turns in order, interleaved; returns the replicas each
    conversation reached and the prompt-cache hit rate of the later turns."""
    served: dict[str, set[str]] = {}
    counts = {"prompt": 0, "cached": 0}
    lock = threading.Lock()

    def client(c: int) -> None:
        chats = {f"{tag}-{c}-{k}": [{"role": "system", "content": "Answer in one short sentence."},
                                    {"role": "user", "content": f"Conversation {c}-{k}: " + "tell me about rivers and mountains. " * 12}]
                 for k in range(conversations)}
        for t in range(turns):
            for key, messages in chats.items():
                response = requests.post(url + "/v1/chat/completions", headers={"X-Session-Id": key}, timeout=300,
                                         json={"model": "x", "messages": messages, "max_tokens": 6, "temperature": 0})
                assert response.status_code == 200, response.text
                reply = response.json()
                with lock:
                    served.setdefault(key, set()).add(response.headers.get("X-Hearth-Replica", "direct"))
                    if t > 0:
                        counts["prompt"] += reply["usage"]["prompt_tokens"]
                        counts["cached"] += reply["usage"]["prompt_tokens_details"]["cached_tokens"]
                messages += [reply["choices"][0]["message"], {"role": "user", "content": f"And then? ({t})"}]

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return served, counts["cached"] / max(counts["prompt"], 1)


def test_replicas_on_their_own_hosts_keep_each_conversation_and_its_cache(tmp_path) -> None:
    hosts = Hosts(3)
    processes: list[subprocess.Popen] = []
    try:
        for i in range(1, 4):
            processes.append(hosts.run(i, BINARY, "--listen-host", hosts.address(i), "--api-port", str(PORT), "--threads", "1",
                                       "--parallel", "4", "--ctx-size", "1024", "--replica-name", f"r{i}",
                                       log=f"cluster-host-r{i}.log"))
        for i, process in enumerate(processes, start=1):
            assert wait_until_serving(process, f"http://{hosts.address(i)}:{PORT}", seconds=120), f"r{i} exited"
        config = subprocess.run(["scripts/cluster.sh", "config", "3", str(PORT), *(hosts.address(i) for i in range(1, 4))],
                                cwd=ROOT, check=True, capture_output=True, text=True).stdout
        assert all(f"server r{i} {hosts.address(i)}:{PORT}" in config for i in range(1, 4))
        (tmp_path / "haproxy.cfg").write_text(config)
        port = free_port()
        processes.append(subprocess.Popen(["haproxy", "-db", "-f", str(tmp_path / "haproxy.cfg")],
                                          env={**os.environ, "HEARTH_CLUSTER_BIND": f"127.0.0.1:{port}"},
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        url = f"http://127.0.0.1:{port}"
        assert wait_until_serving(processes[-1], url, seconds=20), "haproxy exited"
        time.sleep(2.5)  # every replica checked up

        served, cluster_rate = load(url, "cluster", conversations=CONVERSATIONS, turns=TURNS)
        assert all(len(replicas) == 1 for replicas in served.values()), served
        assert len({replica for replicas in served.values() for replica in replicas}) >= 2, served
        # The same load, fresh conversations, on one replica alone.
        _, alone_rate = load(f"http://{hosts.address(1)}:{PORT}", "alone", conversations=CONVERSATIONS, turns=TURNS)
        print(f"prompt-cache hit rate: cluster {cluster_rate:.3f}, one replica alone {alone_rate:.3f}")
        assert cluster_rate >= 0.9 * alone_rate, (cluster_rate, alone_rate)
    finally:
        for process in processes:
            process.kill()
        for process in processes:
            process.wait(timeout=30)
        hosts.remove()
