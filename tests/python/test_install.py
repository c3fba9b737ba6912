"""`scripts/install.sh` (what `make install` runs after its build): the installed tree works from
anywhere, moved anywhere: libraries, the chat page, prompt folders and the default model are found beside the
binary. Run here on the debug binary `make test` built (make install links Swift's runtime
statically; this binary finds the toolchain's)."""
from __future__ import annotations

import shutil
import signal
import subprocess

import requests

from conftest import ROOT, free_port
from test_lifecycle import BINARY, wait_until_serving


def test_an_installed_tree_runs_after_it_is_moved(tmp_path) -> None:
    prefix = tmp_path / "prefix"
    installed = subprocess.run([str(ROOT / "scripts" / "install.sh"), BINARY, str(prefix)], capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr
    assert "Hearth" in installed.stdout and "llama.cpp" in installed.stdout
    moved = tmp_path / "elsewhere"
    shutil.move(prefix, moved)
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    # Marked, so the page served below is known to be the installed copy, not the checkout's.
    with open(moved / "share" / "hearth" / "ui" / "index.html", "a") as page:
        page.write("<!-- installed copy -->\n")

    libraries = subprocess.run(["ldd", str(moved / "bin" / "hearth")], capture_output=True, text=True).stdout
    for soname in ("libllama.so.0", "libggml.so.0", "libggml-base.so.0", "libggml-cpu.so.0", "libggml-rpc.so.0", "libwhisper.so",
                   "libhearth-audio.so"):
        assert f"{soname} => {moved}/bin/../lib/hearth/{soname}" in libraries, libraries
    # llama.cpp's RPC worker (for --rpc) runs from the moved tree, on its libraries.
    worker = moved / "bin" / "ggml-rpc-server"
    assert f"libggml-rpc.so.0 => {moved}/bin/../lib/hearth/libggml-rpc.so.0" in subprocess.run(
        ["ldd", str(worker)], capture_output=True, text=True).stdout
    assert "--host" in subprocess.run([str(worker), "--help"], capture_output=True, text=True, timeout=30).stderr

    port = free_port()
    process = subprocess.Popen(
        [str(moved / "bin" / "hearth"), "--api-port", str(port), "--ctx-size", "512"],
        cwd=elsewhere,
        stdout=subprocess.DEVNULL,
        stderr=open(ROOT / ".build" / "hearth-install.log", "wb"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_until_serving(process, url), "the installed server did not start; see .build/hearth-install.log"
        # The default model, an instruction template and a preset, all from share/hearth.
        reply = requests.post(
            url + "/v1/chat/completions",
            json={"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 3, "mode": "instruct",
                  "instruction_template": "Alpaca", "preset": "Deterministic"},
            timeout=60,
        )
        assert reply.status_code == 200, reply.text
        prompt = requests.post(url + "/v1/internal/chat-prompt", json={"messages": [{"role": "user", "content": "Hi"}],
                               "mode": "instruct", "instruction_template": "Alpaca"}, timeout=30).json()["prompt"]
        assert "### Instruction:" in prompt
        assert "<!-- installed copy -->" in requests.get(url + "/", timeout=10).text
        # whisper.cpp and the Whisper model, from lib/hearth and share/hearth.
        with open(ROOT / ".deps" / "whisper" / "samples" / "jfk.wav", "rb") as recording:
            heard = requests.post(url + "/v1/audio/transcriptions", files={"file": recording}, timeout=120)
        assert heard.status_code == 200 and "fellow Americans" in heard.json()["text"], heard.text
        # The speech glue from lib/hearth.
        spoken = requests.post(url + "/v1/audio/speech", json={"input": "Installed.", "voice": "alloy", "response_format": "wav"},
                               timeout=60)
        assert spoken.status_code == 200 and spoken.content[:4] == b"RIFF", spoken.text[:200]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
