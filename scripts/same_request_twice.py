#!/usr/bin/env python3
"""How often a greedy reply changes when the same request comes again with its prefix cached
(docs/performance.md, "Replies that depend on their batch"): 20 short prompts, each made unique
and sent twice to a running server, 32 greedy tokens; prints how many pairs differ.

    .venv/bin/python scripts/same_request_twice.py --port 5000 [--rounds 4]
"""
from __future__ import annotations

import argparse
import uuid

import requests

PROMPTS = [
    "def fibonacci(n):", "The capital of France is", "Write a haiku about rain.",
    "class Stack:\n    def __init__(self):", "SELECT name FROM users WHERE",
    "Explain recursion in one sentence:", "import numpy as np\n\ndef normalize(v):",
    "Once upon a time, a robot", "The three laws of thermodynamics are",
    "fn main() {\n    let v = vec![1, 2, 3];", "<html>\n<head>\n<title>", "A good breakfast includes",
    "The quick brown fox", "def parse_date(text):", "Q: What is 17 * 23?\nA:", "Dear hiring manager,",
    "#include <stdio.h>\nint main() {", "The best way to learn Swift is", 'git commit -m "',
    "Photosynthesis converts",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    url = f"http://127.0.0.1:{args.port}/v1/completions"
    for round in range(args.rounds):
        differ = 0
        for prompt in PROMPTS:
            unique = f"[{uuid.uuid4().hex[:6]}] {prompt}"
            body = {"prompt": unique, "max_tokens": 32, "temperature": 0}
            first, second = (requests.post(url, json=body, timeout=300).json()["choices"][0]["text"] for _ in range(2))
            differ += first != second
        print(f"round {round + 1}: {differ} of {len(PROMPTS)} replies differ the second time")


if __name__ == "__main__":
    main()
