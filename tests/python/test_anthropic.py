"""Anthropic's Messages API (issue 14) with Anthropic's own SDK, unmodified: plain and streamed
messages, a whole tool loop, count_tokens, and errors in Anthropic's envelope."""
from __future__ import annotations

import json
import signal

import anthropic
import pytest
import requests

from test_lifecycle import start, wait_until_serving

WEATHER = {
    "name": "get_weather",
    "description": "The current weather in a city.",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
QUESTION = [{"role": "user", "content": "What is the weather in Paris?"}]


@pytest.fixture(scope="module")
def client(base_url: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=base_url, api_key="unused", max_retries=0)


def events(base_url: str, body: dict) -> list[tuple[str, dict]]:
    """The raw server-sent events of a streamed request: (event name, data)."""
    reply = requests.post(base_url + "/v1/messages", json={**body, "stream": True}, stream=True, timeout=120)
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/event-stream")
    parsed, name = [], None
    for line in reply.iter_lines(decode_unicode=True):
        if line.startswith("event: "):
            name = line[len("event: "):]
        elif line.startswith("data: "):
            data = json.loads(line[len("data: "):])
            assert data["type"] == name
            parsed.append((name, data))
    return parsed


def test_a_message_and_its_stream_say_the_same(client: anthropic.Anthropic, base_url: str) -> None:
    # Anthropic's SDK no longer has sampling arguments; clients send them as extra fields.
    greedy = {"temperature": 0}
    body = {"model": "hearth", "max_tokens": 24, "messages": [{"role": "user", "content": "Name three colors."}]}
    message = client.messages.create(**body, extra_body=greedy)
    assert message.type == "message" and message.role == "assistant"
    assert message.stop_reason in ("end_turn", "max_tokens") and message.usage.input_tokens > 0
    text = message.content[0].text
    assert text
    with client.messages.stream(**body, extra_body=greedy) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert len(pieces) > 1 and "".join(pieces) == text == final.content[0].text
    assert final.usage.output_tokens == message.usage.output_tokens
    # The events come in Anthropic's order, each block opened, grown and closed.
    names = [name for name, _ in events(base_url, {**body, **greedy})]
    assert names[:3] == ["message_start", "ping", "content_block_start"]
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert set(names[3:-3]) == {"content_block_delta"}


def test_max_tokens_and_system_and_count_tokens(client: anthropic.Anthropic) -> None:
    message = client.messages.create(model="hearth", max_tokens=3, system="Answer at length.",
                                     messages=[{"role": "user", "content": "Tell me about the sea."}])
    assert message.stop_reason == "max_tokens" and message.usage.output_tokens == 3
    counted = client.messages.count_tokens(model="hearth", system="Answer at length.",
                                           messages=[{"role": "user", "content": "Tell me about the sea."}])
    # Anthropic's input_tokens leave out the tokens read from the cache.
    assert counted.input_tokens == message.usage.input_tokens + message.usage.cache_read_input_tokens
    again = client.messages.create(model="hearth", max_tokens=3, system="Answer at length.",
                                   messages=[{"role": "user", "content": "Tell me about the sea."}])
    assert again.usage.cache_read_input_tokens > 0
    assert again.usage.input_tokens + again.usage.cache_read_input_tokens == counted.input_tokens


def test_a_stop_sequence_is_reported(client: anthropic.Anthropic, base_url: str) -> None:
    body = {"model": "hearth", "max_tokens": 40, "stop_sequences": [","],
            "messages": [{"role": "user", "content": "List the numbers from 1 to 10, separated by commas."}]}
    message = client.messages.create(**body, extra_body={"temperature": 0})
    assert message.stop_reason == "stop_sequence" and message.stop_sequence == ","
    assert "," not in message.content[0].text
    delta = next(data for name, data in events(base_url, {**body, "temperature": 0}) if name == "message_delta")
    assert delta["delta"] == {"stop_reason": "stop_sequence", "stop_sequence": ","}


def test_a_whole_tool_loop(client: anthropic.Anthropic) -> None:
    # Greedy: Anthropic's default temperature is 1, and a sampled city name can run past 64 tokens.
    first = client.messages.create(
        model="hearth", max_tokens=64, tools=[WEATHER], tool_choice={"type": "any"}, messages=QUESTION, extra_body={"temperature": 0}
    )
    assert first.stop_reason == "tool_use"
    call = next(block for block in first.content if block.type == "tool_use")
    assert call.name == "get_weather" and isinstance(call.input, dict) and "city" in call.input
    follow_up = QUESTION + [
        {"role": "assistant", "content": first.content},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "Sunny, 24 degrees Celsius."}]},
    ]
    # The result goes back without the tools: a 0.5B model shown them calls again.
    answer = client.messages.create(model="hearth", max_tokens=48, messages=follow_up, extra_body={"temperature": 0})
    assert answer.stop_reason in ("end_turn", "max_tokens")
    assert answer.content and all(block.type == "text" for block in answer.content)
    # The call and its result are in the prompt (what a 0.5B model makes of them is its own
    # judgement, not asserted): the follow-up's prompt holds the question, the call and the result.
    prompt_tokens = client.messages.count_tokens(model="hearth", messages=follow_up).input_tokens
    assert answer.usage.input_tokens + answer.usage.cache_read_input_tokens == prompt_tokens
    assert prompt_tokens > client.messages.count_tokens(model="hearth", messages=QUESTION).input_tokens + 20


def test_a_streamed_tool_call_arrives_as_input_json_fragments(client: anthropic.Anthropic, base_url: str) -> None:
    body = {"model": "hearth", "max_tokens": 64, "tools": [WEATHER], "tool_choice": {"type": "tool", "name": "get_weather"}, "messages": QUESTION}
    with client.messages.stream(**body, extra_body={"temperature": 0}) as stream:
        final = stream.get_final_message()
    call = next(block for block in final.content if block.type == "tool_use")
    assert final.stop_reason == "tool_use" and call.name == "get_weather" and "city" in call.input
    fragments = [data["delta"]["partial_json"] for name, data in events(base_url, body)
                 if name == "content_block_delta" and data["delta"]["type"] == "input_json_delta"]
    assert len(fragments) > 1 and "city" in json.loads("".join(fragments))


def test_thinking_is_accepted(client: anthropic.Anthropic) -> None:
    message = client.messages.create(model="hearth", max_tokens=8, thinking={"type": "enabled", "budget_tokens": 1024},
                                     messages=[{"role": "user", "content": "Hi"}])
    assert message.content and message.stop_reason in ("end_turn", "max_tokens")


def test_structured_output_is_enforced_not_ignored(client: anthropic.Anthropic) -> None:
    """`output_config.format` (what `messages.parse` sends) was once answered with free text."""
    import pydantic

    class City(pydantic.BaseModel):
        name: str
        country: str
        population: int

    parsed = client.messages.parse(model="hearth", max_tokens=80, output_format=City, extra_body={"temperature": 0},
                                   messages=[{"role": "user", "content": "Give me a city."}])
    assert isinstance(parsed.parsed_output, City)
    raw = client.messages.create(
        model="hearth", max_tokens=60, messages=[{"role": "user", "content": "Give me a number."}],
        extra_body={"temperature": 0, "output_config": {"format": {"type": "json_schema", "schema": {
            "type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"], "additionalProperties": False}}}},
    )
    assert isinstance(json.loads(raw.content[0].text)["n"], int)
    with pytest.raises(anthropic.BadRequestError, match="output_config.format.type"):
        client.messages.create(model="hearth", max_tokens=8, messages=QUESTION,
                               extra_body={"output_config": {"format": {"type": "xml", "schema": {}}}})


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"messages": QUESTION}, "max_tokens"),
        ({"max_tokens": 8, "messages": [{"role": "user", "content": [{"type": "image", "source": {}}]}]}, "messages[0].content[0].type"),
        ({"max_tokens": 8, "messages": QUESTION, "tools": [{"type": "web_search_20250305", "name": "web_search"}]}, "tools[0].type"),
        ({"max_tokens": 8, "messages": [{"role": "system", "content": "x"}]}, "messages[0].role"),
    ],
)
def test_bad_requests_get_anthropics_error_envelope(client: anthropic.Anthropic, base_url: str, body, words) -> None:
    reply = requests.post(base_url + "/v1/messages", json={"model": "hearth", **body}, timeout=30)
    assert reply.status_code == 400
    error = reply.json()
    assert error["type"] == "error" and error["error"]["type"] == "invalid_request_error" and words in error["error"]["message"]
    if "max_tokens" in body:  # the SDK itself refuses a request without it
        with pytest.raises(anthropic.BadRequestError):
            client.messages.create(model="hearth", **body)


def test_the_api_key_comes_as_x_api_key() -> None:
    process, url = start("--api-key", "secret", log="hearth-anthropic-key.log")
    try:
        assert wait_until_serving(process, url)
        good = anthropic.Anthropic(base_url=url, api_key="secret", max_retries=0)
        assert good.messages.create(model="hearth", max_tokens=2, messages=[{"role": "user", "content": "Hi"}]).content
        with pytest.raises(anthropic.AuthenticationError):
            anthropic.Anthropic(base_url=url, api_key="wrong", max_retries=0).messages.create(
                model="hearth", max_tokens=2, messages=[{"role": "user", "content": "Hi"}])
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
