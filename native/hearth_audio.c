// Decodes an audio file held in memory (WAV, MP3, FLAC) to 16 kHz mono float samples, the input
// Whisper takes, with miniaudio (the single-header library whisper.cpp's own examples decode
// with; the setup compiles this file against the copy in whisper.cpp's source distribution).
#define MINIAUDIO_IMPLEMENTATION
#define MA_NO_DEVICE_IO
#define MA_NO_THREADING
#define MA_NO_ENCODING
#define MA_NO_GENERATION
#define MA_NO_RESOURCE_MANAGER
#define MA_NO_NODE_GRAPH
#define MA_NO_ENGINE
#include "miniaudio.h"

#include "hearth_audio.h"

#include <zlib.h>

int hearth_audio_decode(const void *bytes, size_t size, unsigned int sample_rate, unsigned long long max_frames,
                        float **samples, unsigned long long *count) {
    *samples = NULL;
    *count = 0;
    ma_decoder_config config = ma_decoder_config_init(ma_format_f32, 1, sample_rate);
    ma_decoder decoder;
    if (ma_decoder_init_memory(bytes, size, &config, &decoder) != MA_SUCCESS) return HEARTH_AUDIO_NOT_AUDIO;
    size_t capacity = 16000 * 30;
    float *buffer = malloc(capacity * sizeof(float));
    unsigned long long frames = 0;
    int status = HEARTH_AUDIO_OK;
    while (buffer != NULL) {
        if (frames == capacity) {
            float *grown = realloc(buffer, 2 * capacity * sizeof(float));
            if (grown == NULL) break;
            buffer = grown;
            capacity *= 2;
        }
        ma_uint64 read = 0;
        ma_result result = ma_decoder_read_pcm_frames(&decoder, buffer + frames, capacity - frames, &read);
        frames += read;
        if (frames > max_frames) {
            status = HEARTH_AUDIO_TOO_LONG;
            break;
        }
        if (result == MA_AT_END || read == 0) break;
        if (result != MA_SUCCESS) {
            status = HEARTH_AUDIO_NOT_AUDIO;
            break;
        }
    }
    ma_decoder_uninit(&decoder);
    if (buffer == NULL) return HEARTH_AUDIO_NO_MEMORY;
    if (status != HEARTH_AUDIO_OK || frames == 0) {
        free(buffer);
        return status == HEARTH_AUDIO_OK ? HEARTH_AUDIO_NOT_AUDIO : status;
    }
    *samples = buffer;
    *count = frames;
    return HEARTH_AUDIO_OK;
}

void hearth_audio_free(float *samples) { free(samples); }

double hearth_compression_ratio(const char *text, size_t size) {
    if (size == 0) return 0;
    uLongf capacity = compressBound(size);
    unsigned char *buffer = malloc(capacity);
    if (buffer == NULL) return 0;
    double ratio = 0;
    if (compress2(buffer, &capacity, (const unsigned char *)text, size, Z_DEFAULT_COMPRESSION) == Z_OK && capacity > 0) {
        ratio = (double)size / (double)capacity;
    }
    free(buffer);
    return ratio;
}
