// llama.cpp's C API. `make setup` builds llama.cpp (pip: llama-cpp-python) and links its
// installed headers and libraries to `.deps/llama/` at the package root; the path below is
// relative to this file so that neither pkg-config nor an environment variable is needed.
#include "../../.deps/llama/include/llama.h"
// ggml's graph allocator, for the sentence encoders Hearth computes with ggml itself.
#include "../../.deps/llama/include/ggml-alloc.h"
// The GGUF reader (ggml), for a model file's metadata without loading it.
#include "../../.deps/llama/include/gguf.h"

// glibc's malloc_trim, which Swift's Glibc module does not export: an unloaded model's freed
// heap is handed back to the system (MemoryRelease.swift).
#include <malloc.h>
