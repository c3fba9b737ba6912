"""LoRA adapters whose effect on the logits is known in advance, written with the `gguf` package
for the default model (Qwen2.5-Coder, which has its own `output.weight`).

A "logit swap" adapter changes one row of the output projection: with A = W[source] - W[target]
(rank 1) and B = the one-hot column of `target`, the adapter adds `scale * (logit_source -
logit_target)` to the target's logit and nothing to any other. At scale 1 the target takes the
source's logit; at scale 2 it rises above it by the gap it had below; every other logit is
unchanged, bit for bit.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from gguf import GGUFReader, GGUFWriter
from gguf.quants import dequantize


class OutputProjection:
    """The model's `output.weight`, read once (parsing a GGUF takes seconds)."""

    def __init__(self, model: Path) -> None:
        self.tensor = next(t for t in GGUFReader(model).tensors if t.name == "output.weight")
        self.vocabulary = int(self.tensor.shape[1])

    def row(self, token: int) -> np.ndarray:
        """One token's row, dequantized as llama.cpp reads it."""
        return dequantize(self.tensor.data[token:token + 1], self.tensor.tensor_type)[0].astype(np.float32)


def write_logit_swap(projection: OutputProjection, out: Path, *, target: int, source: int, architecture: str = "qwen2") -> Path:
    """An adapter that moves `target`'s logit onto `source`'s (scale 1)."""
    lora_a = (projection.row(source) - projection.row(target)).reshape(1, -1)  # ne = (n_embd, rank)
    lora_b = np.zeros((projection.vocabulary, 1), dtype=np.float32)  # ne = (rank, n_vocab)
    lora_b[target, 0] = 1.0
    writer = GGUFWriter(str(out), architecture)
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_tensor("output.weight.lora_a", lora_a)
    writer.add_tensor("output.weight.lora_b", lora_b)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out
