"""The original document's legacy engines routes, driven by `openai<0.28` itself (the last
client that speaks them): Engine.list, Engine.retrieve (which loads the model), Engine.generate
(`length`, `data`), and Completion/ChatCompletion/Embedding.create with `engine=`.

Replies are asserted by shape: every generating call is greedy, but what a 0.5B model says is
not the point here.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MODEL_ID, ROOT

LEGACY = ROOT / ".venv" / "legacy-openai"


def legacy(base_url: str, call: str) -> dict:
    script = Path(__file__).with_name("legacy_openai_calls.py")
    completed = subprocess.run(
        [sys.executable, str(script), base_url, call],
        env={**os.environ, "PYTHONPATH": str(LEGACY)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer = json.loads(completed.stdout)
    assert answer["version"].startswith("0.28"), "the legacy client is not the one on the path"
    return answer


def test_engine_list_names_the_models(base_url: str) -> None:
    engines = legacy(base_url, "list")["result"]
    assert engines["object"] == "list"
    ours = [engine for engine in engines["data"] if engine["id"] == MODEL_ID]
    assert ours and ours[0]["object"] == "engine" and ours[0]["ready"] is True


def test_engine_retrieve_loads_the_model_and_refuses_unknown_names(base_url: str) -> None:
    engine = legacy(base_url, "retrieve")["result"]
    assert (engine["id"], engine["object"], engine["ready"]) == (MODEL_ID, "engine", True)
    unknown = legacy(base_url, "retrieve-unknown")
    assert unknown["status"] == 404
    assert unknown["error"]["error"]["code"] == "model_not_found"


def test_completion_with_an_engine(base_url: str) -> None:
    completion = legacy(base_url, "completion")["result"]
    assert completion["object"] == "text_completion" and completion["model"] == MODEL_ID
    assert completion["choices"][0]["text"] and 1 <= completion["usage"]["completion_tokens"] <= 5


def test_streamed_completion_with_an_engine(base_url: str) -> None:
    chunks = legacy(base_url, "completion-stream")["result"]
    assert chunks and all(chunk["object"] == "text_completion" for chunk in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] in ("length", "stop")


def test_chat_completion_with_an_engine(base_url: str) -> None:
    chat = legacy(base_url, "chat")["result"]
    assert chat["object"] == "chat.completion" and chat["model"] == MODEL_ID
    assert chat["choices"][0]["message"]["role"] == "assistant"


def test_generate_reads_length_and_lists_data(base_url: str) -> None:
    generated = legacy(base_url, "generate")["result"]
    assert "choices" not in generated and generated["data"][0]["text"]
    assert generated["usage"]["completion_tokens"] <= 5


def test_generate_names_length_in_its_refusal(base_url: str) -> None:
    refused = legacy(base_url, "generate-bad-length")
    assert refused["status"] == 400
    assert refused["error"]["error"]["param"] == "length"


def test_embedding_with_an_engine(base_url: str) -> None:
    embedding = legacy(base_url, "embedding")["result"]
    assert embedding["model"] == "all-MiniLM-L6-v2" and len(embedding["data"][0]["embedding"]) == 384
