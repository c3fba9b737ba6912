#!/usr/bin/env python3
"""Reference data for Hearth's embeddings, produced once by sentence-transformers itself.

Run with a Python that has sentence-transformers (and so PyTorch), which Hearth's own setup never
installs:

    python3 -m venv ~/.cache/hearth/reference-venv
    ~/.cache/hearth/reference-venv/bin/pip install torch sentence-transformers
    ~/.cache/hearth/reference-venv/bin/python scripts/make_embedding_fixtures.py

It reads the models `scripts/fetch_models.py` installed in models/embeddings/ and writes
Tests/Fixtures/embeddings/<model>.json: for every text of the corpus below, the token ids the
model's tokenizer gives (truncated as sentence-transformers truncates) and the normalised
embedding (float32, little-endian, base64), and for a retrieval set, which document
sentence-transformers finds nearest to each query. The tests compare Hearth against these.
"""
from __future__ import annotations

import base64
import json
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "Tests" / "Fixtures" / "embeddings"

LONG = " ".join(f"word{n} and the quick brown fox jumps over the lazy dog number {n}." for n in range(120))

CORPUS = [
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "A man is eating food.",
    "A man is riding a horse.",
    "Two dogs play in the snow.",
    "How do I reset my password?",
    "What is the capital of France?",
    "Paris is the capital and most populous city of France.",
    "Machine learning models turn text into vectors.",
    "Embeddings place similar sentences close together.",
    "I love programming in Swift.",
    "The weather is lovely today, isn't it?",
    "It's raining cats and dogs!",
    "Don't count your chickens before they hatch.",
    "e-mail: someone@example.com, phone: +1 (555) 010-9999",
    "Price: $1,299.99 (20% off!) — limited time only...",
    "CAPITAL LETTERS SHOULD BE LOWER-CASED.",
    "Café, naïve, résumé, jalapeño, Zürich, Ångström.",
    "Straße und Mädchen in München.",
    "El niño comió una manzana.",
    "Москва — столица России.",
    "東京は日本の首都です。",
    "北京欢迎你",
    "안녕하세요 세계",
    "مرحبا بالعالم",
    "שלום עולם",
    "नमस्ते दुनिया",
    "Emoji: 😀🚀🔥 and symbols ∑ ∫ √ ∞ ≠ ≤",
    "Tabs\tand\nnewlines\r\nmixed   with    spaces",
    "   leading and trailing whitespace   ",
    " ",
    "\n\t ",
    ".",
    "a",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "def add(a, b):\n    return a + b",
    "for (int i = 0; i < n; ++i) { sum += values[i]; }",
    "SELECT name, email FROM users WHERE id = 42;",
    "<div class=\"note\">Hello <b>there</b></div>",
    "{\"key\": [1, 2, 3], \"nested\": {\"ok\": true}}",
    "https://example.com/path?query=value&other=1#fragment",
    "let xs = [1, 2, 3].map { $0 * 2 } // Swift closure",
    "#include <stdio.h>\nint main(void) { printf(\"hi\\n\"); }",
    "rm -rf /tmp/build && make -j4 test",
    "The mitochondria is the powerhouse of the cell.",
    "Photosynthesis converts light energy into chemical energy.",
    "The stock market fell sharply on Monday.",
    "Scientists discovered a new species of frog in the rainforest.",
    "Please submit the report by Friday afternoon.",
    "The cat sat on the mat.",
    "The feline rested upon the rug.",
    LONG,
    "Repeat " * 300,
    ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. " * 12).strip(),
]

DOCUMENTS = [
    "The Eiffel Tower is a wrought-iron lattice tower in Paris.",
    "Python is a popular programming language for data science.",
    "The Great Wall of China stretches thousands of kilometres.",
    "Bananas are a good source of potassium.",
    "The Pacific is the largest and deepest ocean on Earth.",
    "Mount Everest is the highest mountain above sea level.",
    "Vaccines train the immune system to recognise pathogens.",
    "The violin is a string instrument played with a bow.",
    "Bitcoin is a decentralised digital currency.",
    "Shakespeare wrote Hamlet and Macbeth.",
    "Coffee beans are roasted seeds of the coffee plant.",
    "The heart pumps blood through the circulatory system.",
    "Electric cars use batteries instead of petrol engines.",
    "The Amazon rainforest produces much of the world's oxygen.",
    "Chess is a board game for two players.",
    "Solar panels convert sunlight into electricity.",
    "The Moon orbits the Earth about every 27 days.",
    "Sourdough bread is leavened with wild yeast.",
    "Penguins live mostly in the Southern Hemisphere.",
    "The Rosetta Stone helped decipher Egyptian hieroglyphs.",
]

QUERIES = [
    "Which tower is in France?",
    "What language do data scientists use?",
    "Tell me about the biggest ocean.",
    "What is the tallest peak in the world?",
    "How do vaccines work?",
    "Which instrument uses a bow?",
    "What is a cryptocurrency?",
    "Who wrote Hamlet?",
    "Where do penguins live?",
    "How does solar power work?",
]

MODELS = {"all-MiniLM-L6-v2": 256, "all-mpnet-base-v2": 384}


def vector_text(vector) -> str:
    import numpy as np

    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode()


def main() -> None:
    import numpy as np
    import sentence_transformers
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(2)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, max_length in MODELS.items():
        model = SentenceTransformer(str(ROOT / "models" / "embeddings" / name), device="cpu")
        assert model.max_seq_length == max_length, model.max_seq_length
        vectors = model.encode(CORPUS, batch_size=16, normalize_embeddings=True, convert_to_numpy=True)
        ids = [model.tokenizer(text, truncation=True, max_length=max_length)["input_ids"] for text in CORPUS]
        documents = model.encode(DOCUMENTS, normalize_embeddings=True)
        queries = model.encode(QUERIES, normalize_embeddings=True)
        nearest = [int(np.argmax(documents @ query)) for query in queries]
        fixture = {
            "model": name,
            "produced_by": f"sentence-transformers {sentence_transformers.__version__}, torch {torch.__version__}, "
                           f"Python {platform.python_version()}, scripts/make_embedding_fixtures.py",
            "max_seq_length": max_length,
            "dimensions": int(vectors.shape[1]),
            "corpus": [{"text": text, "token_ids": ids[n], "embedding": vector_text(vectors[n])} for n, text in enumerate(CORPUS)],
            "retrieval": {"documents": DOCUMENTS, "queries": QUERIES, "nearest": nearest},
        }
        path = OUT / f"{name}.json"
        path.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n")
        print(f"{path}: {len(CORPUS)} texts, {vectors.shape[1]} dimensions, nearest {nearest}", file=sys.stderr)


if __name__ == "__main__":
    main()
