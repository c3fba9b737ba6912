"""Calls of the engines API as `openai<0.28` makes them, run in a process of its own with that
package on its path (.venv/legacy-openai; the suite's own `openai` is the current one).

Usage: python legacy_openai_calls.py BASE_URL CALL; prints the result (or the error) as JSON.
"""
from __future__ import annotations

import json
import sys

import openai

MODEL_ID = "qwen2.5-coder-0.5b-instruct-q4_k_m"


def call(name: str):
    if name == "list":
        return openai.Engine.list()
    if name == "retrieve":
        return openai.Engine.retrieve(MODEL_ID)
    if name == "retrieve-unknown":
        return openai.Engine.retrieve("no-such-model")
    if name == "completion":
        return openai.Completion.create(engine=MODEL_ID, prompt="1, 2, 3,", max_tokens=5, temperature=0)
    if name == "completion-stream":
        return list(openai.Completion.create(engine=MODEL_ID, prompt="1, 2, 3,", max_tokens=5, temperature=0, stream=True))
    if name == "chat":
        return openai.ChatCompletion.create(
            engine=MODEL_ID, messages=[{"role": "user", "content": "Say hi."}], max_tokens=5, temperature=0
        )
    if name == "generate":
        return openai.Engine(id=MODEL_ID).generate(prompt="1, 2, 3,", length=5, temperature=0)
    if name == "generate-bad-length":
        return openai.Engine(id=MODEL_ID).generate(prompt="1, 2, 3,", length=-1)
    if name == "embedding":
        return openai.Embedding.create(engine="all-MiniLM-L6-v2", input="The cat sat.")
    raise SystemExit(f"unknown call {name}")


def main() -> None:
    openai.api_base = sys.argv[1] + "/v1"
    openai.api_key = "sk-none"
    try:
        result = call(sys.argv[2])
        print(json.dumps({"version": openai.version.VERSION, "result": result}, default=lambda value: dict(value)))
    except openai.error.OpenAIError as error:
        print(json.dumps({"version": openai.version.VERSION, "status": error.http_status, "error": error.json_body}))


if __name__ == "__main__":
    main()
