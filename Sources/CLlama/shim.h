// dladdr (below) is a GNU extension: declared only with _GNU_SOURCE, set before any header.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
// llama.cpp's C API. `make setup` builds llama.cpp (pip: llama-cpp-python) and links its
// installed headers and libraries to `.deps/llama/` at the package root; the path below is
// relative to this file so that neither pkg-config nor an environment variable is needed.
#include "../../.deps/llama/include/llama.h"
// ggml's graph allocator, for the sentence encoders Hearth computes with ggml itself.
#include "../../.deps/llama/include/ggml-alloc.h"
// The GGUF reader (ggml), for a model file's metadata without loading it.
#include "../../.deps/llama/include/gguf.h"
// ggml's RPC backend: a model's layers on llama.cpp's `ggml-rpc-server` workers (`--rpc`).
#include "../../.deps/llama/include/ggml-rpc.h"

// glibc's malloc_trim, which Swift's Glibc module does not export: an unloaded model's freed
// heap is handed back to the system (MemoryRelease.swift).
#include <malloc.h>

// The file the loaded libllama came from (dladdr, which Swift's Glibc module does not export): the setup records the llama.cpp patches beside it.
#include <dlfcn.h>
static inline const char *hearth_llama_library_path(void) {
    Dl_info info;
    return dladdr((const void *) llama_version, &info) != 0 ? info.dli_fname : 0;
}
