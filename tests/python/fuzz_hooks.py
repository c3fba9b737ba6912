"""schemathesis hooks for test_fuzz.py (loaded through SCHEMATHESIS_HOOKS=fuzz_hooks)."""
from __future__ import annotations

import schemathesis


def _integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@schemathesis.hook
def before_call(context, case, kwargs):
    """At most two tokens and two choices per generating request, two short embedding inputs,
    no model unloading, in every phase: the fuzzing is about validation and framing, not the
    model, and must stay within minutes."""
    body = case.body
    if isinstance(body, dict):
        for field in ("max_tokens", "max_completion_tokens"):
            if _integer(body.get(field)) and body[field] > 2:
                body[field] = 2
        if "max_tokens" not in body and "max_completion_tokens" not in body:
            body["max_tokens"] = 2
        if _integer(body.get("n")) and body["n"] > 2:
            body["n"] = 2
        body.pop("max_tokens_second", None)
        # Unloading the model (Ollama's keep_alive 0) would make every next request load it again.
        body.pop("keep_alive", None)
        # Embedding inputs of 2,048 long strings would spend the run in the encoder.
        for field in ("input", "prompt"):
            value = body.get(field)
            if isinstance(value, list) and len(value) > 2:
                body[field] = value[:2]
            if isinstance(body.get(field), list):
                body[field] = [item[:200] if isinstance(item, str) else item for item in body[field]]
            if isinstance(body.get(field), str):
                body[field] = body[field][:200]


@schemathesis.check
def openai_error_envelope(ctx, response, case):
    """Every error is OpenAI's envelope with all four members and a message (Anthropic's
    envelope under /v1/messages)."""
    if response.status_code < 400:
        return None
    if case.path.startswith("/api/"):
        body = response.json()
        if set(body) != {"error"} or not body["error"]:
            raise AssertionError(f"not Ollama's error envelope: {body}")
        return None
    if case.path.startswith("/v1/messages"):
        body = response.json()
        if body.get("type") != "error" or set(body["error"]) != {"type", "message"} or not body["error"]["message"]:
            raise AssertionError(f"not Anthropic's error envelope: {body}")
        return None
    error = response.json()["error"]
    if set(error) != {"message", "type", "param", "code"} or not error["message"]:
        raise AssertionError(f"not OpenAI's error envelope: {error}")
    return None
