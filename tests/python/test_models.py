"""Several models by name (issue 11): the real default model (Qwen2.5-Coder, ChatML template)
and gemma-3-270m (no chat template in its GGUF: text-generation-webui's fallback, Alpaca)."""
from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from openai import OpenAI

from conftest import MODEL_ID
from test_lifecycle import start, wait_until_serving

GEMMA = "gemma-3-270m-q4_k_m"


def chat(url: str, model: str, headers: dict | None = None) -> dict:
    reply = requests.post(url + "/v1/chat/completions", headers=headers or {}, timeout=120,
                          json={"model": model, "messages": [{"role": "user", "content": "Say one word."}], "max_tokens": 4})
    assert reply.status_code == 200, reply.text
    return reply.json()


def prompt(url: str, model: str) -> str:
    reply = requests.post(url + "/v1/internal/chat-prompt", timeout=120,
                          json={"model": model, "messages": [{"role": "user", "content": "Hi"}]})
    assert reply.status_code == 200, reply.text
    return reply.json()["prompt"]


def test_switching_by_name_under_concurrent_requests() -> None:
    process, url = start("--models-max", "2", "--parallel", "2", log="hearth-models.log")
    try:
        assert wait_until_serving(process, url)
        listed = [model.id for model in OpenAI(base_url=url + "/v1", api_key="x").models.list()]
        assert listed[0] == MODEL_ID and GEMMA in listed
        names = [MODEL_ID, GEMMA] * 4
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(lambda name: chat(url, name), names))
        assert [answer["model"] for answer in answers] == names
        # Each model's own template: ChatML from Qwen's GGUF, Alpaca (the fallback) for gemma.
        assert "<|im_start|>user" in prompt(url, MODEL_ID)
        assert "### Instruction:" in prompt(url, GEMMA)
        # A name no model has is served by the default model.
        assert chat(url, "gpt-4o-mini")["model"] == MODEL_ID
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0


def test_one_resident_model_swaps_and_idles_out() -> None:
    process, url = start("--models-max", "1", "--model-ttl", "2", "--metrics", log="hearth-models-ttl.log")
    try:
        assert wait_until_serving(process, url)
        for name in (GEMMA, MODEL_ID, GEMMA):
            assert chat(url, name)["model"] == name
        assert requests.get(url + "/v1/models", timeout=10).json()["data"][0]["id"] == GEMMA
        # Only gemma is loaded: the default model is not.
        assert requests.get(url + "/v1/internal/model/info", timeout=10).json()["model_name"] == "None"
        # Idle past the TTL, gemma is unloaded: no slot is left.
        deadline = time.monotonic() + 30
        while "hearth_slots 0.0" not in requests.get(url + "/metrics", timeout=5).text:
            assert time.monotonic() < deadline, "the idle model was never unloaded"
            time.sleep(0.5)
        assert chat(url, "anything")["model"] == MODEL_ID
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0


def test_text_generation_webui_model_endpoints_and_admin_key() -> None:
    process, url = start("--api-key", "user-key", "--admin-key", "admin-key", "--ctx-size", "512", log="hearth-models-admin.log")
    user, admin = {"Authorization": "Bearer user-key"}, {"Authorization": "Bearer admin-key"}
    try:
        assert wait_until_serving(process, url)
        # The original document's examples, with the admin key.
        assert requests.get(url + "/v1/internal/model/list", headers=user, timeout=10).status_code == 401
        names = requests.get(url + "/v1/internal/model/list", headers={**admin, "Content-Type": "application/json"}, timeout=10).json()
        assert set(names["model_names"]) >= {MODEL_ID, GEMMA}
        load = {"model_name": GEMMA, "args": {"load_in_4bit": True, "n_gpu_layers": 12, "ctx_size": 1024},
                "settings": {"instruction_template": "Alpaca"}}
        assert requests.post(url + "/v1/internal/model/load", json=load, headers=user, timeout=60).status_code == 401
        loaded = requests.post(url + "/v1/internal/model/load", json=load, headers=admin, timeout=120)
        assert loaded.status_code == 200 and loaded.json() == "OK", loaded.text
        assert requests.get(url + "/v1/internal/model/info", headers=user, timeout=10).json()["model_name"] == GEMMA
        # The loaded model is now the default, with its template.
        assert chat(url, "gpt-4o-mini", headers=user)["model"] == GEMMA
        bad = requests.post(url + "/v1/internal/model/load", json={"model_name": GEMMA, "args": {"warp_drive": 1}}, headers=admin, timeout=60)
        assert bad.status_code == 400 and bad.json()["error"]["param"] == "args.warp_drive"
        # A failed load (found by the fuzzer: an unknown template) changes nothing.
        unknown = requests.post(url + "/v1/internal/model/load", json={"model_name": MODEL_ID, "instruction_template": "No Such Template"},
                                headers=admin, timeout=120)
        assert unknown.status_code == 400 and unknown.json()["error"]["param"] == "instruction_template", unknown.text
        assert chat(url, "gpt-4o-mini", headers=user)["model"] == GEMMA
        missing = requests.post(url + "/v1/internal/model/load", json={"model_name": "no-such-model"}, headers=admin, timeout=60)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "model_not_found"
        # Unloading names a loaded model, or unloads every one.
        not_loaded = requests.post(url + "/v1/internal/model/unload", headers=admin, json={"model_name": MODEL_ID}, timeout=60)
        assert not_loaded.status_code == 404 and not_loaded.json()["error"]["param"] == "model_name"
        assert requests.post(url + "/v1/internal/model/unload", headers=admin, json={}, timeout=60).json() == "OK"
        assert requests.get(url + "/v1/internal/model/info", headers=user, timeout=10).json()["model_name"] == "None"
        # The next request loads the default model again; unloading it by name unloads it.
        assert chat(url, "gpt-4o-mini", headers=user)["model"] == GEMMA
        assert requests.post(url + "/v1/internal/model/unload", headers=admin, json={"model_name": GEMMA}, timeout=60).json() == "OK"
        assert requests.get(url + "/v1/internal/model/info", headers=user, timeout=10).json()["model_name"] == "None"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0


def test_a_corrupt_model_file_is_an_error_naming_it_and_the_server_goes_on(tmp_path) -> None:
    from conftest import ROOT

    models = tmp_path / "models"
    models.mkdir()
    (models / f"{MODEL_ID}.gguf").symlink_to(ROOT / "models" / f"{MODEL_ID}.gguf")
    (models / "broken.gguf").write_bytes(b"GGUF" + b"\0" * 64)
    (models / "notes.gguf").write_text("not a model")
    process, url = start("--model-dir", str(models), "--models-max", "2", log="hearth-models-corrupt.log")
    try:
        assert wait_until_serving(process, url)
        assert {m["id"] for m in requests.get(url + "/v1/models", timeout=10).json()["data"]} == {MODEL_ID, "broken", "notes"}
        for name in ("broken", "notes"):
            reply = requests.post(url + "/v1/chat/completions", timeout=60,
                                  json={"model": name, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 2})
            assert reply.status_code == 500, reply.text
            error = reply.json()["error"]
            assert name in error["message"] and error["code"] == "model_load_failed"
        assert chat(url, MODEL_ID)["model"] == MODEL_ID
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
