import NIOCore
import OpenAIAPI
import OrderedJSON
import SpeechRecognition

/// The form of `POST /v1/audio/transcriptions` and `/v1/audio/translations`, as OpenAI's
/// clients send it: `file` (the recording), `model` (accepted: the server's Whisper model
/// answers), `language`, `prompt`, `response_format`, `temperature`,
/// `timestamp_granularities[]`, and for transcriptions `stream`.
struct TranscriptionRequest: Sendable {
    enum Format: String, Sendable, CaseIterable {
        case json, text, srt, vtt
        case verboseJSON = "verbose_json"
    }

    var audio: [UInt8]
    var options: TranscriptionOptions
    var format: Format
    var stream: Bool
    /// `timestamp_granularities[]` holds `segment` (verbose_json then has segments; it always
    /// has them here).
    var granularities: [String]

    /// Fields the form may carry; others are refused by name.
    static let fields: Set<String> = [
        "file", "model", "language", "prompt", "response_format", "temperature", "timestamp_granularities", "timestamp_granularities[]",
        "stream", "chunking_strategy", "include", "include[]",
    ]

    init(form: MultipartForm, translating: Bool) throws(OpenAIError) {
        if let unknown = form.parts.first(where: { !Self.fields.contains($0.name) }) {
            throw .invalidValue(unknown.name, "'\(unknown.name)' is not a field of this request.")
        }
        guard let file = form.part("file"), file.filename != nil || file.body.readableBytes > 0 else { throw .missingParameter("file") }
        guard file.body.readableBytes > 0 else { throw .invalidValue("file", "the uploaded file is empty.") }
        audio = Array(file.body.readableBytesView)
        let language = form.part("language")?.text
        if translating, language != nil {
            throw .invalidValue("language", "translations are always into English; 'language' is not a field of them.")
        }
        var temperature = 0.0
        if let text = form.part("temperature")?.text {
            guard let value = Double(text), (0...1).contains(value) else {
                throw .invalidValue("temperature", "'\(text)' is not a number from 0 to 1.")
            }
            temperature = value
        }
        let formatText = form.part("response_format")?.text ?? "json"
        guard let format = Format(rawValue: formatText) else {
            throw .invalidValue("response_format", "'\(formatText)' is not one of json, text, srt, verbose_json, vtt.")
        }
        self.format = format
        granularities = form.values("timestamp_granularities")
        if let unknown = granularities.first(where: { $0 != "segment" }) {
            let reason =
                unknown == "word"
                ? "word timestamps are not produced by this server (segment ones are)." : "'\(unknown)' is not one of segment, word."
            throw .invalidValue("timestamp_granularities[]", reason)
        }
        if !granularities.isEmpty && format != .verboseJSON {
            throw .invalidValue("timestamp_granularities[]", "timestamps come only with response_format verbose_json.")
        }
        let streamText = form.part("stream")?.text ?? "false"
        guard ["true", "false"].contains(streamText) else { throw .invalidType("stream", expected: "true or false") }
        stream = streamText == "true"
        if stream && translating { throw .invalidValue("stream", "translations are not streamed.") }
        if stream && ![.json, .text].contains(format) {
            throw .invalidValue("stream", "a streamed transcription is text: use response_format json or text.")
        }
        options = TranscriptionOptions(language: language, prompt: form.part("prompt")?.text, temperature: temperature, translate: translating)
    }

    /// The form's schema, for the OpenAPI document.
    static func schema(translating: Bool) -> JSON {
        var properties: [(String, JSON)] = [
            ("file", ["type": "string", "format": "binary", "description": "WAV, MP3 or FLAC"]),
            ("model", ["type": "string", "description": "accepted; the server's Whisper model answers (whisper-1 in clients)"]),
            ("prompt", ["type": "string"]),
            ("response_format", ["enum": .array(Format.allCases.map { .string($0.rawValue) })]),
            ("temperature", ["type": "number", "minimum": 0, "maximum": 1]),
        ]
        if !translating {
            properties += [
                ("language", ["type": "string", "description": "ISO 639-1 code (en)"]),
                ("timestamp_granularities[]", ["type": "array", "items": ["enum": ["segment"]]]),
                ("stream", ["type": "boolean"]),
            ]
        }
        return ["type": "object", "properties": .object(properties), "required": ["file"]]
    }
}
