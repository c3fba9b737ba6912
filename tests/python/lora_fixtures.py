"""LoRA adapters whose effect on the logits is known in advance, written with the `gguf` package
for the default model (Qwen2.5-Coder, which has its own `output.weight`).

A "logit swap" adapter changes one row of the output projection: with A = W[source] - W[target]
(rank 1) and B = the one-hot column of `target`, the adapter adds `scale * (logit_source -
logit_target)` to the target's logit and nothing to any other. At scale 1 the target takes the
source's logit; at scale 2 it rises above it by the gap it had below; every other logit is
unchanged, bit for bit.
"""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from gguf import GGML_QUANT_SIZES, GGMLQuantizationType, GGUFWriter
from gguf.quants import dequantize


class OutputProjection:
    """The model's `output.weight`, located by reading the GGUF header directly (gguf's
    GGUFReader turns every metadata array into numpy objects: 15 s for this model's vocabulary)."""

    def __init__(self, model: Path) -> None:
        with open(model, "rb") as file:
            header = file.read(64 << 20)
        reader = _HeaderReader(header)
        assert reader.bytes(4) == b"GGUF"
        reader.u32()
        tensors, fields = reader.u64(), reader.u64()
        alignment = 32
        for _ in range(fields):
            key = reader.string()
            value = reader.value(reader.u32())
            if key == "general.alignment":
                alignment = value
        infos = {}
        for _ in range(tensors):
            name = reader.string()
            shape = [reader.u64() for _ in range(reader.u32())]
            infos[name] = (shape, GGMLQuantizationType(reader.u32()), reader.u64())
        data_start = (reader.offset + alignment - 1) // alignment * alignment
        shape, self.type, offset = infos["output.weight"]
        self.width, self.vocabulary = shape
        block, block_bytes = GGML_QUANT_SIZES[self.type]
        self.row_bytes = self.width // block * block_bytes
        self.data = np.memmap(model, dtype=np.uint8, mode="r", offset=data_start + offset, shape=(self.vocabulary, self.row_bytes))

    def row(self, token: int) -> np.ndarray:
        """One token's row, dequantized as llama.cpp reads it."""
        return dequantize(np.asarray(self.data[token:token + 1]), self.type)[0].astype(np.float32)


class _HeaderReader:
    """Little-endian GGUF header fields, skipping arrays without building them."""

    SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}

    def __init__(self, data: bytes) -> None:
        self.data, self.offset = data, 0

    def bytes(self, count: int) -> bytes:
        self.offset += count
        return self.data[self.offset - count:self.offset]

    def unpack(self, code: str):
        size = struct.calcsize("<" + code)
        return struct.unpack_from("<" + code, self.bytes(size))[0]

    def u32(self) -> int:
        return self.unpack("I")

    def u64(self) -> int:
        return self.unpack("Q")

    def string(self) -> str:
        return self.bytes(self.u64()).decode("utf-8", "replace")

    def value(self, kind: int):
        if kind == 8:
            return self.string()
        if kind == 9:
            item, count = self.u32(), self.u64()
            if item == 8:
                for _ in range(count):
                    length = self.u64()
                    self.offset += length
            else:
                self.offset += struct.calcsize("<" + self.SCALARS[item]) * count
            return None
        return self.unpack(self.SCALARS[kind])


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
