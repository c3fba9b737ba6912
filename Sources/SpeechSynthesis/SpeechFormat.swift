import AudioConversion
import CSpeech

/// The encodings of OpenAI's `response_format`: all 24 kHz mono. `aac` is ffmpeg's (when it is
/// installed); the others are Hearth's own.
public enum SpeechFormat: String, Sendable, CaseIterable {
    case mp3, opus, aac, flac, wav, pcm

    /// The response's `Content-Type`, as OpenAI's API labels each.
    public var contentType: String {
        switch self {
        case .mp3: "audio/mpeg"
        case .opus: "audio/opus"
        case .aac: "audio/aac"
        case .flac: "audio/flac"
        case .wav: "audio/wav"
        case .pcm: "audio/pcm"
        }
    }

    var code: Int32 {
        switch self {
        case .pcm, .aac: Int32(HEARTH_SPEECH_PCM.rawValue)
        case .wav: Int32(HEARTH_SPEECH_WAV.rawValue)
        case .mp3: Int32(HEARTH_SPEECH_MP3.rawValue)
        case .opus: Int32(HEARTH_SPEECH_OPUS.rawValue)
        case .flac: Int32(HEARTH_SPEECH_FLAC.rawValue)
        }
    }

    /// Whether this machine can produce the format (AAC needs ffmpeg).
    public var isAvailable: Bool { self != .aac || FFmpeg.path != nil }

    /// ffmpeg's arguments for the formats it encodes: 16-bit samples in, the stream out.
    var ffmpegArguments: [String]? {
        guard self == .aac else { return nil }
        return ["-f", "s16le", "-ar", "\(Self.sampleRate)", "-ac", "1", "-i", "pipe:0", "-c:a", "aac", "-b:a", "64k", "-f", "adts", "pipe:1"]
    }

    /// Samples per second of every format.
    public static let sampleRate = Int(HEARTH_SPEECH_SAMPLE_RATE)
}
