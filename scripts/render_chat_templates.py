#!/usr/bin/env python3
"""Renders every chat template with Python's jinja2, as Hugging Face transformers does, to give
the Swift Jinja engine its expected outputs.

    .venv/bin/python scripts/render_chat_templates.py [TEMPLATE_DIR]

TEMPLATE_DIR defaults to ../shared/chat-templates. For each template it renders every
conversation in Tests/JinjaTests/Conversations and writes
Tests/JinjaTests/Expected/<template>.json: {conversation: {"output": text} or {"error": message}}.

The environment is transformers' `_compile_jinja_template`: ImmutableSandboxedEnvironment with
trim_blocks, lstrip_blocks and loopcontrols, its `tojson` (json.dumps, ensure_ascii=False), the
`{% generation %}` tag, `raise_exception` and `strftime_now`. Hearth adds one filter that
transformers lacks, `from_json` (json.loads), which DeepSeek V4's template calls; it is defined
here too so that the comparison stays exact.
"""

import datetime
import json
import pathlib
import sys

import jinja2
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = pathlib.Path(__file__).resolve().parent.parent
CONVERSATIONS = ROOT / "Tests/JinjaTests/Conversations"
EXPECTED = ROOT / "Tests/JinjaTests/Expected"
# strftime_now's fixed clock, matched by the Swift test.
NOW = datetime.datetime(2026, 1, 15, 10, 30, 0)


class GenerationTag(Extension):
    """transformers' AssistantTracker, reduced to what rendering needs: the body is output."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def environment():
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationTag, jinja2.ext.loopcontrols]
    )
    env.filters["tojson"] = tojson
    env.filters["from_json"] = json.loads
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda fmt: NOW.strftime(fmt)
    return env


def main():
    template_dir = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared/chat-templates")
    conversations = {p.stem: json.loads(p.read_text()) for p in sorted(CONVERSATIONS.glob("*.json"))}
    env = environment()
    EXPECTED.mkdir(parents=True, exist_ok=True)
    for path in sorted(template_dir.glob("*.jinja")):
        results = {}
        try:
            template = env.from_string(path.read_text())
        except jinja2.exceptions.TemplateError as error:
            template, parse_error = None, str(error)
        for name, context in conversations.items():
            if template is None:
                results[name] = {"error": parse_error}
                continue
            try:
                # transformers passes tools=None when a chat has none; so does Hearth.
                variables = {"bos_token": "<s>", "eos_token": "</s>", "tools": None, **context}
                results[name] = {"output": template.render(**variables)}
            except Exception as error:  # noqa: BLE001 - any failure is an expected error
                results[name] = {"error": f"{type(error).__name__}: {error}"}
        out = EXPECTED / (path.stem + ".json")
        out.write_text(json.dumps(results, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        failed = sum("error" in r for r in results.values())
        print(f"{path.stem}: {len(results) - failed} rendered, {failed} raised")


if __name__ == "__main__":
    main()
