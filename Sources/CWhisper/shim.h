// whisper.cpp's C API and Hearth's audio decoder. scripts/setup_whisper.sh builds both into
// `.deps/whisper/` at the package root (against llama.cpp's ggml); the paths below are relative
// to this file so that neither pkg-config nor an environment variable is needed.
#include "../../.deps/whisper/include/whisper.h"
#include "../../.deps/whisper/include/hearth_audio.h"
