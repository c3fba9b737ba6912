// See hearth_encoder_ops.h. Built by scripts/setup_encoder_ops.sh against scipy-openblas32 (OpenBLAS from
// PyPI, self-contained, its symbols prefixed with `scipy_`).
#include "hearth_encoder_ops.h"

#include "ggml.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <scipy_openblas32/cblas.h>

// ggml already runs one compute thread per core, and llama.cpp its own: OpenBLAS's pool would
// compete with them. Set when the library loads (after OpenBLAS, which it depends on), so the
// pool's thread never runs.
__attribute__((constructor)) static void use_one_blas_thread(void) { scipy_openblas_set_num_threads(1); }

// Output columns per share: a multiple of AVX-512's 16 floats, so no two threads write one
// cache line.
enum { COLUMN_GRAIN = 16 };

// The node of a product `x · weightᵀ + bias` computed by `share` on each of ggml's threads:
// float32 [out, tokens] from weight [in, out], x [in, tokens] and bias [out] or NULL.
static struct ggml_tensor *linear_node(
    struct ggml_context *context, struct ggml_tensor *weight, struct ggml_tensor *bias, struct ggml_tensor *x, ggml_custom_op_t share) {
    GGML_ASSERT(weight->ne[0] == x->ne[0] && ggml_is_contiguous(weight) && ggml_is_contiguous(x));
    GGML_ASSERT(x->ne[2] == 1 && x->ne[3] == 1);
    GGML_ASSERT(bias == NULL || (bias->type == GGML_TYPE_F32 && bias->ne[0] == weight->ne[1] && ggml_is_contiguous(bias)));
    struct ggml_tensor *args[3] = {weight, x, bias};
    return ggml_custom_4d(
        context, GGML_TYPE_F32, weight->ne[1], x->ne[1], 1, 1, args, bias != NULL ? 3 : 2, share, GGML_N_TASKS_MAX, NULL);
}

static void linear_share(struct ggml_tensor *dst, int ith, int nth, void *userdata) {
    (void) userdata;
    const struct ggml_tensor *weight = dst->src[0];
    const struct ggml_tensor *x = dst->src[1];
    const struct ggml_tensor *bias = dst->src[2];
    const int64_t in = weight->ne[0], out = weight->ne[1], tokens = x->ne[1];
    const int64_t grains = (out + COLUMN_GRAIN - 1) / COLUMN_GRAIN;
    const int64_t first = grains * ith / nth * COLUMN_GRAIN;
    int64_t last = grains * (ith + 1) / nth * COLUMN_GRAIN;
    if (last > out) last = out;
    if (first >= last) return;

    float *result = (float *) dst->data;
    const size_t result_row = dst->nb[1] / sizeof(float);
    float beta = 0;
    if (bias != NULL) {
        const float *b = (const float *) bias->data + first;
        for (int64_t t = 0; t < tokens; t++) {
            memcpy(result + t * result_row + first, b, (size_t) (last - first) * sizeof(float));
        }
        beta = 1;
    }
    const float *w = (const float *) ((const char *) weight->data + first * weight->nb[1]);
    scipy_cblas_sgemm(
        CblasRowMajor, CblasNoTrans, CblasTrans, (blasint) tokens, (blasint) (last - first), (blasint) in, 1.0f,
        (const float *) x->data, (blasint) (x->nb[1] / sizeof(float)), w, (blasint) (weight->nb[1] / sizeof(float)), beta,
        result + first, (blasint) result_row);
}

struct ggml_tensor *hearth_blas_linear(
    struct ggml_context *context, struct ggml_tensor *weight, struct ggml_tensor *bias, struct ggml_tensor *x) {
    GGML_ASSERT(weight->type == GGML_TYPE_F32 && x->type == GGML_TYPE_F32);
    return linear_node(context, weight, bias, x, linear_share);
}

// bfloat16 products: 6 token rows × 64 outputs per tile, 24 float32 accumulators, one
// `vdpbf16ps` per accumulator and input pair; the weight panel stays in L2 while the rows pass.
enum { BF16_PANEL = 64, BF16_ROWS = 6 };

static uint16_t bf16_round(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    if ((bits & 0x7fffffff) > 0x7f800000) return (uint16_t) ((bits >> 16) | 64);  // NaN stays NaN
    return (uint16_t) ((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);
}

void hearth_bf16_pack(const float *weight, int64_t out, int64_t in, uint16_t *packed) {
    const int64_t pairs = in / 2;
    for (int64_t panel = 0; panel < out / BF16_PANEL; panel++) {
        for (int64_t pair = 0; pair < pairs; pair++) {
            uint16_t *to = packed + (panel * pairs + pair) * BF16_PANEL * 2;
            for (int64_t column = 0; column < BF16_PANEL; column++) {
                const float *row = weight + (panel * BF16_PANEL + column) * in + 2 * pair;
                to[2 * column] = bf16_round(row[0]);
                to[2 * column + 1] = bf16_round(row[1]);
            }
        }
    }
}

#if defined(__AVX512F__) && defined(__AVX512BF16__)
#include <immintrin.h>

int hearth_bf16_available(void) { return 1; }

// One tile: `rows` (≤ 6, a constant once inlined, so the accumulators live in registers) token
// rows of `x` against one 64-output panel, over every input pair.
static inline __attribute__((always_inline)) void bf16_tile(
    int rows, const uint16_t *x, int64_t in, const uint16_t *panel, const float *bias, float *result, int64_t result_row) {
    __m512 sum[BF16_ROWS][4];
    for (int r = 0; r < rows; r++) {
        for (int j = 0; j < 4; j++) sum[r][j] = bias != NULL ? _mm512_loadu_ps(bias + 16 * j) : _mm512_setzero_ps();
    }
    for (int64_t pair = 0; pair < in / 2; pair++) {
        const __m512i *w = (const __m512i *) (panel + pair * BF16_PANEL * 2);
        const __m512bh w0 = (__m512bh) _mm512_loadu_si512(w), w1 = (__m512bh) _mm512_loadu_si512(w + 1);
        const __m512bh w2 = (__m512bh) _mm512_loadu_si512(w + 2), w3 = (__m512bh) _mm512_loadu_si512(w + 3);
        for (int r = 0; r < rows; r++) {
            int32_t both;
            memcpy(&both, x + r * in + 2 * pair, sizeof both);
            const __m512bh b = (__m512bh) _mm512_set1_epi32(both);
            sum[r][0] = _mm512_dpbf16_ps(sum[r][0], b, w0);
            sum[r][1] = _mm512_dpbf16_ps(sum[r][1], b, w1);
            sum[r][2] = _mm512_dpbf16_ps(sum[r][2], b, w2);
            sum[r][3] = _mm512_dpbf16_ps(sum[r][3], b, w3);
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int j = 0; j < 4; j++) _mm512_storeu_ps(result + r * result_row + 16 * j, sum[r][j]);
    }
}

static void bf16_linear_share(struct ggml_tensor *dst, int ith, int nth, void *userdata) {
    (void) userdata;
    const struct ggml_tensor *weight = dst->src[0], *x = dst->src[1], *bias = dst->src[2];
    const int64_t in = weight->ne[0], out = weight->ne[1], tokens = x->ne[1];
    const int64_t x_row = x->nb[1] / sizeof(uint16_t), result_row = dst->nb[1] / sizeof(float);
    for (int64_t panel = ith; panel < out / BF16_PANEL; panel += nth) {
        const uint16_t *w = (const uint16_t *) weight->data + panel * in * BF16_PANEL;
        const float *b = bias != NULL ? (const float *) bias->data + panel * BF16_PANEL : NULL;
        for (int64_t first = 0; first < tokens; first += BF16_ROWS) {
            const uint16_t *rows = (const uint16_t *) x->data + first * x_row;
            float *result = (float *) dst->data + first * result_row + panel * BF16_PANEL;
            switch (tokens - first < BF16_ROWS ? tokens - first : BF16_ROWS) {
            case 6: bf16_tile(6, rows, in, w, b, result, result_row); break;
            case 5: bf16_tile(5, rows, in, w, b, result, result_row); break;
            case 4: bf16_tile(4, rows, in, w, b, result, result_row); break;
            case 3: bf16_tile(3, rows, in, w, b, result, result_row); break;
            case 2: bf16_tile(2, rows, in, w, b, result, result_row); break;
            default: bf16_tile(1, rows, in, w, b, result, result_row); break;
            }
        }
    }
}

struct ggml_tensor *hearth_bf16_linear(
    struct ggml_context *context, struct ggml_tensor *weight, struct ggml_tensor *bias, struct ggml_tensor *x) {
    GGML_ASSERT(weight->type == GGML_TYPE_BF16 && x->type == GGML_TYPE_BF16);
    GGML_ASSERT(weight->ne[0] % 2 == 0 && weight->ne[1] % BF16_PANEL == 0);
    return linear_node(context, weight, bias, x, bf16_linear_share);
}
#else
int hearth_bf16_available(void) { return 0; }

struct ggml_tensor *hearth_bf16_linear(
    struct ggml_context *context, struct ggml_tensor *weight, struct ggml_tensor *bias, struct ggml_tensor *x) {
    (void) context, (void) weight, (void) bias, (void) x;
    GGML_ABORT("hearth_bf16_linear: this build has no AVX-512 BF16 (check hearth_bf16_available first)");
}
#endif

// erf on [-4, 4] (beyond, erf is ±1 in float32) as p(x²)·x / q(x²): the rational
// approximation Eigen and XLA use for float32, without branches so that the loop vectorises.
static inline float erf_rational(float x) {
    const float low = x < -4.0f ? -4.0f : x;
    const float c = low > 4.0f ? 4.0f : low;
    const float c2 = c * c;
    float p = -2.72614225801306e-10f;
    p = p * c2 + 2.77068142495902e-08f;
    p = p * c2 - 2.10102402082508e-06f;
    p = p * c2 - 5.69250639462346e-05f;
    p = p * c2 - 7.34990630326855e-04f;
    p = p * c2 - 2.95459980854025e-03f;
    p = p * c2 - 1.60960333262415e-02f;
    float q = -1.45660718464996e-05f;
    q = q * c2 - 2.13374055278905e-04f;
    q = q * c2 - 1.68282697438203e-03f;
    q = q * c2 - 7.37332916720468e-03f;
    q = q * c2 - 1.42647390514189e-02f;
    return c * p / q;
}

static void gelu_share(struct ggml_tensor *dst, const struct ggml_tensor *x, int ith, int nth, void *userdata) {
    (void) userdata;
    const int64_t count = ggml_nelements(x);
    const int64_t first = count * ith / nth, last = count * (ith + 1) / nth;
    const float *restrict in = (const float *) x->data;
    float *restrict out = (float *) dst->data;
    for (int64_t i = first; i < last; i++) {
        out[i] = 0.5f * in[i] * (1.0f + erf_rational(in[i] * 0.70710678118654752f));
    }
}

struct ggml_tensor *hearth_gelu(struct ggml_context *context, struct ggml_tensor *x) {
    GGML_ASSERT(x->type == GGML_TYPE_F32 && ggml_is_contiguous(x));
    return ggml_map_custom1(context, x, gelu_share, GGML_N_TASKS_MAX, NULL);
}

// e^x for x <= 0 (softmax's shifted scores): 2^n · e^r with r in [-ln2/2, ln2/2] and e^r by its
// Taylor polynomial of degree 7; within 1.3 ulp of exp, without branches so that loops vectorise.
static inline float exp_nonpositive(float x) {
    x = x < -87.0f ? -87.0f : x;
    // x·log2(e) rounded to the nearest integer: adding and taking away 1.5·2²³ drops the fraction.
    const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    const float r = (x - n * 0.693145751953125f) - n * 1.42860682030941723212e-6f;
    float p = 1.0f / 5040;
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const union { int32_t bits; float value; } scale = {.bits = ((int32_t) n + 127) << 23};
    return p * scale.value;
}

// Sixteen running lanes (AVX-512's floats), so that the compiler vectorises the reductions
// without being allowed to reorder float arithmetic anywhere else.
enum { LANES = 16 };

static void softmax_row(float *restrict row, int64_t count) {
    float largest[LANES], sum[LANES];
    for (int l = 0; l < LANES; l++) largest[l] = -INFINITY, sum[l] = 0;
    int64_t i = 0;
    for (; i + LANES <= count; i += LANES) {
        for (int l = 0; l < LANES; l++) largest[l] = row[i + l] > largest[l] ? row[i + l] : largest[l];
    }
    for (; i < count; i++) largest[0] = row[i] > largest[0] ? row[i] : largest[0];
    float most = -INFINITY;
    for (int l = 0; l < LANES; l++) most = largest[l] > most ? largest[l] : most;
    for (i = 0; i < count; i++) row[i] = exp_nonpositive(row[i] - most);
    for (i = 0; i + LANES <= count; i += LANES) {
        for (int l = 0; l < LANES; l++) sum[l] += row[i + l];
    }
    for (; i < count; i++) sum[0] += row[i];
    float total = 0;
    for (int l = 0; l < LANES; l++) total += sum[l];
    const float inverse = 1.0f / total;
    for (i = 0; i < count; i++) row[i] *= inverse;
}

// The (sequence, head) pairs ith, ith + nth, …: scores, softmax and the weighted values of each,
// by sgemm on strided views of q, k and v (a head is `size` adjacent columns of each token row).
static void attention_share(struct ggml_tensor *dst, int ith, int nth, void *userdata) {
    const int heads = (int) (intptr_t) userdata;
    const struct ggml_tensor *q = dst->src[0], *k = dst->src[1], *v = dst->src[2], *spans = dst->src[3], *bias = dst->src[4];
    const int64_t hidden = q->ne[0], size = hidden / heads, sequences = spans->ne[1];
    const int32_t *span = (const int32_t *) spans->data;
    const int64_t row = q->nb[1] / sizeof(float), out_row = dst->nb[1] / sizeof(float);
    const int64_t longest = bias != NULL ? bias->ne[0] : 0;
    int64_t most = 0;
    for (int64_t s = 0; s < sequences; s++) most = span[2 * s + 1] > most ? span[2 * s + 1] : most;
    float *scores = malloc((size_t) (most * most) * sizeof(float));
    GGML_ASSERT(scores != NULL);
    const float scale = 1.0f / sqrtf((float) size);
    for (int64_t pair = ith; pair < sequences * heads; pair += nth) {
        const int64_t s = pair / heads, h = pair % heads, first = span[2 * s], count = span[2 * s + 1];
        if (count == 0) continue;
        const float *qs = (const float *) q->data + first * row + h * size;
        const float *ks = (const float *) k->data + first * row + h * size;
        const float *vs = (const float *) v->data + first * row + h * size;
        scipy_cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, (blasint) count, (blasint) count, (blasint) size, scale, qs, (blasint) row, ks,
            (blasint) row, 0.0f, scores, (blasint) count);
        for (int64_t i = 0; i < count; i++) {
            float *scored = scores + i * count;
            if (bias != NULL) {
                const float *b = (const float *) bias->data + (h * longest + i) * longest;
                for (int64_t j = 0; j < count; j++) scored[j] += b[j];
            }
            softmax_row(scored, count);
        }
        scipy_cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint) count, (blasint) size, (blasint) count, 1.0f, scores, (blasint) count,
            vs, (blasint) row, 0.0f, (float *) dst->data + first * out_row + h * size, (blasint) out_row);
    }
    free(scores);
}

struct ggml_tensor *hearth_attention(
    struct ggml_context *context, struct ggml_tensor *q, struct ggml_tensor *k, struct ggml_tensor *v, struct ggml_tensor *spans,
    struct ggml_tensor *bias, int heads) {
    GGML_ASSERT(q->type == GGML_TYPE_F32 && k->type == GGML_TYPE_F32 && v->type == GGML_TYPE_F32 && spans->type == GGML_TYPE_I32);
    GGML_ASSERT(ggml_are_same_shape(q, k) && ggml_are_same_shape(q, v) && q->ne[2] == 1 && q->ne[3] == 1);
    GGML_ASSERT(ggml_is_contiguous(q) && ggml_is_contiguous(k) && ggml_is_contiguous(v) && ggml_is_contiguous(spans));
    GGML_ASSERT(heads > 0 && q->ne[0] % heads == 0 && spans->ne[0] == 2);
    GGML_ASSERT(bias == NULL || (bias->type == GGML_TYPE_F32 && ggml_is_contiguous(bias) && bias->ne[0] == bias->ne[1] && bias->ne[2] == heads));
    struct ggml_tensor *args[5] = {q, k, v, spans, bias};
    return ggml_custom_4d(
        context, GGML_TYPE_F32, q->ne[0], q->ne[1], 1, 1, args, bias != NULL ? 5 : 4, attention_share, GGML_N_TASKS_MAX,
        (void *) (intptr_t) heads);
}

static char description[256];
static pthread_once_t described = PTHREAD_ONCE_INIT;

static void describe(void) {
    snprintf(description, sizeof description, "%s", scipy_openblas_get_config());
}

const char *hearth_blas_description(void) {
    pthread_once(&described, describe);
    return description;
}
