#pragma once
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Every voice is delivered at this rate, mono, 16-bit: OpenAI's speech is 24 kHz, and `pcm`
/// clients assume it.
enum { HEARTH_SPEECH_SAMPLE_RATE = 24000 };

enum hearth_speech_status {
    HEARTH_SPEECH_OK = 0,
    /// The sink asked to stop (the client went away).
    HEARTH_SPEECH_STOPPED = 1,
    /// flite reported an error.
    HEARTH_SPEECH_FAILED = 2,
};

/// Loads one of flite's voices linked into this library: "slt", "rms", "awb", "kal16" or
/// "kal". NULL for any other name. Voices are loaded once and kept.
void *hearth_voice_load(const char *name);

/// Receives speech as flite produces it: `count` samples at HEARTH_SPEECH_SAMPLE_RATE.
/// Returns 0 to go on, anything else to stop.
typedef int (*hearth_speech_sink)(const short *samples, int count, void *context);

/// Synthesizes `text` (UTF-8; flite reads English) with `voice` at `speed` (1 is the voice's
/// own pace, 2 twice as fast), handing the speech to `sink` in parts as each is ready. One
/// synthesis runs at a time in the process (flite's voices are shared, mutable state).
int hearth_speak(void *voice, const char *text, float speed, hearth_speech_sink sink, void *context);

enum hearth_speech_format {
    HEARTH_SPEECH_PCM = 0,
    HEARTH_SPEECH_WAV = 1,
    HEARTH_SPEECH_MP3 = 2,
    HEARTH_SPEECH_OPUS = 3,
    HEARTH_SPEECH_FLAC = 4,
};

/// Encodes HEARTH_SPEECH_SAMPLE_RATE mono speech as it arrives, one stream per encoder.
typedef struct hearth_speech_encoder hearth_speech_encoder;

/// NULL if the format is unknown or its encoder cannot start.
hearth_speech_encoder *hearth_speech_encoder_new(int format);

/// Encodes `count` samples. `*bytes` and `*size` are then the encoded bytes produced since
/// the previous call (possibly none), valid until the next call. Returns 0, or -1 on failure.
int hearth_speech_encoder_write(hearth_speech_encoder *encoder, const short *samples, int count, const unsigned char **bytes,
                                size_t *size);

/// Ends the stream: the last encoded bytes, as hearth_speech_encoder_write gives them.
int hearth_speech_encoder_finish(hearth_speech_encoder *encoder, const unsigned char **bytes, size_t *size);

void hearth_speech_encoder_free(hearth_speech_encoder *encoder);

#ifdef __cplusplus
}
#endif
