import Foundation

/// Server-Sent Events framing as OpenAI streams it: `data: <json>\n\n` per chunk, and
/// `data: [DONE]\n\n` at the end.
public enum ServerSentEvents {
    /// The terminating event.
    public static let done = "data: [DONE]\n\n"

    /// Frames one JSON payload as an event.
    public static func event(_ payload: some Encodable) throws -> String {
        "data: " + (try JSON.string(payload)) + "\n\n"
    }
}

/// The JSON encoding used for every response body.
public enum JSON {
    /// Encodes `value` compactly, without escaping `/` (as Python's json module writes it).
    public static func data(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    public static func string(_ value: some Encodable) throws -> String {
        String(decoding: try data(value), as: UTF8.self)
    }
}
