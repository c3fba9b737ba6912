import OrderedJSON

/// One choice of a text completion, in a full response or a stream chunk.
public struct CompletionChoice: JSONRepresentable {
    public var index: Int
    public var text: String
    public var finishReason: FinishReason?
    public var logprobs: CompletionLogprobs?

    public init(index: Int, text: String, finishReason: FinishReason?, logprobs: CompletionLogprobs? = nil) {
        self.index = index
        self.text = text
        self.finishReason = finishReason
        self.logprobs = logprobs
    }

    public var json: JSON {
        .object([("text", .string(text)), ("index", .int(index)), ("logprobs", logprobs?.json ?? .null), ("finish_reason", finishReason.json)])
    }
}

/// The body of a non-streamed `POST /v1/completions` response, and of each streamed chunk
/// (OpenAI uses the same `text_completion` object for both).
public struct CompletionResponse: JSONRepresentable {
    public var id: String
    public var created: Int
    public var model: String
    public var choices: [CompletionChoice]
    public var usage: Usage?
    /// Whether the object carries `usage` (always in full responses; in stream chunks only when
    /// the client asked for it).
    public var includesUsage: Bool
    /// The list's name: `choices`, or `data` in the old engines API's `generate`.
    public var choicesKey = "choices"

    public init(id: String, created: Int, model: String, choices: [CompletionChoice], usage: Usage?, includesUsage: Bool = true) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.includesUsage = includesUsage
    }

    public var json: JSON {
        .object(
            [
                ("id", .string(id)), ("object", .string("text_completion")), ("created", .int(created)), ("model", .string(model)),
                (choicesKey, .array(choices.map(\.json))),
            ] + UsageField.members(usage, included: includesUsage)
        )
    }
}
