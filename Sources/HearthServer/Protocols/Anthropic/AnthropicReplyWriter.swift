import OpenAIAPI
import OrderedJSON

/// A chat reply in Anthropic's shapes: the whole message, or its stream of typed events.
///
/// The stream is a state machine fed with the same ``ChatDelta``s the chat completion stream
/// sends: reasoning opens a `thinking` block, content a `text` block, a tool call a `tool_use`
/// block whose arguments arrive as `input_json_delta` fragments; a block closes when another
/// kind starts. It returns the events to send and makes no I/O of its own.
struct AnthropicReplyWriter: ChatReplyEncoder {
    let id: String
    let model: String
    /// The request's `stop_sequences`: a reply they end says `stop_sequence` (a stop of the
    /// chat template's own is an `end_turn`).
    let stopSequences: [String]
    private var block: Block?
    private var blockCount = 0
    private var finishReason: FinishReason?
    private var stopString: String?

    private enum Block: Equatable {
        case thinking
        case text
        case toolUse(Int)
    }

    init(id: String, model: String, stopSequences: [String]) {
        self.id = id
        self.model = model
        self.stopSequences = stopSequences
    }

    /// A failure after the first event: an `error` event in Anthropic's envelope.
    func failure(_ error: OpenAIError) -> String { Self.event("error", error.anthropicJSON) }

    /// The whole message (Anthropic's Messages have one choice).
    func whole(_ folds: [ChatReplyFold], usage: Usage) -> any JSONRepresentable {
        let fold = folds.first ?? ChatReplyFold()
        return RawJSON(json: message(choice: fold.choice(index: 0, reportsLogprobs: false), stopString: fold.stopString, usage: usage))
    }

    /// `message_start` and a `ping`.
    func start() -> [String] {
        let message: JSON = [
            "id": .string(id), "type": "message", "role": "assistant", "model": .string(model), "content": [],
            "stop_reason": .null, "stop_sequence": .null, "usage": ["input_tokens": 0, "output_tokens": 0],
        ]
        return [Self.event("message_start", ["type": "message_start", "message": message]), Self.event("ping", ["type": "ping"])]
    }

    /// The events one delta of the reply makes.
    mutating func events(for delta: ChatDelta) -> [String] {
        var events: [String] = []
        if let reasoning = delta.reasoning {
            events += open(.thinking, ["type": "thinking", "thinking": "", "signature": ""])
            events.append(blockDelta(["type": "thinking_delta", "thinking": .string(reasoning)]))
        }
        if let content = delta.content {
            events += open(.text, ["type": "text", "text": ""])
            events.append(blockDelta(["type": "text_delta", "text": .string(content)]))
        }
        if let call = delta.toolCall {
            if let opening = call.opening {
                events += open(.toolUse(call.index), ["type": "tool_use", "id": .string(opening.id), "name": .string(opening.name), "input": [:]])
            }
            if !call.arguments.isEmpty {
                events.append(blockDelta(["type": "input_json_delta", "partial_json": .string(call.arguments)]))
            }
        }
        if let finish = delta.finishReason {
            finishReason = finish
            stopString = delta.stopString
            events += close()
        }
        return events
    }

    /// `message_delta` with the stop reason and usage, then `message_stop`.
    mutating func finish(usage: Usage) -> [String] {
        close() + [
            Self.event(
                "message_delta",
                [
                    "type": "message_delta", "delta": stopFields(finishReason, stopString),
                    "usage": Self.usage(usage),
                ]
            ),
            Self.event("message_stop", ["type": "message_stop"]),
        ]
    }

    /// `stop_reason` and `stop_sequence`.
    func stopFields(_ finish: FinishReason?, _ stop: String?) -> JSON {
        if finish == .stop, let stop, stopSequences.contains(stop) {
            return ["stop_reason": "stop_sequence", "stop_sequence": .string(stop)]
        }
        return ["stop_reason": .string(Self.stopReason(finish)), "stop_sequence": .null]
    }

    /// The whole message of a non-streamed reply.
    func message(choice: ChatChoice, stopString: String?, usage: Usage) -> JSON {
        let stop = stopFields(choice.finishReason, stopString)
        var content: [JSON] = []
        if let reasoning = choice.reasoningContent, !reasoning.isEmpty {
            content.append(["type": "thinking", "thinking": .string(reasoning), "signature": ""])
        }
        if let text = choice.content, !text.isEmpty { content.append(["type": "text", "text": .string(text)]) }
        for call in choice.toolCalls {
            let input = (try? JSON(parsing: call.arguments)) ?? [:]
            content.append(["type": "tool_use", "id": .string(call.id), "name": .string(call.name), "input": input])
        }
        return [
            "id": .string(id), "type": "message", "role": "assistant", "model": .string(model), "content": .array(content),
            "stop_reason": stop["stop_reason"]!, "stop_sequence": stop["stop_sequence"]!, "usage": Self.usage(usage),
        ]
    }

    /// `end_turn`, `max_tokens` or `tool_use`.
    static func stopReason(_ finish: FinishReason?) -> String {
        switch finish {
        case .length: "max_tokens"
        case .toolCalls: "tool_use"
        case .stop, nil: "end_turn"
        }
    }

    /// Anthropic counts cache reads apart: `input_tokens` are the prompt tokens evaluated anew,
    /// `cache_read_input_tokens` those whose KV state was reused (their sum is the prompt).
    static func usage(_ usage: Usage) -> JSON {
        [
            "input_tokens": .int(usage.promptTokens - usage.cachedPromptTokens), "output_tokens": .int(usage.completionTokens),
            "cache_creation_input_tokens": 0, "cache_read_input_tokens": .int(usage.cachedPromptTokens),
        ]
    }

    /// An event in Anthropic's framing: its type named twice, in `event:` and in the data.
    static func event(_ type: String, _ data: JSON) -> String {
        "event: \(type)\ndata: \(data.serialized)\n\n"
    }

    private mutating func open(_ kind: Block, _ contentBlock: JSON) -> [String] {
        guard block != kind else { return [] }
        let closing = close()
        block = kind
        blockCount += 1
        return closing + [
            Self.event("content_block_start", ["type": "content_block_start", "index": .int(blockCount - 1), "content_block": contentBlock])
        ]
    }

    private mutating func close() -> [String] {
        guard block != nil else { return [] }
        block = nil
        return [Self.event("content_block_stop", ["type": "content_block_stop", "index": .int(blockCount - 1)])]
    }

    private func blockDelta(_ delta: JSON) -> String {
        Self.event("content_block_delta", ["type": "content_block_delta", "index": .int(blockCount - 1), "delta": delta])
    }
}
