#!/usr/bin/env python3
"""sentence-transformers' throughput on the sentences `hearth-bench --embeddings-only` embeds:
run by hearth-bench with the reference Python (see scripts/make_embedding_fixtures.py), never
by Hearth itself. Usage: bench_sentence_transformers.py SENTENCES.json THREADS MODEL-DIR...
Prints {"<model>": sentences per second, ...} as JSON (batches of 32, CPU, best of 3)."""
from __future__ import annotations

import json
import sys
import time


def main() -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    sentences = json.load(open(sys.argv[1]))
    torch.set_num_threads(int(sys.argv[2]))
    results = {}
    for folder in sys.argv[3:]:
        model = SentenceTransformer(folder, device="cpu")
        model.encode(sentences[:32], batch_size=32)
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            model.encode(sentences, batch_size=32, normalize_embeddings=True)
            best = min(best, time.perf_counter() - started)
        results[folder.rstrip("/").split("/")[-1]] = len(sentences) / best
    print(json.dumps(results))


if __name__ == "__main__":
    main()
