"""The official `openai` package drives Hearth exactly as a user's client would."""
from __future__ import annotations

import openai
import pytest
from openai import OpenAI

from conftest import MODEL_ID


@pytest.fixture
def client(base_url: str) -> OpenAI:
    return OpenAI(base_url=base_url + "/v1", api_key="sk-anything", max_retries=0)


def test_lists_the_installed_models_the_loaded_one_first(client: OpenAI) -> None:
    models = [model.id for model in client.models.list().data]
    assert models[0] == MODEL_ID and "gemma-3-270m-q4_k_m" in models
    assert client.models.retrieve(MODEL_ID).id == MODEL_ID


def test_chat_completion(client: OpenAI) -> None:
    completion = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": "You are a terse assistant."},
            {"role": "user", "content": "What is 2 + 2? Answer with the number."},
        ],
        temperature=0,
        max_tokens=16,
    )
    assert completion.id.startswith("chatcmpl-")
    assert completion.model == MODEL_ID
    assert completion.choices[0].message.role == "assistant"
    assert "4" in completion.choices[0].message.content
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens


def test_a_repeated_prompt_reports_its_cached_tokens(client: OpenAI) -> None:
    messages = [{"role": "user", "content": "List the planets of the solar system, one per line."}]
    client.chat.completions.create(model=MODEL_ID, messages=messages, max_tokens=2)
    again = client.chat.completions.create(model=MODEL_ID, messages=messages, max_tokens=2)
    # All but the prompt's last token (evaluated again for its logits) come from the KV cache.
    assert again.usage.prompt_tokens_details.cached_tokens == again.usage.prompt_tokens - 1


def test_chat_streaming_with_usage(client: OpenAI) -> None:
    stream = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Name a color."}],
        temperature=0,
        max_tokens=12,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text
    finished = [chunk.choices[0].finish_reason for chunk in chunks if chunk.choices and chunk.choices[0].finish_reason]
    assert finished in (["stop"], ["length"])
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0
    assert len({chunk.id for chunk in chunks}) == 1


def test_completion_and_its_stream_agree(client: OpenAI) -> None:
    # A seed has each request evaluate the whole prompt (no cached prefix), so both run the same
    # batches: a cached prefix would evaluate the last token alone, and llama.cpp's batched
    # products round a row differently from the same row alone (docs/performance.md).
    whole = client.completions.create(model="davinci-002", prompt="def square(x):", max_tokens=16, temperature=0, seed=5)
    assert whole.object == "text_completion"
    assert whole.choices[0].finish_reason == "length"
    assert whole.usage.completion_tokens == 16
    streamed = "".join(
        chunk.choices[0].text
        for chunk in client.completions.create(
            model="davinci-002", prompt="def square(x):", max_tokens=16, temperature=0, seed=5, stream=True
        )
    )
    assert streamed == whole.choices[0].text


def test_bad_request_raises_the_typed_error(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model="x", messages=[], max_tokens=4)
    assert raised.value.status_code == 400
    assert raised.value.body["param"] == "messages"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("no-such-model")


def test_chat_logprobs_and_n(client: OpenAI) -> None:
    completion = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Name a color."}],
        max_tokens=6,
        n=2,
        seed=7,
        logprobs=True,
        top_logprobs=3,
    )
    assert [choice.index for choice in completion.choices] == [0, 1]
    for choice in completion.choices:
        entries = choice.logprobs.content
        assert "".join(entry.token for entry in entries) == choice.message.content
        for entry in entries:
            assert entry.logprob <= 0
            assert bytes(entry.bytes).decode("utf-8", "replace") == entry.token
            ranked = [alternative.logprob for alternative in entry.top_logprobs]
            assert len(ranked) == 3 and ranked == sorted(ranked, reverse=True)


def test_completion_logprobs_with_echo(client: OpenAI) -> None:
    completion = client.completions.create(
        model="davinci-002", prompt="1, 2, 3,", max_tokens=3, temperature=0, logprobs=2, echo=True
    )
    logprobs = completion.choices[0].logprobs
    assert "".join(logprobs.tokens) == completion.choices[0].text
    assert logprobs.token_logprobs[0] is None
    assert all(value <= 0 for value in logprobs.token_logprobs[1:])
    assert logprobs.text_offset[0] == 0 and logprobs.text_offset == sorted(logprobs.text_offset)
    assert all(len(top) >= 1 for top in logprobs.top_logprobs[1:])


def test_modes_and_templates_through_extra_body(client: OpenAI) -> None:
    completion = client.chat.completions.create(
        model=MODEL_ID,
        messages=[{"role": "user", "content": "Say hi."}],
        max_tokens=8,
        temperature=0,
        extra_body={"mode": "instruct", "instruction_template": "Alpaca"},
    )
    assert completion.choices[0].message.content
    with pytest.raises(openai.BadRequestError) as error:
        client.chat.completions.create(
            model=MODEL_ID,
            messages=[{"role": "user", "content": "Hi"}],
            extra_body={"mode": "chat", "character": "Nobody"},
        )
    assert error.value.body["param"] == "character"


def test_reasoning_content_reaches_the_client(client: OpenAI) -> None:
    completion = client.chat.completions.create(
        model=MODEL_ID,
        messages=[{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "<think>"}],
        max_tokens=20,
        extra_body={"continue_": True, "grammar_string": 'root ::= "Easy.</think>\\n\\nFour."'},
    )
    message = completion.choices[0].message
    assert message.content == "Four."
    assert message.model_extra["reasoning_content"] == "Easy."
