/// Server-Sent Events framing as OpenAI streams it: `data: <json>\n\n` per chunk, and
/// `data: [DONE]\n\n` at the end.
public enum ServerSentEvents {
    /// The terminating event.
    public static let done = "data: [DONE]\n\n"

    /// Frames one JSON payload as an event.
    public static func event(_ payload: some JSONRepresentable) -> String {
        "data: " + payload.jsonText + "\n\n"
    }
}
