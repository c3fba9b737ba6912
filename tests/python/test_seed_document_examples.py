"""The three Python examples of the original API document, run against Hearth.

Two changes only, as agreed: scripted user input instead of the endless `input()` loop, and
stopping at the final `data: [DONE]` event (which OpenAI sends and the examples predate).
"""
from __future__ import annotations

import json

import requests
import sseclient  # pip install sseclient-py

SCRIPT = ["Hello!", "What did I just say?"]


def test_python_chat_example(base_url: str) -> None:
    url = base_url + "/v1/chat/completions"
    headers = {"Content-Type": "application/json"}
    history = []
    for user_message in SCRIPT:
        history.append({"role": "user", "content": user_message})
        data = {"mode": "chat", "character": "Example", "messages": history}
        response = requests.post(url, headers=headers, json=data, verify=False)
        assistant_message = response.json()["choices"][0]["message"]["content"]
        history.append({"role": "assistant", "content": assistant_message})
        assert assistant_message


def test_python_chat_example_with_streaming(base_url: str) -> None:
    url = base_url + "/v1/chat/completions"
    headers = {"Content-Type": "application/json"}
    history = []
    for user_message in SCRIPT:
        history.append({"role": "user", "content": user_message})
        data = {"mode": "instruct", "stream": True, "messages": history}
        stream_response = requests.post(url, headers=headers, json=data, verify=False, stream=True)
        client = sseclient.SSEClient(stream_response)
        assistant_message = ""
        for event in client.events():
            if event.data == "[DONE]":
                break
            payload = json.loads(event.data)
            chunk = payload["choices"][0]["message"]["content"]
            assistant_message += chunk
        history.append({"role": "assistant", "content": assistant_message})
        assert assistant_message


def test_python_completions_example_with_streaming(base_url: str) -> None:
    url = base_url + "/v1/completions"
    headers = {"Content-Type": "application/json"}
    data = {
        "prompt": "This is a cake recipe:\n\n1.",
        "max_tokens": 200,
        "temperature": 1,
        "top_p": 0.9,
        "seed": 10,
        "stream": True,
    }
    stream_response = requests.post(url, headers=headers, json=data, verify=False, stream=True)
    client = sseclient.SSEClient(stream_response)
    text = data["prompt"]
    for event in client.events():
        if event.data == "[DONE]":
            break
        payload = json.loads(event.data)
        text += payload["choices"][0]["text"]
    assert len(text) > len(data["prompt"])
