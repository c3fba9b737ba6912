import OrderedJSON

/// Token counts of one request, as OpenAI reports them.
public struct Usage: JSONRepresentable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    /// Prompt tokens whose KV state was reused from an earlier request (a prompt-cache hit),
    /// reported as `prompt_tokens_details.cached_tokens`; included in ``promptTokens``.
    public var cachedPromptTokens: Int
    /// Predicted-output tokens the reply kept and discarded (OpenAI's Predicted Outputs),
    /// reported as `completion_tokens_details`; both 0 without a prediction.
    public var acceptedPredictionTokens = 0
    public var rejectedPredictionTokens = 0
    public var totalTokens: Int { promptTokens + completionTokens }

    public init(promptTokens: Int, completionTokens: Int, cachedPromptTokens: Int = 0) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedPromptTokens = cachedPromptTokens
    }

    public var json: JSON {
        .object([
            ("prompt_tokens", .int(promptTokens)), ("completion_tokens", .int(completionTokens)), ("total_tokens", .int(totalTokens)),
            ("prompt_tokens_details", ["cached_tokens": .int(cachedPromptTokens)]),
            (
                "completion_tokens_details",
                .object([
                    ("accepted_prediction_tokens", .int(acceptedPredictionTokens)),
                    ("rejected_prediction_tokens", .int(rejectedPredictionTokens)),
                ])
            ),
        ])
    }
}

/// Why a choice ended, as OpenAI's `finish_reason`.
public enum FinishReason: String, Sendable {
    /// A stop string, an end-of-generation token, or a stop request.
    case stop
    /// `max_tokens` or the end of the context.
    case length
    /// The reply called tools.
    case toolCalls = "tool_calls"
}

extension Optional where Wrapped == FinishReason {
    var json: JSON { map { .string($0.rawValue) } ?? .null }
}

/// The `usage` member of a response: always present in full responses; in stream chunks only
/// with `stream_options.include_usage`, as `null` until the final usage-only chunk.
enum UsageField {
    static func members(_ usage: Usage?, included: Bool) -> [(String, JSON)] {
        included ? [("usage", usage?.json ?? .null)] : []
    }
}
