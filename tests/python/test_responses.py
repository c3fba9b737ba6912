"""OpenAI's Responses API (issue 14) with the `openai` client, unmodified: plain and streamed
responses, a function tool and its output sent back, a conversation continued through
`previous_response_id`, structured output, and the stored-response endpoints."""
from __future__ import annotations

import json
import time

import openai
import pytest
import requests
from openai import OpenAI

WEATHER = {
    "type": "function", "name": "get_weather", "description": "The current weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


@pytest.fixture(scope="module")
def client(base_url: str) -> OpenAI:
    return OpenAI(base_url=base_url + "/v1", api_key="unused", max_retries=0)


def test_a_response_and_its_stream_say_the_same(client: OpenAI, base_url: str) -> None:
    body = {"model": "hearth", "input": "Name three colors.", "max_output_tokens": 24, "temperature": 0}
    response = client.responses.create(**body)
    assert response.object == "response" and response.status in ("completed", "incomplete")
    assert response.output_text and response.usage.input_tokens > 0 and response.usage.output_tokens > 0
    deltas = []
    with client.responses.stream(**body) as stream:
        for event in stream:
            if event.type == "response.output_text.delta":
                deltas.append(event.delta)
        final = stream.get_final_response()
    assert len(deltas) > 1 and "".join(deltas) == response.output_text == final.output_text
    # The wire: typed events in OpenAI's order, numbered from 0.
    reply = requests.post(base_url + "/v1/responses", json={**body, "stream": True}, stream=True, timeout=60)
    events = [json.loads(line[6:]) for line in reply.iter_lines(decode_unicode=True) if line.startswith("data: ")]
    names = [event["type"] for event in events]
    assert names[:4] == ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]
    assert names[-4:] == ["response.output_text.done", "response.content_part.done", "response.output_item.done",
                          "response.completed" if final.status == "completed" else "response.incomplete"]
    assert [event["sequence_number"] for event in events] == list(range(len(events)))


def test_max_output_tokens_makes_an_incomplete_response(client: OpenAI) -> None:
    response = client.responses.create(model="hearth", input="Tell me about the sea.", max_output_tokens=3)
    assert response.status == "incomplete" and response.incomplete_details.reason == "max_output_tokens"


def test_previous_response_id_continues_a_conversation(client: OpenAI) -> None:
    first = client.responses.create(model="hearth", input="My name is Ada. Reply with OK.", max_output_tokens=8, temperature=0)
    second = client.responses.create(model="hearth", input="What is my name?", previous_response_id=first.id,
                                     max_output_tokens=16, temperature=0)
    assert "Ada" in second.output_text
    # The history's KV state was reused, and the usage says how much of the prompt that was.
    assert 0 < second.usage.input_tokens_details.cached_tokens < second.usage.input_tokens
    third = client.responses.create(model="hearth", input="Spell it backwards, letters only.", previous_response_id=second.id,
                                    max_output_tokens=16, temperature=0)
    assert third.previous_response_id == second.id and third.output_text
    # Stored: retrievable, its input listed, deletable.
    assert client.responses.retrieve(second.id).output_text == second.output_text
    items = list(client.responses.input_items.list(second.id))
    assert len(items) == 1 and items[0].content[0].text == "What is my name?"
    client.responses.delete(first.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(first.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.create(model="hearth", input="Hi", previous_response_id=first.id)
    # store: false keeps nothing.
    unstored = client.responses.create(model="hearth", input="Hi", max_output_tokens=2, store=False)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(unstored.id)


def test_a_function_tool_and_its_output(client: OpenAI) -> None:
    asked = client.responses.create(model="hearth", input="What is the weather in Paris?", tools=[WEATHER], tool_choice="required",
                                    parallel_tool_calls=False, max_output_tokens=60)
    call = next(item for item in asked.output if item.type == "function_call")
    assert call.name == "get_weather" and "city" in json.loads(call.arguments) and call.call_id
    answered = client.responses.create(model="hearth", previous_response_id=asked.id, max_output_tokens=40, temperature=0,
                                       input=[{"type": "function_call_output", "call_id": call.call_id, "output": "Sunny, 24 C"}])
    assert answered.output_text
    # Streamed, the call's arguments arrive as fragments that add up.
    with client.responses.stream(model="hearth", input="What is the weather in Rome?", tools=[WEATHER], tool_choice="required",
                                 parallel_tool_calls=False, max_output_tokens=60) as stream:
        fragments = [event.delta for event in stream if event.type == "response.function_call_arguments.delta"]
        final = stream.get_final_response()
    streamed = next(item for item in final.output if item.type == "function_call")
    assert len(fragments) > 1 and "".join(fragments) == streamed.arguments


def test_text_format_json_schema(client: OpenAI) -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
              "required": ["name", "age"], "additionalProperties": False}
    response = client.responses.create(model="hearth", input="Give a person.", max_output_tokens=60,
                                       text={"format": {"type": "json_schema", "name": "person", "schema": schema, "strict": True}})
    person = json.loads(response.output_text)
    assert isinstance(person["name"], str) and isinstance(person["age"], int)


def test_bad_requests_name_the_field(client: OpenAI) -> None:
    for body, param in [
        ({"input": "x", "tools": [{"type": "web_search"}]}, "tools[0].type"),
        ({"input": [{"type": "item_reference", "id": "x"}]}, "input[0].type"),
        ({"input": [{"role": "user", "content": [{"type": "input_image", "image_url": "x"}]}]}, "input[0].content[0]"),
        ({}, "input"),
    ]:
        with pytest.raises(openai.BadRequestError) as refused:
            client.responses.create(model="hearth", **body)
        assert refused.value.body["param"] == param


def test_a_background_response_runs_on_and_can_be_cancelled(client: OpenAI) -> None:
    queued = client.responses.create(model="hearth", input="Say hi.", max_output_tokens=8, background=True)
    assert queued.status == "queued" and queued.background is True
    deadline = time.monotonic() + 60
    while (done := client.responses.retrieve(queued.id)).status in ("queued", "in_progress"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert done.status in ("completed", "incomplete") and done.output_text
    # Cancelling one that ended leaves it as it ended.
    assert client.responses.cancel(queued.id).status == done.status

    # Greedy, so it is the same long story every run (a sampled reply once ended within 0.5 s).
    long = client.responses.create(model="hearth", input="Write a very long story about the sea.", max_output_tokens=1500,
                                   temperature=0, background=True)
    time.sleep(0.5)
    assert client.responses.cancel(long.id).status == "cancelled"
    time.sleep(0.5)
    assert client.responses.retrieve(long.id).status == "cancelled"
    # Only background responses can be cancelled; background needs store and no stream.
    plain = client.responses.create(model="hearth", input="Hi", max_output_tokens=2)
    with pytest.raises(openai.BadRequestError):
        client.responses.cancel(plain.id)
    with pytest.raises(openai.BadRequestError, match="store"):
        client.responses.create(model="hearth", input="Hi", background=True, store=False)


def test_stored_responses_outlive_a_restart_with_responses_dir(tmp_path) -> None:
    from test_lifecycle import start, wait_until_serving

    folder = tmp_path / "responses"
    first_id = None
    for run in range(2):
        process, url = start("--responses-dir", str(folder), log=f"hearth-responses-dir-{run}.log")
        try:
            assert wait_until_serving(process, url)
            local = OpenAI(base_url=url + "/v1", api_key="unused", max_retries=0)
            if first_id is None:
                first = local.responses.create(model="hearth", input="My name is Ada. Reply with OK.", max_output_tokens=8,
                                               temperature=0)
                first_id = first.id
                assert (folder / f"{first_id}.json").exists()
                assert oct((folder / f"{first_id}.json").stat().st_mode & 0o777) == "0o600"
            else:
                # A new server continues the conversation the old one stored.
                assert local.responses.retrieve(first_id).id == first_id
                second = local.responses.create(model="hearth", input="What is my name?", previous_response_id=first_id,
                                                max_output_tokens=16, temperature=0)
                assert "Ada" in second.output_text
                local.responses.delete(first_id)
                assert not (folder / f"{first_id}.json").exists()
        finally:
            process.terminate()
            process.wait(timeout=30)
