"""schemathesis against Hearth's own /openapi.json: thousands of generated requests over every
endpoint, valid and invalid, with the API key and without. No response may be a 5xx, every
response must match the document, every error is OpenAI's envelope (fuzz_hooks.py), and the
server still serves afterwards.

Generation is clamped to two tokens per request (fuzz_hooks.before_call): the fuzzing is about
validation and framing, not the model. Two workers (the server batches their requests), 12
examples per operation with the key and 10 without: about a minute and a half.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import requests

from conftest import ROOT
from test_images import StandIn
from test_lifecycle import start, wait_until_serving

KEY = "fuzz-key"
HERE = Path(__file__).resolve().parent
CHECKS = "not_a_server_error,content_type_conformance,response_schema_conformance,openai_error_envelope"


def schemathesis(url: str, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).parent / "schemathesis"), "run", url + "/openapi.json", "--checks", CHECKS, "--no-color",
         "--request-timeout", "60", "--seed", "1", "--generation-database", "none", "--workers", "2",
         # Unloading the model between requests would only make every next request load it again.
         "--exclude-path", "/v1/internal/model/unload", *options],
        cwd=HERE,
        env={**os.environ, "SCHEMATHESIS_HOOKS": "fuzz_hooks", "PYTHONPATH": str(HERE)},
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_the_document_is_valid_openapi_3_1(base_url: str) -> None:
    from openapi_spec_validator import validate

    document = requests.get(base_url + "/openapi.json", timeout=10).json()
    validate(document)
    assert document["openapi"] == "3.1.0"
    chat = document["paths"]["/v1/chat/completions"]["post"]
    fields = chat["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert {"messages", "tools", "response_format", "top_p", "mode", "character"} <= set(fields)
    page = requests.get(base_url + "/docs", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


def test_generated_requests_never_break_the_server():
    # The model endpoints get an admin key the fuzzer does not send (401s): loading models at
    # random would spend the run on loads; test_models.py covers those endpoints. Images go to a
    # stand-in web UI on loopback (without one, that route's answer is a 503 by design).
    web_ui = StandIn()
    process, url = start("--api-key", KEY, "--admin-key", "not-sent", "--metrics", "--ctx-size", "512", "--parallel", "2",
                         "--sd-webui-url", web_ui.url, log="hearth-fuzz.log")
    try:
        assert wait_until_serving(process, url)
        keyed = schemathesis(url, "-H", f"Authorization: Bearer {KEY}", "--max-examples", "12")
        assert keyed.returncode == 0, keyed.stdout[-4000:]
        unkeyed = schemathesis(url, "--max-examples", "10", "--phases", "fuzzing")
        assert unkeyed.returncode == 0, unkeyed.stdout[-4000:]

        auth = {"Authorization": f"Bearer {KEY}"}
        reply = requests.post(url + "/v1/completions", json={"prompt": "1, 2, 3,", "max_tokens": 3}, headers=auth, timeout=60)
        assert reply.status_code == 200, reply.text
        metrics = requests.get(url + "/metrics", headers=auth, timeout=10).text
        answered = re.findall(r'^hearth_http_requests_total\{route="([^"]*)",method="[A-Z]+",status="(\d+)"\} (\d+)', metrics, re.M)
        assert sum(int(count) for _, _, count in answered) >= 1000, metrics
        assert not [line for line in answered if line[1].startswith("5")], answered
        assert sum(int(count) for _, status, count in answered if status == "401") >= 10, answered
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(timeout=15)
        web_ui.server.shutdown()
