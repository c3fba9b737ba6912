"""`POST /v1/images/generations`, forwarded to a Stable Diffusion web UI as text-generation-webui
did: a stand-in web UI on loopback records what Hearth sends and answers with PNGs; the real
`openai` client reads both response formats. Without a web UI, or with one that is down or
failing, the answer is a 503 in OpenAI's envelope."""
from __future__ import annotations

import base64
import json
import signal
import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openai
import pytest
import requests

from conftest import free_port
from test_lifecycle import start, wait_until_serving


def png(width: int = 1, height: int = 1) -> bytes:
    """A valid grey PNG of the given size."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


class StandIn:
    """A stand-in AUTOMATIC1111 web UI: `/sdapi/v1/txt2img` answers `batch_size` PNGs, or the
    failure a test sets."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.failure: tuple[int, dict] | None = None
        self.delay = 0.0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.bodies.append({"path": self.path, "body": body})
                time.sleep(outer.delay)
                status, answer = outer.failure or (200, {
                    "images": [base64.b64encode(png(2, 2)).decode() for _ in range(body["batch_size"])],
                    "parameters": body, "info": "{}",
                })
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def stand_in() -> StandIn:
    web_ui = StandIn()
    yield web_ui
    web_ui.server.shutdown()


@pytest.fixture(scope="module")
def hearth(stand_in: StandIn):
    process, url = start("--sd-webui-url", stand_in.url + "/", log="hearth-images.log")
    assert wait_until_serving(process, url)
    yield url
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def client(url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=url + "/v1", api_key="none", max_retries=0)


def test_both_formats_and_n_with_the_openai_client(hearth: str, stand_in: StandIn) -> None:
    stand_in.failure = None
    images = client(hearth).images.generate(prompt="a lighthouse at dusk", n=2, size="512x512", response_format="b64_json")
    assert len(images.data) == 2 and images.created > 0
    assert base64.b64decode(images.data[0].b64_json).startswith(b"\x89PNG")
    sent = stand_in.bodies[-1]
    assert sent["path"] == "/sdapi/v1/txt2img"
    # Exactly text-generation-webui's body, in its order, for a size at the base scale.
    assert list(sent["body"].items()) == [
        ("prompt", "a lighthouse at dusk"), ("width", 512), ("height", 512), ("batch_size", 2),
        ("sampler_name", "DPM++ 2M Karras"), ("steps", 30),
    ]
    as_url = client(hearth).images.generate(prompt="a lighthouse", size="512x768")
    assert len(as_url.data) == 1 and as_url.data[0].url.startswith("data:image/png;base64,")
    assert base64.b64decode(as_url.data[0].url.split(",", 1)[1]).startswith(b"\x89PNG")


def test_a_large_size_is_generated_at_the_base_scale_and_upscaled(hearth: str, stand_in: StandIn) -> None:
    stand_in.failure = None
    client(hearth).images.generate(prompt="a fox", size="1024x1536")
    body = stand_in.bodies[-1]["body"]
    assert (body["width"], body["height"], body["hr_scale"]) == (512, 768, 2.0)
    assert body["enable_hr"] is True and body["hr_upscaler"] == "Latent" and body["denoising_strength"] == 0.68


def test_the_web_uis_error_is_a_503_with_its_message_but_not_its_internals(hearth: str, stand_in: StandIn) -> None:
    stand_in.failure = (500, {"error": "OutOfMemoryError", "detail": "CUDA out of memory", "errors": "Traceback (most recent call last): secret"})
    with pytest.raises(openai.APIStatusError) as raised:
        client(hearth).images.generate(prompt="a fox", size="512x512")
    assert raised.value.status_code == 503
    error = raised.value.body
    assert "OutOfMemoryError" in error["message"] and "Traceback" not in json.dumps(error)
    assert error["type"] == "server_error"
    stand_in.failure = None


@pytest.mark.parametrize("body, param", [
    ({}, "prompt"), ({"prompt": ""}, "prompt"), ({"prompt": "x", "n": 0}, "n"), ({"prompt": "x", "n": 11}, "n"),
    ({"prompt": "x", "size": "big"}, "size"), ({"prompt": "x", "size": "32x32"}, "size"),
    ({"prompt": "x", "response_format": "png"}, "response_format"), ({"prompt": 3}, "prompt"),
])
def test_bad_requests_name_the_field_and_reach_nobody(hearth: str, stand_in: StandIn, body: dict, param: str) -> None:
    before = len(stand_in.bodies)
    response = requests.post(hearth + "/v1/images/generations", json=body, timeout=30)
    assert response.status_code == 400 and response.json()["error"]["param"] == param, response.text
    assert len(stand_in.bodies) == before


def test_without_a_web_ui_or_with_one_that_is_down_the_answer_is_503(base_url: str) -> None:
    unset = requests.post(base_url + "/v1/images/generations", json={"prompt": "x"}, timeout=30)
    assert unset.status_code == 503 and "SD_WEBUI_URL" in unset.json()["error"]["message"]
    process, url = start("--sd-webui-url", f"http://127.0.0.1:{free_port()}", log="hearth-images-down.log")
    try:
        assert wait_until_serving(process, url)
        down = requests.post(url + "/v1/images/generations", json={"prompt": "x"}, timeout=60)
        assert down.status_code == 503 and down.json()["error"]["code"] == "image_generator_unavailable", down.text
        assert requests.get(url + "/health", timeout=10).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_an_address_that_is_not_http_is_refused_at_start() -> None:
    process, _ = start("--sd-webui-url", "ftp://example")
    assert process.wait(timeout=30) != 0
    assert "SD_WEBUI_URL" in process.stderr.read().decode()


def test_a_web_ui_slower_than_the_timeout_is_a_503(stand_in: StandIn) -> None:
    stand_in.delay = 6.0
    process, url = start("--sd-webui-url", stand_in.url, "--sd-timeout", "1", log="hearth-images-slow.log")
    try:
        assert wait_until_serving(process, url)
        slow = requests.post(url + "/v1/images/generations", json={"prompt": "x", "size": "512x512"}, timeout=60)
        assert slow.status_code == 503 and "timed out" in slow.json()["error"]["message"], slow.text
    finally:
        stand_in.delay = 0.0
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
