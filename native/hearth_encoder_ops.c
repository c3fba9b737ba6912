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

static pthread_once_t single_threaded = PTHREAD_ONCE_INIT;

// ggml already runs one compute thread per core; OpenBLAS's own pool would compete with them.
static void use_one_blas_thread(void) { scipy_openblas_set_num_threads(1); }

// Output columns per share: a multiple of AVX-512's 16 floats, so no two threads write one
// cache line.
enum { COLUMN_GRAIN = 16 };

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
    pthread_once(&single_threaded, use_one_blas_thread);

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
    GGML_ASSERT(weight->ne[0] == x->ne[0] && ggml_is_contiguous(weight) && ggml_is_contiguous(x));
    GGML_ASSERT(x->ne[2] == 1 && x->ne[3] == 1);
    GGML_ASSERT(bias == NULL || (bias->type == GGML_TYPE_F32 && bias->ne[0] == weight->ne[1] && ggml_is_contiguous(bias)));
    struct ggml_tensor *args[3] = {weight, x, bias};
    return ggml_custom_4d(
        context, GGML_TYPE_F32, weight->ne[1], x->ne[1], 1, 1, args, bias != NULL ? 3 : 2, linear_share, GGML_N_TASKS_MAX,
        NULL);
}

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
    pthread_once(&single_threaded, use_one_blas_thread);
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
    snprintf(description, sizeof description, "%s (%s)", scipy_openblas_get_config(), scipy_openblas_get_corename());
}

const char *hearth_blas_description(void) {
    pthread_once(&described, describe);
    return description;
}
