"""LoRA adapters (issue 11): adapters built for the default model whose effect on the logits is
predicted exactly (tests/python/lora_fixtures.py), applied per request, globally through
text-generation-webui's endpoints and `--lora`, next to requests without them."""
from __future__ import annotations

import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from openai import OpenAI

from conftest import ROOT
from lora_fixtures import OutputProjection, write_logit_swap
from test_lifecycle import start, wait_until_serving

MODEL = ROOT / "models" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
PROMPT = "The capital of France is"
ADMIN = {"Authorization": "Bearer admin-key"}


@pytest.fixture(scope="module")
def lora_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("loras")
    process, url = start(log="hearth-lora-setup.log")
    try:
        assert wait_until_serving(process, url)
        paris, banana = requests.post(url + "/v1/internal/encode", json={"text": " Paris banana"}, timeout=30).json()["tokens"]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    # "banana" takes the logit of " Paris", the likeliest next token.
    projection = OutputProjection(MODEL)
    write_logit_swap(projection, folder / "banana.gguf", target=banana, source=paris)
    write_logit_swap(projection, folder / "other-arch.gguf", target=banana, source=paris, architecture="gemma3")
    (folder / "broken.gguf").write_bytes(b"GGUF" + bytes(60))
    return folder


@pytest.fixture(scope="module")
def server(lora_dir: Path):
    process, url = start("--lora-dir", str(lora_dir), "--admin-key", "admin-key", "--parallel", "4", log="hearth-lora.log")
    assert wait_until_serving(process, url)
    yield url
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0


def logits(url: str, **extra) -> dict[str, float]:
    # A seed makes the whole prompt evaluate again: the figures are comparable bit for bit.
    reply = requests.post(url + "/v1/internal/logits", json={"prompt": PROMPT, "top_logits": 8, "seed": 1, **extra}, timeout=60)
    assert reply.status_code == 200, reply.text
    return reply.json()


def first_word(url: str, **extra) -> str:
    reply = requests.post(url + "/v1/completions", json={"prompt": PROMPT, "max_tokens": 1, "temperature": 0, **extra}, timeout=60)
    assert reply.status_code == 200, reply.text
    return reply.json()["choices"][0]["text"]


def test_an_adapter_changes_the_logits_as_predicted_and_removing_it_restores_them(server: str) -> None:
    base = logits(server)
    assert next(iter(base)) == " Paris" and " banana" not in base
    adapted = logits(server, lora=[{"name": "banana", "scale": 1}])
    # The target takes the source's logit, to the rounding of the model's projection: the
    # adapter's product runs in f32, the model's on the hidden state quantized to 8 bits per
    # block of 32, so the two logits part by a sum of 896 rounding errors (0.5% to 6.5% apart in
    # probability across llama.cpp's kernels: repacked weights or not, attention patch or not)...
    assert adapted[" banana"] == pytest.approx(adapted[" Paris"], rel=0.1)
    # ...and every other logit is untouched: their ratios to " Paris" are the base model's.
    for token in (" London", " called"):
        assert adapted[token] / adapted[" Paris"] == pytest.approx(base[token] / base[" Paris"], rel=1e-6)
    # Renormalised around the one logit that moved: p' = p (1 - p'_banana) for the others.
    assert adapted[" London"] == pytest.approx(base[" London"] * (1 - adapted[" banana"]), rel=1e-3)
    # Scale 0 is the base model, exactly; by id (the index in lora/list) as by name.
    assert logits(server, lora=[{"id": 0, "scale": 0}]) == base
    assert logits(server, lora=[{"id": 0}]) == logits(server, lora=[{"name": "banana"}])
    # Scale 2 lifts " banana" above " Paris": greedy decoding says it.
    assert first_word(server, lora=[{"name": "banana", "scale": 2}]) == " banana"
    assert first_word(server) == " Paris"
    assert logits(server) == base


def test_text_generation_webui_lora_endpoints_apply_adapters_to_the_default_model(server: str) -> None:
    base = logits(server)
    assert requests.get(server + "/v1/internal/lora/list", timeout=10).status_code == 401
    listed = requests.get(server + "/v1/internal/lora/list", headers=ADMIN, timeout=10).json()
    assert listed == {"lora_names": ["banana", "broken", "other-arch"]}
    try:
        reply = requests.post(server + "/v1/internal/lora/load", headers=ADMIN, json={"lora_names": ["banana:2"]}, timeout=60)
        assert reply.status_code == 200 and reply.json() == "OK", reply.text
        assert requests.get(server + "/v1/internal/model/info", timeout=10).json()["lora_names"] == ["banana"]
        # Requests that name no adapter run with the active ones; `"lora": []` runs without.
        assert first_word(server) == " banana"
        assert logits(server, lora=[]) == base
        # A failed load changes nothing.
        refused = requests.post(server + "/v1/internal/lora/load", headers=ADMIN, json={"lora_names": ["banana", "nope"]}, timeout=60)
        assert refused.status_code == 400 and refused.json()["error"]["param"] == "lora_names[1]"
        assert first_word(server) == " banana"
    finally:
        assert requests.post(server + "/v1/internal/lora/unload", headers=ADMIN, timeout=60).json() == "OK"
    assert requests.get(server + "/v1/internal/model/info", timeout=10).json()["lora_names"] == []
    assert logits(server) == base


def test_requests_with_and_without_an_adapter_run_side_by_side(server: str) -> None:
    client = OpenAI(base_url=server + "/v1", api_key="x")

    def ask(adapted: bool) -> str:
        extra = {"lora": [{"name": "banana", "scale": 2}]} if adapted else {}
        stream = client.completions.create(model="x", prompt=PROMPT, max_tokens=12, temperature=0, stream=True, extra_body=extra)
        return "".join(chunk.choices[0].text for chunk in stream if chunk.choices)

    plan = [True, False] * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(ask, plan))
    for adapted, answer in zip(plan, answers):
        assert answer.startswith(" banana" if adapted else " Paris"), (adapted, answer)


@pytest.mark.parametrize(
    ("lora", "param", "words"),
    [
        ([{"name": "nope"}], "lora[0].name", "no LoRA adapter named 'nope'"),
        ([{"id": 9}], "lora[0].id", "no LoRA adapter has id 9"),
        ([{"scale": 1}], "lora[0].name", "Missing required parameter"),
        ([{"name": "banana", "scale": 50}], "lora[0].scale", "between -10 and 10"),
        ([{"name": "broken"}], "lora[0]", "broken.gguf"),
        ([{"name": "other-arch"}], "lora[0]", "arch"),
    ],
)
def test_bad_adapters_are_refused_by_name_and_the_server_keeps_serving(server: str, lora, param, words) -> None:
    body = {"prompt": PROMPT, "max_tokens": 2, "lora": lora}
    reply = requests.post(server + "/v1/completions", json=body, timeout=60)
    assert reply.status_code == 400, reply.text
    error = reply.json()["error"]
    assert words in error["message"] and error["param"] == param
    assert first_word(server) == " Paris"


def test_lora_at_start_and_an_unknown_name_stops_the_start(lora_dir: Path) -> None:
    process, url = start("--lora-dir", str(lora_dir), "--lora", "banana:2", log="hearth-lora-start.log")
    try:
        assert wait_until_serving(process, url)
        assert requests.get(url + "/v1/internal/model/info", timeout=10).json()["lora_names"] == ["banana"]
        assert first_word(url) == " banana"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    process, _ = start("--lora-dir", str(lora_dir), "--lora", "nope")
    _, stderr = process.communicate(timeout=120)
    assert process.returncode != 0 and b"no LoRA adapter named 'nope'" in stderr
