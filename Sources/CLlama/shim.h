// llama.cpp's C API. `make setup` builds llama.cpp (pip: llama-cpp-python) and links its
// installed headers and libraries to `.deps/llama/` at the package root; the path below is
// relative to this file so that neither pkg-config nor an environment variable is needed.
#include "../../.deps/llama/include/llama.h"
