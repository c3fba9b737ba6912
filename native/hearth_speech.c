// Hearth's speech synthesis: flite's voices (CMU, BSD-style licence), resampled to 24 kHz with
// flite's own rate converter, and the encoders of OpenAI's response formats: LAME (mp3),
// libopusenc (Ogg Opus), libFLAC (flac), and plain WAV / PCM. Debian's packages provide them
// all; scripts/setup_speech.sh builds this file into .deps/speech/lib/libhearth-speech.so.
#include "hearth_speech.h"

#include <FLAC/stream_encoder.h>
#include <flite/flite.h>
#include <lame/lame.h>
#include <opus/opusenc.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

cst_voice *register_cmu_us_slt(const char *voxdir);
cst_voice *register_cmu_us_rms(const char *voxdir);
cst_voice *register_cmu_us_awb(const char *voxdir);
cst_voice *register_cmu_us_kal16(const char *voxdir);
cst_voice *register_cmu_us_kal(const char *voxdir);

static pthread_mutex_t flite_lock = PTHREAD_MUTEX_INITIALIZER;

struct loaded_voice {
    const char *name;
    cst_voice *(*registration)(const char *);
    cst_voice *voice;
    cst_audio_streaming_info *streaming;
};

static struct loaded_voice voices[] = {
    {"slt", register_cmu_us_slt, NULL, NULL},     {"rms", register_cmu_us_rms, NULL, NULL},
    {"awb", register_cmu_us_awb, NULL, NULL},     {"kal16", register_cmu_us_kal16, NULL, NULL},
    {"kal", register_cmu_us_kal, NULL, NULL},
};

static int speech_chunk(const cst_wave *wave, int start, int size, int last, cst_audio_streaming_info *info);

void *hearth_voice_load(const char *name) {
    struct loaded_voice *found = NULL;
    for (size_t i = 0; i < sizeof voices / sizeof voices[0]; i++) {
        if (strcmp(voices[i].name, name) == 0) found = &voices[i];
    }
    if (found == NULL) return NULL;
    pthread_mutex_lock(&flite_lock);
    static int initialised = 0;
    if (!initialised) {
        flite_init();
        initialised = 1;
    }
    if (found->voice == NULL) {
        found->voice = found->registration(NULL);
        if (found->voice != NULL) {
            // Set once and kept: the voice's features own it. Each synthesis only changes
            // its userdata, under the lock.
            found->streaming = new_audio_streaming_info();
            found->streaming->asc = speech_chunk;
            feat_set(found->voice->features, "streaming_info", audio_streaming_info_val(found->streaming));
        }
    }
    pthread_mutex_unlock(&flite_lock);
    return found;
}

/// flite hands over a few milliseconds at a time; the sink gets parts of a quarter second
/// (each part is one side turn and one write to the client).
enum { PART_SAMPLES = HEARTH_SPEECH_SAMPLE_RATE / 4 };

/// One synthesis: where its speech goes, the converter from the voice's rate to 24 kHz, and the
/// converted samples not yet handed to the sink.
struct synthesis {
    hearth_speech_sink sink;
    void *context;
    cst_rateconv *converter;
    short *converted;
    int capacity;
    int count;
    int stopped;
};

static int hand_over(struct synthesis *synthesis) {
    if (synthesis->count > 0 && synthesis->sink(synthesis->converted, synthesis->count, synthesis->context) != 0) {
        synthesis->stopped = 1;
    }
    synthesis->count = 0;
    return synthesis->stopped ? -1 : 0;
}

/// Moves what the converter has ready into the part, handing the part over once it is full.
static int drain(struct synthesis *synthesis) {
    int count;
    while ((count = cst_rateconv_out(synthesis->converter, synthesis->converted + synthesis->count,
                                     synthesis->capacity - synthesis->count)) > 0) {
        synthesis->count += count;
        if (synthesis->count >= PART_SAMPLES && hand_over(synthesis) != 0) return -1;
    }
    return 0;
}

static int speech_chunk(const cst_wave *wave, int start, int size, int last, cst_audio_streaming_info *info) {
    (void)last;
    struct synthesis *synthesis = info->userdata;
    if (synthesis->stopped) return CST_AUDIO_STREAM_STOP;
    if (synthesis->converter == NULL) {
        // flite's converter works in kHz steps, as cst_wave_resample uses it.
        synthesis->converter = new_rateconv(HEARTH_SPEECH_SAMPLE_RATE / 1000, wave->sample_rate / 1000, 1);
        // A part, and room for the converter's largest output beyond it.
        synthesis->capacity = PART_SAMPLES + synthesis->converter->outsize * 2;
        synthesis->converted = malloc(sizeof(short) * synthesis->capacity);
        if (synthesis->converted == NULL) {
            synthesis->stopped = 1;
            return CST_AUDIO_STREAM_STOP;
        }
    }
    const short *samples = wave->samples + start;
    int remaining = size;
    int taken;
    while (remaining > 0 && (taken = cst_rateconv_in(synthesis->converter, samples, remaining)) > 0) {
        samples += taken;
        remaining -= taken;
        if (drain(synthesis) != 0) return CST_AUDIO_STREAM_STOP;
    }
    return CST_AUDIO_STREAM_CONT;
}

int hearth_speak(void *voice, const char *text, float speed, hearth_speech_sink sink, void *context) {
    struct loaded_voice *loaded = voice;
    if (loaded == NULL || loaded->voice == NULL || speed <= 0) return HEARTH_SPEECH_FAILED;
    struct synthesis synthesis = {sink, context, NULL, NULL, 0, 0, 0};
    volatile int status = HEARTH_SPEECH_OK;
    pthread_mutex_lock(&flite_lock);
    // flite ends the process on an internal error unless a jump target is set.
    jmp_buf target;
    jmp_buf *saved = cst_errjmp;
    cst_errjmp = &target;
    if (setjmp(target) == 0) {
        loaded->streaming->userdata = &synthesis;
        // flite's unit-selection voices draw on rand(); a fixed seed makes the same request
        // give the same audio (glibc's rand() is locked, so this is safe beside other callers).
        srand(1);
        feat_set_float(loaded->voice->features, "duration_stretch", 1.0f / speed);
        flite_text_to_speech(text, loaded->voice, "none");
        if (synthesis.converter != NULL && !synthesis.stopped) {
            cst_rateconv_leadout(synthesis.converter);
            if (drain(&synthesis) == 0) hand_over(&synthesis);
        }
    } else {
        status = HEARTH_SPEECH_FAILED;
    }
    cst_errjmp = saved;
    loaded->streaming->userdata = NULL;
    pthread_mutex_unlock(&flite_lock);
    if (synthesis.converter != NULL) delete_rateconv(synthesis.converter);
    free(synthesis.converted);
    if (status == HEARTH_SPEECH_OK && synthesis.stopped) status = HEARTH_SPEECH_STOPPED;
    return status;
}

// MARK: - Encoders

struct hearth_speech_encoder {
    int format;
    unsigned char *bytes;
    size_t size, capacity;
    int failed;
    /// The bytes were handed to the caller: the next call starts an empty buffer.
    int handed;
    lame_global_flags *lame;
    OggOpusEnc *opus;
    OggOpusComments *comments;
    FLAC__StreamEncoder *flac;
    /// FLAC's samples, widened to 32 bits as libFLAC takes them.
    int32_t *widened;
    size_t widened_count, widened_capacity;
};

/// Room for `extra` more bytes.
static int reserve(hearth_speech_encoder *encoder, size_t extra) {
    if (encoder->size + extra <= encoder->capacity) return 0;
    size_t capacity = encoder->capacity ? encoder->capacity : 8192;
    while (capacity < encoder->size + extra) capacity *= 2;
    unsigned char *grown = realloc(encoder->bytes, capacity);
    if (grown == NULL) {
        encoder->failed = 1;
        return -1;
    }
    encoder->bytes = grown;
    encoder->capacity = capacity;
    return 0;
}

static int append(hearth_speech_encoder *encoder, const void *bytes, size_t size) {
    if (reserve(encoder, size) != 0) return -1;
    memcpy(encoder->bytes + encoder->size, bytes, size);
    encoder->size += size;
    return 0;
}

static int opus_write(void *user, const unsigned char *bytes, opus_int32 size) {
    return append(user, bytes, (size_t)size) == 0 ? 0 : 1;
}

static int opus_close(void *user) {
    (void)user;
    return 0;
}

static FLAC__StreamEncoderWriteStatus flac_write(const FLAC__StreamEncoder *flac, const FLAC__byte bytes[], size_t size,
                                                 uint32_t samples, uint32_t frame, void *user) {
    (void)flac, (void)samples, (void)frame;
    return append(user, bytes, size) == 0 ? FLAC__STREAM_ENCODER_WRITE_STATUS_OK : FLAC__STREAM_ENCODER_WRITE_STATUS_FATAL_ERROR;
}

static void put32(unsigned char *at, unsigned int value) {
    for (int i = 0; i < 4; i++) at[i] = (unsigned char)(value >> (8 * i));
}

/// A RIFF header for a stream of unknown length: both sizes 0xFFFFFFFF, as OpenAI's streamed
/// WAV has them; readers take the data to the end of the file.
static void wav_header(unsigned char header[44]) {
    memcpy(header, "RIFF\xff\xff\xff\xffWAVEfmt ", 16);
    put32(header + 16, 16);
    header[20] = 1, header[21] = 0;  // PCM
    header[22] = 1, header[23] = 0;  // mono
    put32(header + 24, HEARTH_SPEECH_SAMPLE_RATE);
    put32(header + 28, HEARTH_SPEECH_SAMPLE_RATE * 2);
    header[32] = 2, header[33] = 0;  // bytes per frame
    header[34] = 16, header[35] = 0; // bits per sample
    memcpy(header + 36, "data\xff\xff\xff\xff", 8);
}

hearth_speech_encoder *hearth_speech_encoder_new(int format) {
    hearth_speech_encoder *encoder = calloc(1, sizeof *encoder);
    if (encoder == NULL) return NULL;
    encoder->format = format;
    int ok = 1;
    switch (format) {
    case HEARTH_SPEECH_PCM:
        break;
    case HEARTH_SPEECH_WAV: {
        unsigned char header[44];
        wav_header(header);
        ok = append(encoder, header, sizeof header) == 0;
        break;
    }
    case HEARTH_SPEECH_MP3:
        encoder->lame = lame_init();
        ok = encoder->lame != NULL;
        if (ok) {
            lame_set_in_samplerate(encoder->lame, HEARTH_SPEECH_SAMPLE_RATE);
            lame_set_out_samplerate(encoder->lame, HEARTH_SPEECH_SAMPLE_RATE);
            lame_set_num_channels(encoder->lame, 1);
            lame_set_mode(encoder->lame, MONO);
            lame_set_brate(encoder->lame, 64);
            lame_set_quality(encoder->lame, 5);
            // A streamed file cannot have its first frame rewritten with the VBR summary.
            lame_set_bWriteVbrTag(encoder->lame, 0);
            ok = lame_init_params(encoder->lame) >= 0;
        }
        break;
    case HEARTH_SPEECH_OPUS: {
        OpusEncCallbacks callbacks = {opus_write, opus_close};
        int error = 0;
        encoder->comments = ope_comments_create();
        ok = encoder->comments != NULL;
        if (ok) encoder->opus = ope_encoder_create_callbacks(&callbacks, encoder, encoder->comments, HEARTH_SPEECH_SAMPLE_RATE, 1, 0, &error);
        ok = ok && encoder->opus != NULL;
        // Pages go out every 100 ms (in 48 kHz samples) rather than the default second, so a
        // stream's audio reaches the client while it is made.
        if (ok) ok = ope_encoder_ctl(encoder->opus, OPE_SET_MUXING_DELAY(4800)) == OPE_OK;
        if (ok) ok = ope_encoder_flush_header(encoder->opus) == OPE_OK;
        break;
    }
    case HEARTH_SPEECH_FLAC:
        // Started at the end, when the length is known (see hearth_speech_encoder_finish).
        break;
    default:
        ok = 0;
    }
    if (!ok) {
        hearth_speech_encoder_free(encoder);
        return NULL;
    }
    return encoder;
}

static int encode(hearth_speech_encoder *encoder, const short *samples, int count) {
    switch (encoder->format) {
    case HEARTH_SPEECH_PCM:
    case HEARTH_SPEECH_WAV:
        // Little-endian 16-bit, as both formats store it (and as this machine holds it).
        return append(encoder, samples, sizeof(short) * (size_t)count);
    case HEARTH_SPEECH_MP3: {
        // LAME's own bound on its output: 1.25 × samples + 7,200 bytes.
        size_t bound = (size_t)count * 5 / 4 + 7200;
        if (reserve(encoder, bound) != 0) return -1;
        int written = lame_encode_buffer(encoder->lame, samples, NULL, count, encoder->bytes + encoder->size, (int)bound);
        if (written < 0) return -1;
        encoder->size += (size_t)written;
        return 0;
    }
    case HEARTH_SPEECH_OPUS:
        return ope_encoder_write(encoder->opus, samples, count) == OPE_OK && !encoder->failed ? 0 : -1;
    case HEARTH_SPEECH_FLAC: {
        // Kept until the end: a FLAC header states the stream's length, and readers
        // (libsndfile among them) refuse a stream whose header does not.
        if (encoder->widened_count + (size_t)count > encoder->widened_capacity) {
            size_t capacity = encoder->widened_capacity ? encoder->widened_capacity : HEARTH_SPEECH_SAMPLE_RATE;
            while (capacity < encoder->widened_count + (size_t)count) capacity *= 2;
            int32_t *grown = realloc(encoder->widened, sizeof(int32_t) * capacity);
            if (grown == NULL) return -1;
            encoder->widened = grown;
            encoder->widened_capacity = capacity;
        }
        for (int i = 0; i < count; i++) encoder->widened[encoder->widened_count++] = samples[i];
        return 0;
    }
    }
    return -1;
}

static int encode_flac(hearth_speech_encoder *encoder) {
    encoder->flac = FLAC__stream_encoder_new();
    if (encoder->flac == NULL) return -1;
    FLAC__stream_encoder_set_channels(encoder->flac, 1);
    FLAC__stream_encoder_set_bits_per_sample(encoder->flac, 16);
    FLAC__stream_encoder_set_sample_rate(encoder->flac, HEARTH_SPEECH_SAMPLE_RATE);
    FLAC__stream_encoder_set_compression_level(encoder->flac, 5);
    FLAC__stream_encoder_set_total_samples_estimate(encoder->flac, encoder->widened_count);
    if (FLAC__stream_encoder_init_stream(encoder->flac, flac_write, NULL, NULL, NULL, encoder) != FLAC__STREAM_ENCODER_INIT_STATUS_OK) {
        return -1;
    }
    int ok = encoder->widened_count == 0 ||
             FLAC__stream_encoder_process_interleaved(encoder->flac, encoder->widened, (uint32_t)encoder->widened_count);
    ok = FLAC__stream_encoder_finish(encoder->flac) && ok;
    return ok && !encoder->failed ? 0 : -1;
}

int hearth_speech_encoder_write(hearth_speech_encoder *encoder, const short *samples, int count, const unsigned char **bytes,
                                size_t *size) {
    if (encoder->handed) encoder->size = 0;
    int status = count > 0 ? encode(encoder, samples, count) : 0;
    *bytes = encoder->bytes;
    *size = encoder->size;
    encoder->handed = 1;
    return status;
}

int hearth_speech_encoder_finish(hearth_speech_encoder *encoder, const unsigned char **bytes, size_t *size) {
    int status = 0;
    if (encoder->handed) encoder->size = 0;
    switch (encoder->format) {
    case HEARTH_SPEECH_MP3: {
        unsigned char tail[7200];
        int written = lame_encode_flush(encoder->lame, tail, sizeof tail);
        status = written < 0 ? -1 : append(encoder, tail, (size_t)written);
        break;
    }
    case HEARTH_SPEECH_OPUS:
        status = ope_encoder_drain(encoder->opus) == OPE_OK && !encoder->failed ? 0 : -1;
        break;
    case HEARTH_SPEECH_FLAC:
        status = encode_flac(encoder);
        break;
    default:
        break;
    }
    *bytes = encoder->bytes;
    *size = encoder->size;
    encoder->handed = 1;
    return status;
}

void hearth_speech_encoder_free(hearth_speech_encoder *encoder) {
    if (encoder == NULL) return;
    if (encoder->lame != NULL) lame_close(encoder->lame);
    if (encoder->opus != NULL) ope_encoder_destroy(encoder->opus);
    if (encoder->comments != NULL) ope_comments_destroy(encoder->comments);
    if (encoder->flac != NULL) FLAC__stream_encoder_delete(encoder->flac);
    free(encoder->widened);
    free(encoder->bytes);
    free(encoder);
}
