import CSpeech

/// The encodings of OpenAI's `response_format` that Hearth produces: all 24 kHz mono.
public enum SpeechFormat: String, Sendable, CaseIterable {
    case mp3, opus, flac, wav, pcm

    /// The response's `Content-Type`, as OpenAI's API labels each.
    public var contentType: String {
        switch self {
        case .mp3: "audio/mpeg"
        case .opus: "audio/opus"
        case .flac: "audio/flac"
        case .wav: "audio/wav"
        case .pcm: "audio/pcm"
        }
    }

    var code: Int32 {
        switch self {
        case .pcm: Int32(HEARTH_SPEECH_PCM.rawValue)
        case .wav: Int32(HEARTH_SPEECH_WAV.rawValue)
        case .mp3: Int32(HEARTH_SPEECH_MP3.rawValue)
        case .opus: Int32(HEARTH_SPEECH_OPUS.rawValue)
        case .flac: Int32(HEARTH_SPEECH_FLAC.rawValue)
        }
    }

    /// Samples per second of every format.
    public static let sampleRate = Int(HEARTH_SPEECH_SAMPLE_RATE)
}
