import CWhisper
import Foundation

/// What Whisper heard: segments with their times, the language, the recording's length.
public struct Transcript: Sendable, Equatable {
    /// One stretch of speech.
    public struct Segment: Sendable, Equatable {
        /// Seconds from the start of the recording.
        public var start: Double
        public var end: Double
        public var text: String
        /// Whisper's own token ids (text tokens only).
        public var tokens: [Int32]
        /// The mean log probability of its text tokens.
        public var averageLogprob: Double
        /// Whisper's estimate that the stretch holds no speech.
        public var noSpeechProbability: Double

        public init(start: Double, end: Double, text: String, tokens: [Int32] = [], averageLogprob: Double = 0, noSpeechProbability: Double = 0) {
            self.start = start
            self.end = end
            self.text = text
            self.tokens = tokens
            self.averageLogprob = averageLogprob
            self.noSpeechProbability = noSpeechProbability
        }
    }

    public var segments: [Segment]
    /// ISO 639-1 code (`en`).
    public var language: String
    /// Seconds of audio.
    public var duration: Double

    public init(segments: [Segment], language: String, duration: Double) {
        self.segments = segments
        self.language = language
        self.duration = duration
    }

    /// A segment's text's UTF-8 size over its zlib-compressed size, as OpenAI's whisper reports
    /// it (high for text that repeats itself).
    public static func compressionRatio(of text: String) -> Double {
        text.withCString { hearth_compression_ratio($0, text.utf8.count) }
    }

    /// The whole text, segments joined as Whisper writes them (each begins with its space).
    public var text: String {
        segments.map(\.text).joined().trimmingCharacters(in: .whitespaces)
    }
}
