import CWhisper

/// Audio as Whisper takes it: mono float samples at 16 kHz, decoded from a WAV, MP3 or FLAC file
/// held in memory (miniaudio, through `native/hearth_audio.c`).
public struct AudioSamples: Sendable {
    public static let sampleRate = 16_000

    public let samples: [Float]

    public var duration: Double { Double(samples.count) / Double(Self.sampleRate) }

    /// Decodes `bytes`, refusing more than `maxSeconds` of audio.
    public init(decoding bytes: [UInt8], maxSeconds: Double) throws(SpeechError) {
        var pointer: UnsafeMutablePointer<Float>?
        var count: UInt64 = 0
        let limit = UInt64(max(0, maxSeconds) * Double(Self.sampleRate))
        let status = bytes.withUnsafeBytes { buffer in
            hearth_audio_decode(buffer.baseAddress, buffer.count, UInt32(Self.sampleRate), limit, &pointer, &count)
        }
        switch Int(status) {
        case HEARTH_AUDIO_OK:
            guard let pointer else { throw .notAudio }
            defer { hearth_audio_free(pointer) }
            samples = Array(UnsafeBufferPointer(start: pointer, count: Int(count)))
        case HEARTH_AUDIO_TOO_LONG: throw .tooLong(maxSeconds: maxSeconds)
        case HEARTH_AUDIO_NO_MEMORY: throw .outOfMemory
        default: throw .notAudio
        }
    }

    public init(samples: [Float]) {
        self.samples = samples
    }
}
