"""Structured output and tool calls through the real model: what comes back always validates.

HEARTH_SCHEMA_SAMPLES (default 1) sets the samples per corpus schema and HEARTH_SCHEMA_TOKENS
(default 200) their length limit; the issue's full run (20 samples at temperature 1) is
`make test-structured`. A sample cut by the limit is not a finished answer and is not checked;
the test fails if more than a quarter of a schema's samples are cut.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import jsonschema
import pytest
import requests
from openai import OpenAI

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from make_schema_corpus import format_checker  # noqa: E402

CORPUS = json.loads((ROOT / "tests/fixtures/schema-corpus.json").read_text())
SAMPLES = int(os.environ.get("HEARTH_SCHEMA_SAMPLES", "1"))
MAX_TOKENS = int(os.environ.get("HEARTH_SCHEMA_TOKENS", "200"))

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather forecast for a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "days": {"type": "integer", "minimum": 1, "maximum": 14},
                "unit": {"enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city", "days", "unit"],
        },
    },
}
SEARCH_TOOL = {
    "type": "function",
    "function": {
        "name": "search",
        "description": "Search the web.",
        "parameters": {"type": "object", "properties": {"query": {"type": "string", "maxLength": 60}}, "required": ["query"]},
    },
}


@pytest.fixture
def client(base_url: str) -> OpenAI:
    return OpenAI(base_url=base_url + "/v1", api_key="sk-anything", max_retries=0, timeout=600)


@pytest.mark.parametrize("entry", CORPUS, ids=[entry["name"] for entry in CORPUS])
def test_every_sample_of_every_corpus_schema_validates(client: OpenAI, entry: dict) -> None:
    validator = jsonschema.Draft202012Validator(entry["schema"], format_checker=format_checker())
    checked = 0
    cut = 0
    while checked < SAMPLES:
        n = min(2, SAMPLES - checked)
        completion = client.chat.completions.create(
            model="x",
            messages=[
                {"role": "system", "content": "Answer with JSON only."},
                {"role": "user", "content": f"Write an example value for this JSON Schema:\n{json.dumps(entry['schema'])}"},
            ],
            response_format={"type": "json_schema", "json_schema": {"name": "sample", "schema": entry["schema"], "strict": True}},
            temperature=1,
            max_tokens=MAX_TOKENS,
            n=n,
        )
        for choice in completion.choices:
            checked += 1
            if choice.finish_reason == "length":
                cut += 1  # cut by max_tokens: not a finished answer
                continue
            value = json.loads(choice.message.content)
            errors = [error.message for error in validator.iter_errors(value)]
            assert not errors, (choice.message.content, errors)
    print(f"{entry['name']}: {SAMPLES - cut} of {SAMPLES} samples finished and validated, {cut} cut at {MAX_TOKENS} tokens")
    assert cut <= SAMPLES // 4 or SAMPLES < 4, f"{cut} of {SAMPLES} samples were cut by max_tokens"


def test_json_object_mode_returns_an_object(client: OpenAI) -> None:
    completion = client.chat.completions.create(
        model="x",
        messages=[{"role": "user", "content": "Describe a cat as a JSON object with two keys."}],
        response_format={"type": "json_object"},
        temperature=1,
        seed=7,
        max_tokens=300,
    )
    # A reply cut by max_tokens is cut JSON (as OpenAI's): the seed makes this one finish.
    assert completion.choices[0].finish_reason == "stop", completion.choices[0].message.content
    assert isinstance(json.loads(completion.choices[0].message.content), dict)


def test_completions_take_a_json_schema_and_vllm_fields(base_url: str) -> None:
    schema = {"type": "object", "properties": {"answer": {"type": "integer"}}, "required": ["answer"]}
    body = {"prompt": "2 + 2 = ", "max_tokens": 40, "json_schema": schema}
    text = requests.post(base_url + "/v1/completions", json=body, timeout=120).json()["choices"][0]["text"]
    jsonschema.validate(json.loads(text), schema)
    body = {"prompt": "Pick a colour:", "max_tokens": 10, "guided_choice": ["red", "green", "blue"]}
    assert requests.post(base_url + "/v1/completions", json=body, timeout=120).json()["choices"][0]["text"] in {"red", "green", "blue"}
    body = {"prompt": "A phone number:", "max_tokens": 20, "structured_outputs": {"regex": r"\d{3}-\d{4}"}}
    text = requests.post(base_url + "/v1/completions", json=body, timeout=120).json()["choices"][0]["text"]
    assert len(text) == 8 and text[3] == "-" and (text[:3] + text[4:]).isdigit()


@pytest.mark.parametrize(
    "field, body, param",
    [
        ("schema keyword", {"response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "string", "format": "email"}}}}, "response_format.json_schema.schema"),
        ("two constraints", {"response_format": {"type": "json_object"}, "guided_regex": "a+"}, "guided_regex"),
        ("regex", {"guided_regex": r"(a)\1"}, "guided_regex"),
        ("grammar", {"guided_grammar": "root ::= undefined-rule"}, "guided_grammar"),
        ("tool name", {"tools": [WEATHER_TOOL], "tool_choice": {"type": "function", "function": {"name": "nope"}}}, "tool_choice.function.name"),
        ("tool type", {"tools": [{"type": "retrieval"}]}, "tools[0].type"),
        # Refused where a call's shape is promised (required, named, strict); under auto a
        # non-strict tool's inexpressible keywords are left out of the constraint instead.
        ("tool schema", {"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {"a": {"not": {}}}}}}],
                         "tool_choice": "required"}, "tools[0].function.parameters"),
        ("strict tool schema", {"tools": [{"type": "function", "function": {"name": "f", "strict": True, "parameters": {"type": "object", "properties": {"a": {"not": {}}}}}}]},
         "tools[0].function.parameters"),
        ("choice without tools", {"tool_choice": "required"}, "tool_choice"),
    ],
)
def test_what_cannot_be_enforced_is_a_400_naming_the_field(base_url: str, field: str, body: dict, param: str) -> None:
    request = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 5, **body}
    response = requests.post(base_url + "/v1/chat/completions", json=request, timeout=60)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == param, error
    assert error["type"] == "invalid_request_error"


def weather_calls(client: OpenAI, tool_choice, n: int = 2):
    completion = client.chat.completions.create(
        model="x",
        messages=[{"role": "user", "content": "What will the weather be like in Lisbon this weekend?"}],
        tools=[WEATHER_TOOL, SEARCH_TOOL],
        tool_choice=tool_choice,
        # One call per reply: with parallel calls a model at temperature 1 may chain calls until
        # max_tokens cuts the last one (finish_reason "length"), which is not what is measured.
        parallel_tool_calls=False,
        temperature=1,
        max_tokens=150,
        n=n,
    )
    return completion.choices


@pytest.mark.parametrize("tool_choice", ["required", {"type": "function", "function": {"name": "get_weather"}}], ids=["required", "named"])
def test_forced_calls_have_valid_arguments_every_time(client: OpenAI, tool_choice) -> None:
    schemas = {tool["function"]["name"]: tool["function"]["parameters"] for tool in [WEATHER_TOOL, SEARCH_TOOL]}
    calls = 0
    # Ten calls per way of forcing, twenty in all (temperature 1: every sample differs).
    for _ in range(5):
        for choice in weather_calls(client, tool_choice):
            assert choice.finish_reason == "tool_calls", choice
            assert choice.message.content is None
            assert len(choice.message.tool_calls) == 1
            for call in choice.message.tool_calls:
                assert call.id.startswith("call_") and call.type == "function"
                if isinstance(tool_choice, dict):
                    assert call.function.name == "get_weather"
                jsonschema.validate(json.loads(call.function.arguments), schemas[call.function.name])
            calls += 1
    assert calls == 10


def test_a_streamed_call_concatenates_to_the_non_streamed_one(client: OpenAI) -> None:
    request = dict(
        model="x",
        messages=[{"role": "user", "content": "Weather in Oslo for 2 days, in celsius?"}],
        tools=[WEATHER_TOOL],
        tool_choice="required",
        temperature=0,
        max_tokens=120,
    )
    whole = client.chat.completions.create(**request).choices[0].message.tool_calls
    calls: dict[int, dict] = {}
    finish = None
    chunks = 0
    for chunk in client.chat.completions.create(**request, stream=True):
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        assert not delta.content, "tool-call markup leaked into content"
        for piece in delta.tool_calls or []:
            if piece.index not in calls:
                # The first piece of a call: index, id, type, name, arguments "".
                assert piece.id and piece.type == "function" and piece.function.name and piece.function.arguments == ""
                calls[piece.index] = {"name": piece.function.name, "arguments": ""}
                continue
            assert piece.id is None and piece.function.name is None
            calls[piece.index]["arguments"] += piece.function.arguments
            chunks += 1
        finish = chunk.choices[0].finish_reason or finish
    assert finish == "tool_calls"
    assert chunks > 3, "arguments came in one piece"
    assert [(c["name"], c["arguments"]) for c in calls.values()] == [(c.function.name, c.function.arguments) for c in whole]


def test_a_whole_tool_loop(client: OpenAI) -> None:
    messages = [{"role": "user", "content": "What is the weather in Rome for 1 day in celsius? Use the tool."}]
    first = client.chat.completions.create(model="x", messages=messages, tools=[WEATHER_TOOL], tool_choice="required", temperature=0, max_tokens=100)
    call = first.choices[0].message.tool_calls[0]
    messages.append(first.choices[0].message.model_dump(exclude_none=True))
    messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps({"forecast": "sunny, 24 degrees"})})
    second = client.chat.completions.create(model="x", messages=messages, tools=[WEATHER_TOOL], tool_choice="none", temperature=0, max_tokens=60)
    answer = second.choices[0]
    assert answer.finish_reason == "stop" and not answer.message.tool_calls
    assert "24" in answer.message.content or "sunny" in answer.message.content.lower()
