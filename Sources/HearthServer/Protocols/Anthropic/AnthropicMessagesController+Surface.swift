import HTTPTypes
import Hummingbird
import OpenAIAPI
import OrderedJSON

/// Anthropic's Messages API: `/v1/messages` and its token count, errors in Anthropic's envelope,
/// the key also in `x-api-key`.
extension AnthropicMessagesController: APISurface {
    var envelope: ErrorEnvelope { .anthropic }
    var keyHeaders: [HTTPField.Name] { [HTTPField.Name("x-api-key")!] }
    var ownedPrefix: String? { "/v1/messages" }

    func addRoutes(to routes: SurfaceRoutes) {
        let group = routes.group("v1")
        group.post("messages", use: create)
        group.post("messages/count_tokens", use: countTokens)
    }

    func operations(_ configuration: ServerConfiguration) -> [APIDocument.Operation] {
        [
            .init(
                method: "post",
                path: "/v1/messages",
                tag: "Anthropic",
                summary: "Anthropic's Messages API, run as a chat completion (key also as x-api-key)",
                body: AnthropicRequest.self,
                examples: [RawJSON(json: Self.example)],
                moreContent: [("text/event-stream", ["schema": AnthropicSchemas.event])]
            ),
            .init(
                method: "post",
                path: "/v1/messages/count_tokens",
                tag: "Anthropic",
                summary: "Tokens of the prompt a Messages request would generate from",
                body: AnthropicTokenCountRequest.self,
                examples: [RawJSON(json: ["input_tokens": 34])]
            ),
        ]
    }

    /// A Messages reply with every kind of block.
    static let example: JSON = [
        "id": "msg_1", "type": "message", "role": "assistant", "model": .string(APIExamples.model.id),
        "content": [
            ["type": "thinking", "thinking": "The user greets.", "signature": ""], ["type": "text", "text": "Hi!"],
            ["type": "tool_use", "id": "call_1", "name": "get_weather", "input": ["city": "Paris"]],
        ],
        "stop_reason": "tool_use", "stop_sequence": .null,
        "usage": ["input_tokens": 12, "output_tokens": 5, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0],
    ]
}

extension ErrorEnvelope {
    /// Anthropic's `{"type": "error", "error": {"type", "message"}}`.
    static let anthropic = ErrorEnvelope(description: "Anthropic's error envelope", schema: AnthropicSchemas.error) { $0.anthropicJSON.serialized }
}
