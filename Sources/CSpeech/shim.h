// Hearth's speech synthesis (flite and the audio encoders). scripts/setup_speech.sh builds it
// into `.deps/speech/` at the package root; the path is relative to this file so that neither
// pkg-config nor an environment variable is needed.
#include "../../.deps/speech/include/hearth_speech.h"
