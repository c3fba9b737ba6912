"""schemathesis hooks for test_fuzz.py (loaded through SCHEMATHESIS_HOOKS=fuzz_hooks)."""
from __future__ import annotations

import random
import zlib

import schemathesis

# Pieces of Jinja expressions at the edges of 64-bit arithmetic, string building and filters:
# templates a request sends are untrusted code (a probe once crashed the server with these).
_OPERANDS = ["0", "1", "-1", "2", "4611686018427387904", "(-9223372036854775807 - 1)", "9223372036854775807", "10",
             "1e19", "1e308", "-1e400", "'x'", "'ab' * 1000", "[1, 2]", "range(3)", "none", "'9' * 30"]
_OPERATORS = ["+", "-", "*", "/", "//", "%", "**", "~"]
_FILTERS = ["|int", "|abs", "|string", "|tojson", "|tojson(indent=-5)", "|indent(-3)", "|indent(99999999)", "|center(9999999999)",
            "|length", "|list", "|join", "|round(400)", "|batch(9223372036854775807)|list", "|replace('', 'xx')", "|float"]


def _expression(generator: random.Random, depth: int = 0) -> str:
    if depth > 2 or generator.random() < 0.3:
        text = generator.choice(_OPERANDS)
    else:
        text = f"({_expression(generator, depth + 1)} {generator.choice(_OPERATORS)} {_expression(generator, depth + 1)})"
    if generator.random() < 0.4:
        text += generator.choice(_FILTERS)
    return text


def _integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@schemathesis.hook
def before_call(context, case, kwargs):
    """At most two tokens and two choices per generating request, two short embedding inputs,
    no model unloading, in every phase: the fuzzing is about validation and framing, not the
    model, and must stay within minutes."""
    body = case.body
    if isinstance(body, dict):
        # Every protocol's limit: OpenAI's, the legacy generate's `length`, Responses',
        # Ollama's `options.num_predict`.
        for field in ("max_tokens", "max_completion_tokens", "length", "max_output_tokens"):
            if _integer(body.get(field)) and body[field] > 2:
                body[field] = 2
        if case.path in ("/api/chat", "/api/generate") and "options" not in body:
            body["options"] = {}
        options = body.get("options")
        if isinstance(options, dict) and (not _integer(options.get("num_predict")) or options["num_predict"] > 2 or options["num_predict"] < 0):
            options["num_predict"] = 2
        if "max_tokens" not in body and "max_completion_tokens" not in body:
            body["max_tokens"] = 2
        if _integer(body.get("n")) and body["n"] > 2:
            body["n"] = 2
        body.pop("max_tokens_second", None)
        # Hostile templates and grammar sizes, chosen by the case itself so a run repeats.
        generator = random.Random(zlib.crc32(repr(sorted(body.items(), key=str)).encode()))
        if case.path == "/v1/chat/completions" and generator.random() < 0.3:
            body["instruction_template_str"] = "{{ " + _expression(generator) + " }}"
        elif case.path in ("/v1/chat/completions", "/v1/completions") and generator.random() < 0.1:
            for field in ("response_format", "json_schema", "grammar_string", "guided_json", "guided_regex", "guided_grammar",
                          "structured_outputs", "tools", "tool_choice"):
                body.pop(field, None)
            body["guided_choice"] = [f"w{index}" for index in range(generator.choice([1, 300, 5_000, 10_001]))]
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
