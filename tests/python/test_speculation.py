"""Speculative decoding and OpenAI's Predicted Outputs through the `openai` client: the same
reply with speculation on and off, and the prediction's usage counts."""
from __future__ import annotations

import requests
from openai import OpenAI

CODE = """def total(prices, tax_rate):
    subtotal = 0.0
    for price in prices:
        subtotal += price
    tax = subtotal * tax_rate
    return subtotal + tax
"""

MESSAGES = [
    {"role": "system", "content": "You are a code editor. Reply with the complete edited file in one code block, nothing else."},
    {"role": "user", "content": f"Rename `subtotal` to `amount` in this file:\n```python\n{CODE}```"},
]


def client_for(base_url: str) -> OpenAI:
    return OpenAI(base_url=base_url + "/v1", api_key="sk-anything", max_retries=0)


def test_a_prediction_is_used_and_counted_and_changes_nothing(base_url: str) -> None:
    client = client_for(base_url)
    plain = client.chat.completions.create(
        model="m", messages=MESSAGES, temperature=0, max_tokens=120, extra_body={"speculative": False}
    )
    predicted = client.chat.completions.create(
        model="m",
        messages=MESSAGES,
        temperature=0,
        max_tokens=120,
        prediction={"type": "content", "content": f"```python\n{CODE}```"},
    )
    assert predicted.choices[0].message.content == plain.choices[0].message.content
    assert predicted.usage.completion_tokens == plain.usage.completion_tokens
    details = predicted.usage.completion_tokens_details
    # How much is drafted follows measured verify costs (timing), so only that drafts were taken.
    assert details.accepted_prediction_tokens > 0
    assert details.rejected_prediction_tokens >= 0
    assert plain.usage.completion_tokens_details.accepted_prediction_tokens == 0


def test_a_streamed_prediction_reports_its_counts_as_the_whole_reply_does(base_url: str) -> None:
    client = client_for(base_url)
    prediction = {"type": "content", "content": [{"type": "text", "text": f"```python\n{CODE}```"}]}
    whole = client.chat.completions.create(model="m", messages=MESSAGES, temperature=0, max_tokens=80, prediction=prediction)
    chunks = list(
        client.chat.completions.create(
            model="m",
            messages=MESSAGES,
            temperature=0,
            max_tokens=80,
            prediction=prediction,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == whole.choices[0].message.content
    usage = chunks[-1].usage
    assert (usage.prompt_tokens, usage.completion_tokens) == (whole.usage.prompt_tokens, whole.usage.completion_tokens)
    # How many drafted tokens are accepted is not a property of the request: each draft's length
    # comes from the verify cost the engine measures from its own tick times, so on a busy machine
    # two runs of the same request draft differently (CI read 20 streamed against 25 whole). Both
    # replies must report the count, and a count that can be true.
    for details, completion_tokens in [
        (usage.completion_tokens_details, usage.completion_tokens),
        (whole.usage.completion_tokens_details, whole.usage.completion_tokens),
    ]:
        assert 0 < details.accepted_prediction_tokens <= completion_tokens
        assert details.rejected_prediction_tokens >= 0


def test_a_bad_prediction_is_a_400_naming_the_field(base_url: str) -> None:
    for prediction, param in [
        ({"type": "file", "content": "x"}, "prediction.type"),
        ({"type": "content", "content": [{"type": "image_url", "text": "x"}]}, "prediction.content"),
        ({"type": "content", "content": 3}, "prediction.content"),
    ]:
        response = requests.post(
            base_url + "/v1/chat/completions",
            json={"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2, "prediction": prediction},
            timeout=30,
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"]["param"] == param


def test_speculative_must_be_a_boolean(base_url: str) -> None:
    response = requests.post(
        base_url + "/v1/chat/completions",
        json={"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2, "speculative": "no"},
        timeout=30,
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "speculative"
