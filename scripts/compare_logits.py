#!/usr/bin/env python3
"""The first-token distributions of 12 fixed prompts on two running servers (say, Hearth on the
patched library and the same binary with LD_LIBRARY_PATH at an unpatched one): how many share
their top token, and the largest difference in log probability over the tokens both list in
their top 20 (docs/performance.md, "Against the unpatched build").

    .venv/bin/python scripts/compare_logits.py --ports 5101,5102
"""
from __future__ import annotations

import argparse
import math

import requests

PROMPTS = [
    "The capital of France is", "def square(x):", "Once upon a time", "SELECT * FROM",
    "The quick brown fox jumps over", "import numpy as np\n",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n", "Photosynthesis is", "fn main() {",
    "Dear Sir or Madam,", "Numbers: 1, 2, 3, 4,", "The lighthouse keeper logged the wind, " * 40 + "and then",
]


def distribution(port: int, prompt: str) -> dict[str, float]:
    # A seed has the whole prompt evaluated afresh on both servers.
    body = {"prompt": prompt, "top_logits": 20, "seed": 1}
    return requests.post(f"http://127.0.0.1:{port}/v1/internal/logits", json=body, timeout=120).json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ports", required=True, help="two ports, comma-separated")
    first, second = (int(port) for port in parser.parse_args().ports.split(","))
    worst, where, same_top = 0.0, None, 0
    for prompt in PROMPTS:
        left, right = distribution(first, prompt), distribution(second, prompt)
        same_top += next(iter(left)) == next(iter(right))
        for token in left.keys() & right.keys():
            difference = abs(math.log(left[token]) - math.log(right[token]))
            if difference > worst:
                worst, where = difference, (prompt[:30], token)
    print(f"same top token: {same_top} of {len(PROMPTS)}")
    print(f"largest |log probability difference| over shared top-20 tokens: {worst:.4f} at {where}")


if __name__ == "__main__":
    main()
