// The sentence encoders' float32 matrix products on OpenBLAS. scripts/setup_encoder_ops.sh builds it
// into `.deps/encoder/` at the package root; the path is relative to this file so that neither
// pkg-config nor an environment variable is needed.
#include "../../.deps/encoder/include/hearth_encoder_ops.h"
