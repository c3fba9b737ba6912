#!/usr/bin/env python3
"""Writes tests/fixtures/schema-corpus.json: JSON Schemas for the structured-output tests.

Each entry has a schema, instances that validate and instances that do not (both checked here
with `jsonschema`, so the fixture is right by construction). The Swift tests check that the
grammar Hearth builds accepts the valid instances and refuses the invalid ones, with
llama.cpp's own grammar engine; the Python tests generate from each schema through the real
model and validate what comes back. Pydantic-generated schemas are included as Pydantic writes
them and as the `openai` package rewrites them for strict mode.

Run from the repository root with the test environment: .venv/bin/python scripts/make_schema_corpus.py
"""
from __future__ import annotations

import datetime as dt
import enum
import json
from pathlib import Path
from typing import Literal, Optional, Union

import jsonschema
from openai.lib._pydantic import to_strict_json_schema
from pydantic import BaseModel, Field


TIME = r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"


def format_checker() -> jsonschema.FormatChecker:
    """The formats the grammar produces, checked strictly (jsonschema's own `time` check needs
    an optional package and its `uuid` accepts more)."""
    import re
    import uuid

    checker = jsonschema.FormatChecker(formats=["date"])
    checker.checks("time")(lambda v: not isinstance(v, str) or re.fullmatch(TIME, v) is not None)
    checker.checks("date-time")(
        lambda v: not isinstance(v, str) or re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T" + TIME, v) is not None
    )
    checker.checks("uuid")(lambda v: not isinstance(v, str) or (len(v) == 36 and uuid.UUID(v) is not None))
    return checker


def entry(name, schema, valid, invalid):
    return {"name": name, "schema": schema, "valid": valid, "invalid": invalid}


HAND_WRITTEN = [
    entry("string", {"type": "string"}, ["", "a\"b\\c\n", "é😀"], [1, None]),
    entry("integer", {"type": "integer"}, [0, -7, 1234567], [1.5, "1"]),
    entry("number", {"type": "number"}, [0, -1.25, 3e10], ["x", True]),
    entry("boolean", {"type": "boolean"}, [True, False], [0, "true"]),
    entry("null", {"type": "null"}, [None], [0, ""]),
    entry("any", {}, [1, "x", [1, {"a": None}]], []),
    entry("type-list", {"type": ["string", "null"]}, ["a", None], [1]),
    entry("enum", {"enum": ["red", "green", 3, None]}, ["red", 3, None], ["blue", 4]),
    entry("const", {"const": {"a": [1, 2]}}, [{"a": [1, 2]}], [{"a": [1]}]),
    entry(
        "object-required",
        {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}, "required": ["name", "age"]},
        [{"name": "Ada", "age": 36}],
        [{"name": "Ada"}, {"age": 3}],
    ),
    entry(
        "object-optional",
        {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}, "c": {"type": "boolean"}}, "required": ["b"]},
        [{"b": "x"}, {"a": 1, "b": "x"}, {"b": "x", "c": True}, {"a": 1, "b": "", "c": False}],
        [{"a": 1}, {"b": 1}],
    ),
    entry(
        "object-all-optional",
        {"type": "object", "properties": {"x": {"type": "number"}, "y": {"type": "number"}}},
        [{}, {"x": 1}, {"y": 2}, {"x": 1, "y": 2}],
        [{"x": "1"}],
    ),
    entry("object-closed-empty", {"type": "object", "additionalProperties": False}, [{}], [{"a": 1}]),
    entry(
        "map-of-integers",
        {"type": "object", "additionalProperties": {"type": "integer"}},
        [{}, {"a": 1, "b": 2}],
        [{"a": "x"}],
    ),
    entry("array-of-strings", {"type": "array", "items": {"type": "string"}}, [[], ["a", "b"]], [[1], "a"]),
    entry("array-bounds", {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 3}, [[1, 2], [1, 2, 3]], [[1], [1, 2, 3, 4]]),
    entry("array-min-only", {"type": "array", "items": {"type": "boolean"}, "minItems": 1}, [[True], [True, False, True]], [[]]),
    entry(
        "tuple",
        {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": False},
        [["a", 1]],
        [[1, "a"], ["a", 1, 2]],
    ),
    entry("string-length", {"type": "string", "minLength": 2, "maxLength": 4}, ["ab", "abcd"], ["a", "abcde"]),
    entry("pattern-phone", {"type": "string", "pattern": r"^\d{3}-\d{4}$"}, ["555-1234"], ["5551234", "555-12345"]),
    entry("pattern-alternation", {"type": "string", "pattern": "^(cat|dog)s?$"}, ["cat", "dogs"], ["cow", "cats!"]),
    entry("pattern-class", {"type": "string", "pattern": "^[A-Z][a-z]+( [A-Z][a-z]+)*$"}, ["Ada Lovelace", "Bob"], ["ada", "Ada  L"]),
    entry("format-date", {"type": "string", "format": "date"}, ["2026-11-30"], ["2026-13-01", "yesterday"]),
    entry("format-time", {"type": "string", "format": "time"}, ["12:30:00Z", "23:59:59.123+02:00"], ["24:00:00Z"]),
    entry("format-date-time", {"type": "string", "format": "date-time"}, ["2026-11-30T08:00:00Z"], ["2026-11-30 08:00"]),
    entry("format-uuid", {"type": "string", "format": "uuid"}, ["123e4567-e89b-12d3-a456-426614174000"], ["123e4567"]),
    entry("integer-range", {"type": "integer", "minimum": 1, "maximum": 100}, [1, 50, 100], [0, 101, -5]),
    entry("integer-negative-range", {"type": "integer", "minimum": -20, "maximum": -3}, [-20, -10, -3], [-2, -21, 0]),
    entry("integer-exclusive", {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10}, [1, 9], [0, 10]),
    entry("integer-lower-bound", {"type": "integer", "minimum": 18}, [18, 99, 1000], [17, 5]),
    entry("integer-upper-bound", {"type": "integer", "maximum": 5}, [5, 0, -100], [6, 60]),
    entry("anyOf", {"anyOf": [{"type": "integer"}, {"type": "string", "maxLength": 2}]}, [1, "ab"], ["abc", None]),
    entry(
        "oneOf-tagged",
        {
            "oneOf": [
                {"type": "object", "properties": {"kind": {"const": "circle"}, "r": {"type": "number"}}, "required": ["kind", "r"]},
                {"type": "object", "properties": {"kind": {"const": "square"}, "side": {"type": "number"}}, "required": ["kind", "side"]},
            ]
        },
        [{"kind": "circle", "r": 1}, {"kind": "square", "side": 2}],
        [{"kind": "circle", "side": 2}],
    ),
    entry(
        "allOf-merge",
        {
            "allOf": [
                {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                {"type": "object", "properties": {"b": {"type": "integer"}}, "required": ["b"]},
            ]
        },
        [{"a": "x", "b": 1}],
        [{"a": "x"}],
    ),
    entry(
        "ref-defs",
        {"$defs": {"point": {"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}}, "required": ["x", "y"]}},
         "type": "array", "items": {"$ref": "#/$defs/point"}, "maxItems": 3},
        [[{"x": 1, "y": 2}]],
        [[{"x": 1}]],
    ),
    entry(
        "recursive-tree",
        {"$defs": {"node": {"type": "object", "properties": {"value": {"type": "integer"}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}, "maxItems": 2}}, "required": ["value", "children"]}},
         "$ref": "#/$defs/node"},
        [{"value": 1, "children": [{"value": 2, "children": []}]}],
        [{"value": 1}],
    ),
    entry(
        "nested",
        {"type": "object", "properties": {"user": {"type": "object", "properties": {"id": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}}, "required": ["id", "tags"]}}, "required": ["user"]},
        [{"user": {"id": 1, "tags": ["a"]}}],
        [{"user": {"id": "1", "tags": []}}],
    ),
    entry(
        "six-fields",
        {
            "type": "object",
            "properties": {
                "title": {"type": "string"},
                "year": {"type": "integer", "minimum": 1900, "maximum": 2100},
                "rating": {"type": "number"},
                "genres": {"type": "array", "items": {"type": "string"}, "maxItems": 4},
                "status": {"enum": ["draft", "published", "archived"]},
                "available": {"type": "boolean"},
            },
            "required": ["title", "year", "rating", "genres", "status", "available"],
            "additionalProperties": False,
        },
        [{"title": "Dune", "year": 1965, "rating": 4.5, "genres": ["sf"], "status": "published", "available": True}],
        [{"title": "Dune", "year": 1865, "rating": 4.5, "genres": [], "status": "published", "available": True}],
    ),
    entry("escaped-keys", {"type": "object", "properties": {"a \"q\"": {"type": "integer"}, "b/c~d": {"type": "integer"}}, "required": ["a \"q\"", "b/c~d"]},
          [{"a \"q\"": 1, "b/c~d": 2}], [{"a": 1}]),
    entry("required-undeclared", {"type": "object", "required": ["id"]}, [{"id": 3}, {"id": "x"}], [{}]),
]


class Color(str, enum.Enum):
    red = "red"
    green = "green"


class Address(BaseModel):
    street: str
    city: str
    zip_code: Optional[str] = None


class Person(BaseModel):
    name: str = Field(description="Full name")
    age: int = Field(ge=0, le=150)
    email: Optional[str] = None
    favourite: Color = Color.red
    addresses: list[Address] = []


class Step(BaseModel):
    explanation: str
    output: str


class MathReasoning(BaseModel):
    steps: list[Step]
    final_answer: str


class Event(BaseModel):
    name: str
    date: dt.date
    participants: list[str]


class Cat(BaseModel):
    kind: Literal["cat"]
    meows: int


class Dog(BaseModel):
    kind: Literal["dog"]
    barks: float


class Pet(BaseModel):
    pet: Union[Cat, Dog] = Field(discriminator="kind")


class TreeNode(BaseModel):
    label: str
    children: list["TreeNode"] = []


class Weather(BaseModel):
    location: str
    unit: Literal["celsius", "fahrenheit"]
    days: int = Field(default=1, ge=1, le=14)


class Invoice(BaseModel):
    number: str = Field(pattern=r"^INV-\d{4}$")
    lines: list[tuple[str, int]]
    total: float
    paid: bool
    note: Optional[str] = None


PYDANTIC = [
    (Person, [{"name": "Ada", "age": 36}], [{"name": "Ada", "age": 200}]),
    (MathReasoning, [{"steps": [{"explanation": "a", "output": "b"}], "final_answer": "c"}], [{"steps": []}]),
    (Event, [{"name": "x", "date": "2026-11-30", "participants": []}], [{"name": "x", "participants": []}]),
    (Pet, [{"pet": {"kind": "cat", "meows": 3}}], [{"pet": {"kind": "cow"}}]),
    (TreeNode, [{"label": "a", "children": [{"label": "b"}]}], [{"children": []}]),
    (Weather, [{"location": "Paris", "unit": "celsius"}], [{"location": "Paris", "unit": "kelvin"}]),
    (Invoice, [{"number": "INV-0001", "lines": [["a", 1]], "total": 1.5, "paid": False}], [{"number": "INV-1", "lines": [], "total": 1, "paid": False}]),
]


def pydantic_entries():
    for model, valid, invalid in PYDANTIC:
        yield entry(f"pydantic-{model.__name__}", model.model_json_schema(), valid, invalid)
        strict = to_strict_json_schema(model)
        # Strict mode makes every field required (optional ones nullable).
        strict_valid = [model.model_validate(v).model_dump(mode="json") for v in valid]
        yield entry(f"pydantic-strict-{model.__name__}", strict, strict_valid, invalid)


def main():
    corpus = HAND_WRITTEN + list(pydantic_entries())
    for item in corpus:
        validator = jsonschema.Draft202012Validator(item["schema"], format_checker=format_checker())
        for instance in item["valid"]:
            errors = list(validator.iter_errors(instance))
            assert not errors, (item["name"], instance, errors[0].message)
        for instance in item["invalid"]:
            assert list(validator.iter_errors(instance)), (item["name"], instance, "should be invalid")
    path = Path("tests/fixtures/schema-corpus.json")
    path.write_text(json.dumps(corpus, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(corpus)} schemas written to {path}")


if __name__ == "__main__":
    main()
