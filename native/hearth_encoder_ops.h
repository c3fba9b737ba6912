#pragma once
// Operations for the sentence encoders' ggml graphs that ggml's CPU kernels do slowly: float32
// matrix products on OpenBLAS, and GELU without a libm call per element.
//
// ggml's own CPU kernels multiply float32 matrices at roughly two thirds of what a tuned BLAS
// reaches on the encoders' shapes; llama.cpp's BLAS backend would also take the language model's
// prompt products (dequantizing its weights on every call), so it is not enabled. Instead the
// encoders put this custom operation in their graphs: llama.cpp and its library stay as built.
// ggml's types, declared only: the C file includes ggml.h; Swift gets them from CLlama.
struct ggml_context;
struct ggml_tensor;

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// `x · weightᵀ + bias`: `weight` is [in, out] (ggml's order; a PyTorch Linear's [out][in]
/// row-major), `x` [in, tokens] with contiguous rows, `bias` [out] or NULL; all float32. The
/// result is [out, tokens], what `ggml_add(ggml_mul_mat(weight, x), bias)` gives up to float
/// rounding. ggml's threads each compute a share of the output columns with a single-threaded
/// sgemm, so the pass uses the threads the backend was given and no others.
struct ggml_tensor *hearth_blas_linear(
    struct ggml_context *context, struct ggml_tensor *weight, struct ggml_tensor *bias, struct ggml_tensor *x);

/// Whether this build has the bfloat16 product below (the CPU it was compiled for has AVX-512
/// BF16); without it, bfloat16 weights are multiplied by ggml's own kernel.
int hearth_bf16_available(void);

/// Copies a float32 matrix `[out][in]` (a PyTorch Linear's weight) into the layout
/// `hearth_bf16_linear` reads, rounded to bfloat16 (to nearest, ties to even, as PyTorch and
/// ggml round): panels of 64 outputs, within a panel pairs of inputs, 64 outputs × 2 inputs at
/// a time. `out` must be a multiple of 64 and `in` even; `packed` holds `out × in` values.
void hearth_bf16_pack(const float *weight, int64_t out, int64_t in, uint16_t *packed);

/// `x · weightᵀ + bias` with a packed bfloat16 weight (`hearth_bf16_pack`, stored in a BF16
/// tensor [in, out]), `x` bfloat16 [in, tokens] (ggml_cast of the float32 activations), `bias`
/// float32 [out] or NULL. Products of bfloat16 pairs summed in float32 (AVX-512 BF16), the bias
/// added in float32; result float32 [out, tokens]. Threads take panels of 64 outputs in turn.
struct ggml_tensor *hearth_bf16_linear(
    struct ggml_context *context, struct ggml_tensor *weight, struct ggml_tensor *bias, struct ggml_tensor *x);

/// Bidirectional multi-head self-attention over packed sequences, without padding: each
/// sequence's tokens attend to that sequence's tokens only. `q`, `k`, `v` are the projections
/// (bias added), [hidden, tokens] float32 with contiguous rows; `spans` is int32 [2, sequences],
/// each sequence's first token and token count; `bias`, when not NULL, is float32
/// [longest, longest, heads] added to the scaled scores, `bias[h][query][key]` (MPNet's
/// relative positions). Scores are `q·kᵀ / √(hidden / heads)`, softmax in float32 with a
/// vectorised exp (within 1.3 ulp). The result is [hidden, tokens], heads side by side.
struct ggml_tensor *hearth_attention(
    struct ggml_context *context, struct ggml_tensor *q, struct ggml_tensor *k, struct ggml_tensor *v, struct ggml_tensor *spans,
    struct ggml_tensor *bias, int heads);

/// GELU as BERT and MPNet define it, `x · (1 + erf(x / √2)) / 2`, in float32 with a rational
/// approximation of erf (absolute error under 4e-7, against ggml_gelu_erf's `erff` per element)
/// that the compiler vectorises. `x` contiguous; the result has its shape.
struct ggml_tensor *hearth_gelu(struct ggml_context *context, struct ggml_tensor *x);

/// The BLAS library and the kernel it chose for this CPU, e.g. "OpenBLAS 0.3.34.481.3
/// DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64".
const char *hearth_blas_description(void);

#ifdef __cplusplus
}
#endif
