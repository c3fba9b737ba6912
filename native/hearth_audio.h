#pragma once
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    HEARTH_AUDIO_OK = 0,
    /// Not a WAV, MP3 or FLAC stream, or one that could not be decoded.
    HEARTH_AUDIO_NOT_AUDIO = 1,
    /// Longer than the frames allowed.
    HEARTH_AUDIO_TOO_LONG = 2,
    HEARTH_AUDIO_NO_MEMORY = 3,
};

/// Decodes `size` bytes of WAV, MP3 or FLAC to mono float samples at `sample_rate`, at most
/// `max_frames` of them. On HEARTH_AUDIO_OK, `*samples` (freed with hearth_audio_free) holds
/// `*count` samples.
int hearth_audio_decode(const void *bytes, size_t size, unsigned int sample_rate, unsigned long long max_frames,
                        float **samples, unsigned long long *count);

void hearth_audio_free(float *samples);

/// `size` bytes of text over their zlib-compressed size: the `compression_ratio` Whisper's
/// segments report (OpenAI's whisper computes it so); 0 for empty text.
double hearth_compression_ratio(const char *text, size_t size);

#ifdef __cplusplus
}
#endif
