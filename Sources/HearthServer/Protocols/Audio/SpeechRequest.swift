import OpenAIAPI
import OrderedJSON
import SpeechSynthesis

/// The body of `POST /v1/audio/speech`, as OpenAI's clients send it. `model` and
/// `instructions` are accepted and have no effect: flite speaks every text the same way. Its
/// schema is recorded from this decoding.
struct SpeechRequest: Decodable, Sendable {
    enum StreamFormat: String, Sendable {
        /// The encoded audio itself, sent as it is made.
        case audio
        /// Server-sent events: `speech.audio.delta` with base64 audio, then `speech.audio.done`.
        case sse
    }

    /// OpenAI's bound on `input`, in characters.
    static let maxCharacters = 4096
    /// OpenAI's bounds on `speed`.
    static let speeds = 0.25...4.0

    var input: String
    var voice: SpeechVoice
    var format: SpeechFormat
    var speed: Double
    var streamFormat: StreamFormat

    private enum CodingKeys: String, CodingKey {
        case input, voice, model, instructions, speed
        case responseFormat = "response_format"
        case streamFormat = "stream_format"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        input = try container.decode(String.self, forKey: .input)
        let voiceName = try container.decode(String.self, forKey: .voice)
        let format = try container.decodeIfPresent(String.self, forKey: .responseFormat)
        speed = try container.decodeIfPresent(Double.self, forKey: .speed) ?? 1
        let stream = try container.decodeIfPresent(String.self, forKey: .streamFormat)
        for key in [CodingKeys.model, .instructions] { _ = try container.decodeIfPresent(String.self, forKey: key) }
        if let recorder = decoder as? any SchemaRecording {
            recorder.document([
                ("input", ["type": "string", "minLength": 1, "maxLength": .int(Self.maxCharacters)]),
                (
                    "voice",
                    [
                        "enum": .array(SpeechVoice.names.map { .string($0) }),
                        "description":
                            "OpenAI's voices map to flite's: slt (alloy, coral, marin, nova, sage, shimmer), rms (ash, ballad, cedar, echo, onyx, verse), awb (fable)",
                    ]
                ),
                (
                    "response_format",
                    [
                        "enum": .array(SpeechFormat.allCases.map { .string($0.rawValue) }),
                        "description": "mp3 (default); all 24 kHz mono; aac only where ffmpeg is installed",
                    ]
                ),
                ("speed", ["type": "number", "minimum": .double(Self.speeds.lowerBound), "maximum": .double(Self.speeds.upperBound)]),
                ("stream_format", ["enum": ["audio", "sse"]]),
                ("instructions", ["type": "string", "description": "accepted and ignored: flite has no speaking styles"]),
            ])
            (voice, self.format, streamFormat) = (SpeechVoice(named: "slt")!, .mp3, .audio)
            return
        }
        guard !input.isEmpty else { throw OpenAIError.invalidValue("input", "input must not be empty.") }
        guard input.count <= Self.maxCharacters else {
            throw OpenAIError.invalidValue(
                "input",
                "string too long. Expected a string with maximum length \(Self.maxCharacters), but got a string with length \(input.count) instead."
            )
        }
        guard let voice = SpeechVoice(named: voiceName) else {
            throw OpenAIError.invalidValue(
                "voice",
                "'\(voiceName)' is not a voice of this server: use one of \(SpeechVoice.names.joined(separator: ", "))."
            )
        }
        self.voice = voice
        let formatName = format ?? "mp3"
        guard let known = SpeechFormat(rawValue: formatName) else {
            throw OpenAIError.invalidValue("response_format", "'\(formatName)' is not one of mp3, opus, aac, flac, wav, pcm.")
        }
        guard known.isAvailable else {
            throw OpenAIError.invalidValue(
                "response_format",
                "\(formatName) is encoded by ffmpeg, which is not installed on this server: use mp3, opus, flac, wav or pcm."
            )
        }
        self.format = known
        guard Self.speeds.contains(speed) else {
            throw OpenAIError.invalidValue("speed", "\(speed) is not a speed from 0.25 to 4.0.")
        }
        guard let streamFormat = StreamFormat(rawValue: stream ?? "audio") else {
            throw OpenAIError.invalidValue("stream_format", "'\(stream ?? "")' is not one of 'audio' and 'sse'.")
        }
        self.streamFormat = streamFormat
    }
}
