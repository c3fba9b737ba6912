"""Ollama's API (issue 14) with the `ollama` Python client, unmodified: chat and generate,
streamed (NDJSON) and not, a tool call, JSON format, the model listings, and the endpoints an
offline server refuses."""
from __future__ import annotations

import json
import signal

import ollama
import pytest
import requests

from conftest import MODEL_ID
from test_lifecycle import start, wait_until_serving

GREEDY = {"temperature": 0, "num_predict": 12}


@pytest.fixture(scope="module")
def client(base_url: str) -> ollama.Client:
    return ollama.Client(host=base_url)


def test_a_chat_and_its_stream_say_the_same(client: ollama.Client, base_url: str) -> None:
    messages = [{"role": "user", "content": "Name three colors."}]
    whole = client.chat(model=MODEL_ID + ":latest", messages=messages, options=GREEDY, stream=False)
    assert whole.done and whole.done_reason in ("stop", "length") and whole.message.role == "assistant"
    assert whole.prompt_eval_count > 0 and whole.eval_count > 0 and whole.total_duration > 0
    parts = list(client.chat(model=MODEL_ID, messages=messages, options=GREEDY, stream=True))
    assert len(parts) > 2 and all(not part.done for part in parts[:-1]) and parts[-1].done
    assert "".join(part.message.content for part in parts) == whole.message.content
    assert parts[-1].eval_count == whole.eval_count
    # The wire: NDJSON, one object per line.
    reply = requests.post(base_url + "/api/chat", json={"model": MODEL_ID, "messages": messages, "options": GREEDY}, stream=True, timeout=60)
    assert reply.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in reply.iter_lines() if line]
    assert lines[-1]["done"] is True and lines[-1]["done_reason"] in ("stop", "length")


def test_generate_applies_the_template_and_counts_tokens(client: ollama.Client) -> None:
    whole = client.generate(model=MODEL_ID, prompt="What is 2 + 2? Answer with the number.", options=GREEDY)
    assert "4" in whole.response and whole.done
    parts = list(client.generate(model=MODEL_ID, prompt="What is 2 + 2? Answer with the number.", options=GREEDY, stream=True))
    assert "".join(part.response for part in parts) == whole.response
    # Greedy, so the reply is the same every run (sampled, it sometimes ended within 3 tokens).
    assert client.generate(model=MODEL_ID, prompt="Count: 1, 2, 3,", options={**GREEDY, "num_predict": 3}).done_reason == "length"


def test_a_tool_call_and_json_format(client: ollama.Client) -> None:
    def get_weather(city: str) -> str:
        """The current weather in a city.

        Args:
          city: the city
        """
        return "sunny"

    # Greedy: a sampled reply may answer in prose instead of calling the tool.
    reply = client.chat(model=MODEL_ID, options={"temperature": 0, "num_predict": 80},
                        messages=[{"role": "user", "content": "What is the weather in Paris?"}],
                        tools=[get_weather])
    call = reply.message.tool_calls[0]
    assert call.function.name == "get_weather" and "city" in call.function.arguments
    # The tool's answer goes back as a `tool` message.
    follow_up = client.chat(model=MODEL_ID, options=GREEDY, messages=[
        {"role": "user", "content": "What is the weather in Paris?"},
        reply.message,
        {"role": "tool", "content": "Sunny, 24 degrees Celsius.", "tool_name": "get_weather"},
    ])
    assert follow_up.message.content
    shaped = client.chat(model=MODEL_ID, messages=[{"role": "user", "content": "Give a person with a name and an age."}],
                         format={"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
                                 "required": ["name", "age"]},
                         options={"num_predict": 60})
    person = json.loads(shaped.message.content)
    assert isinstance(person["name"], str) and isinstance(person["age"], int)


def test_listings(client: ollama.Client) -> None:
    names = [model.model for model in client.list().models]
    assert MODEL_ID + ":latest" in names and "gemma-3-270m-q4_k_m:latest" in names
    assert MODEL_ID + ":latest" in [model.model for model in client.ps().models]
    shown = client.show(MODEL_ID)
    assert "tools" in shown.capabilities and "<|im_start|>" in shown.template
    assert shown.modelinfo["general.architecture"] == "qwen2"
    assert requests.get(client._client.base_url.join("/api/version"), timeout=10).json()["version"]
    # Size and quantization come from the GGUF header (they were empty), as Ollama shows them.
    listed = next(model for model in client.list().models if model.model == MODEL_ID + ":latest")
    assert listed.details.quantization_level == "Q4_K_M" and listed.details.parameter_size.endswith("M")
    assert 400e6 < shown.modelinfo["general.parameter_count"] < 700e6
    assert shown.details.parameter_size == listed.details.parameter_size
    running = requests.get(client._client.base_url.join("/api/ps"), timeout=10).json()["models"]
    assert next(model for model in running if model["model"] == MODEL_ID + ":latest")["context_length"] == 2048


def test_what_an_offline_server_refuses(client: ollama.Client) -> None:
    with pytest.raises(ollama.ResponseError) as pulled:
        client.pull("llama3")
    assert pulled.value.status_code == 403 and "offline" in pulled.value.error
    with pytest.raises(ollama.ResponseError) as shown:
        client.show("no-such-model")
    assert shown.value.status_code == 404
    with pytest.raises(ollama.ResponseError) as imaged:
        client.chat(model=MODEL_ID, messages=[{"role": "user", "content": "What is this?", "images": [b"\x89PNG"]}])
    assert imaged.value.status_code == 400 and "images" in imaged.value.error
    with pytest.raises(ollama.ResponseError) as raw:
        client.generate(model=MODEL_ID, prompt="x", raw=True)
    assert raw.value.status_code == 400 and "/v1/completions" in raw.value.error


def test_the_api_key_guards_the_ollama_routes() -> None:
    process, url = start("--api-key", "secret", log="hearth-ollama-key.log")
    try:
        assert wait_until_serving(process, url)
        with pytest.raises(ollama.ResponseError) as refused:
            ollama.Client(host=url).list()
        assert refused.value.status_code == 401
        assert ollama.Client(host=url, headers={"Authorization": "Bearer secret"}).list().models
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0


def test_keep_alive_loads_unloads_and_sets_the_expiry(client: ollama.Client) -> None:
    import time
    from datetime import datetime, timezone

    def expiry() -> float | None:
        running = [model for model in client.ps().models if model.model.startswith(MODEL_ID)]
        return (running[0].expires_at - datetime.now(timezone.utc)).total_seconds() if running else None

    client.generate(model=MODEL_ID, prompt="Hi", options={"num_predict": 2}, keep_alive="5m")
    assert 250 < expiry() <= 300
    client.chat(model=MODEL_ID, messages=[{"role": "user", "content": "Hi"}], options={"num_predict": 2}, keep_alive=-1)
    assert expiry() > 10 ** 9
    # `ollama stop`: no prompt and keep_alive 0 unloads the model; no prompt alone loads it.
    stopped = client.generate(model=MODEL_ID, keep_alive=0)
    assert stopped.done and stopped.done_reason == "unload" and stopped.response == ""
    assert expiry() is None
    loaded = client.generate(model=MODEL_ID)
    assert loaded.done_reason == "load" and expiry() is not None
    # keep_alive 0 on a real request: answered, then unloaded once idle (checked every second).
    assert client.generate(model=MODEL_ID, prompt="Hi", options={"num_predict": 2}, keep_alive=0).done
    deadline = time.monotonic() + 5
    while expiry() is not None:
        assert time.monotonic() < deadline, "keep_alive 0 did not unload the model"
        time.sleep(0.2)
    with pytest.raises(ollama.ResponseError, match="keep_alive"):
        client.generate(model=MODEL_ID, prompt="Hi", keep_alive="soon")
    # Loaded again for the tests that follow.
    client.generate(model=MODEL_ID, keep_alive=-1)


def test_generate_returns_a_context_that_continues_the_conversation(client: ollama.Client, base_url: str) -> None:
    first = client.generate(model=MODEL_ID, prompt="My name is Ada. Say hello.", options=GREEDY)
    assert first.context and all(isinstance(token, int) for token in first.context)
    # The context holds the prompt and the reply: the next request evaluates all of it again,
    # plus its own prompt (no prefix of another request shares it, so it is counted in full
    # or read from the cache; either way, more than the new prompt alone).
    second = client.generate(model=MODEL_ID, prompt="What is my name?", context=first.context, options=GREEDY)
    alone = client.generate(model=MODEL_ID, prompt="What is my name?", options=GREEDY)
    assert second.done and second.prompt_eval_count > alone.prompt_eval_count
    streamed = list(client.generate(model=MODEL_ID, prompt="My name is Ada. Say hello.", options=GREEDY, stream=True))
    # Its last line carries the context too (its tokens are asserted by shape: a cached
    # prefix may change a reply's last digits of precision, so the replies may differ).
    assert streamed[-1].context and not any(part.context for part in streamed[:-1])
    refused = requests.post(base_url + "/api/generate", json={"model": MODEL_ID, "prompt": "x", "context": [1, -5]}, timeout=30)
    assert refused.status_code == 400 and "context[1]" in refused.json()["error"]
