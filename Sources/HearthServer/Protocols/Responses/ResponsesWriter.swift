import OpenAIAPI
import OrderedJSON

/// A chat reply as an OpenAI Responses `response`: its typed stream events (each with its
/// `sequence_number`) and its output items.
///
/// Fed with the same ``ChatDelta``s as every other protocol: reasoning opens a `reasoning` item,
/// content a `message` item with one `output_text` part, each tool call a `function_call` item;
/// an item is done when another starts or the reply ends. A non-streamed reply feeds the same
/// deltas and keeps only ``response(usage:)``, so the two cannot disagree.
struct ResponsesWriter: ChatReplyEncoder {
    let id: String
    let createdAt: Int
    let model: String
    /// Request fields the response echoes (`instructions`, `tools`, `metadata`, …).
    let echo: [(String, JSON)]
    /// Created with `background: true` (run to its end whether or not anyone waits).
    var background = false
    private(set) var output: [JSON] = []
    private var open: Item?
    private var sequence = 0
    private var finishReason: FinishReason?

    private struct Item {
        enum Kind {
            case reasoning
            case message
            case functionCall(callID: String, name: String)
        }

        var kind: Kind
        var id: String
        var text = ""
    }

    init(id: String, createdAt: Int, model: String, echo: [(String, JSON)]) {
        self.id = id
        self.createdAt = createdAt
        self.model = model
        self.echo = echo
    }

    /// `response.created` and `response.in_progress`.
    /// A failure after the stream began: an `error` event, as OpenAI sends.
    func failure(_ error: OpenAIError) -> String {
        let data: JSON = [
            "type": "error", "code": error.code.map(JSON.string) ?? .null, "message": .string(error.message),
            "param": error.param.map(JSON.string) ?? .null,
        ]
        return "event: error\ndata: \(data.serialized)\n\n"
    }

    /// The output items are built from the deltas, whether streamed or not.
    mutating func observe(_ delta: ChatDelta) { _ = events(for: delta) }

    func whole(_ folds: [ChatReplyFold], usage: Usage) -> any JSONRepresentable { RawJSON(json: response(usage: usage)) }

    mutating func start() -> [String] {
        let response = self.response(status: "in_progress", usage: nil)
        return [event("response.created", [("response", response)]), event("response.in_progress", [("response", response)])]
    }

    /// The events one delta of the reply makes.
    mutating func events(for delta: ChatDelta) -> [String] {
        var events: [String] = []
        if let reasoning = delta.reasoning {
            if case .reasoning? = open?.kind {} else { events += begin(.reasoning, prefix: "rs_") }
            open!.text += reasoning
            events.append(event("response.reasoning_text.delta", itemFields + [("content_index", 0), ("delta", .string(reasoning))]))
        }
        if let content = delta.content {
            if case .message? = open?.kind {} else { events += begin(.message, prefix: "msg_") }
            open!.text += content
            events.append(event("response.output_text.delta", itemFields + [("content_index", 0), ("delta", .string(content)), ("logprobs", [])]))
        }
        if let call = delta.toolCall {
            if let opening = call.opening { events += begin(.functionCall(callID: opening.id, name: opening.name), prefix: "fc_") }
            if !call.arguments.isEmpty {
                open!.text += call.arguments
                events.append(event("response.function_call_arguments.delta", itemFields + [("delta", .string(call.arguments))]))
            }
        }
        if let finish = delta.finishReason {
            finishReason = finish
            events += end()
        }
        return events
    }

    /// `response.completed`, or `response.incomplete` when the token limit cut the reply.
    mutating func finish(usage: Usage) -> [String] {
        let events = end()
        let response = self.response(usage: usage)
        return events + [event(finishReason == .length ? "response.incomplete" : "response.completed", [("response", response)])]
    }

    /// The response object: `completed`, or `incomplete` when cut by `max_output_tokens`.
    func response(usage: Usage?) -> JSON {
        response(status: finishReason == .length ? "incomplete" : "completed", usage: usage)
    }

    /// The response object in another state (`queued`, `in_progress`, `failed` with `error`),
    /// without output or usage.
    func response(status: String, error: JSON = .null) -> JSON {
        response(status: status, usage: nil, error: error)
    }

    private func response(status: String, usage: Usage?, error: JSON = .null) -> JSON {
        let ended = !["queued", "in_progress", "failed"].contains(status)
        var members: [(String, JSON)] = [
            ("id", .string(id)), ("object", "response"), ("created_at", .int(createdAt)), ("status", .string(status)),
            ("background", .bool(background)), ("error", error),
            ("incomplete_details", status == "incomplete" ? ["reason": "max_output_tokens"] : .null), ("model", .string(model)),
            ("output", .array(ended ? output : [])),
        ]
        members += echo
        members.append(
            (
                "usage",
                usage.map { usage in
                    [
                        "input_tokens": .int(usage.promptTokens), "input_tokens_details": ["cached_tokens": .int(usage.cachedPromptTokens)],
                        "output_tokens": .int(usage.completionTokens), "output_tokens_details": ["reasoning_tokens": 0],
                        "total_tokens": .int(usage.totalTokens),
                    ]
                } ?? .null
            )
        )
        return .object(members)
    }

    // MARK: Items

    private var itemFields: [(String, JSON)] { [("item_id", .string(open?.id ?? "")), ("output_index", .int(output.count))] }

    private mutating func begin(_ kind: Item.Kind, prefix: String) -> [String] {
        let events = end()
        open = Item(kind: kind, id: ResponseID.make(prefix))
        var added = [event("response.output_item.added", [("output_index", .int(output.count)), ("item", item(open!, done: false))])]
        if case .message = kind {
            added.append(event("response.content_part.added", itemFields + [("content_index", 0), ("part", Self.textPart(""))]))
        }
        return events + added
    }

    private mutating func end() -> [String] {
        guard let item = open else { return [] }
        var events: [String] = []
        switch item.kind {
        case .reasoning:
            events.append(event("response.reasoning_text.done", itemFields + [("content_index", 0), ("text", .string(item.text))]))
        case .message:
            events.append(event("response.output_text.done", itemFields + [("content_index", 0), ("text", .string(item.text)), ("logprobs", [])]))
            events.append(event("response.content_part.done", itemFields + [("content_index", 0), ("part", Self.textPart(item.text))]))
        case .functionCall(_, let name):
            events.append(event("response.function_call_arguments.done", itemFields + [("name", .string(name)), ("arguments", .string(item.text))]))
        }
        let done = self.item(item, done: true)
        events.append(event("response.output_item.done", [("output_index", .int(output.count)), ("item", done)]))
        output.append(done)
        open = nil
        return events
    }

    private func item(_ item: Item, done: Bool) -> JSON {
        let status: JSON = done ? "completed" : "in_progress"
        switch item.kind {
        case .reasoning:
            return [
                "id": .string(item.id), "type": "reasoning", "summary": [],
                "content": done ? [["type": "reasoning_text", "text": .string(item.text)]] : [],
            ]
        case .message:
            return [
                "id": .string(item.id), "type": "message", "status": status, "role": "assistant",
                "content": done ? [Self.textPart(item.text)] : [],
            ]
        case .functionCall(let callID, let name):
            return [
                "id": .string(item.id), "type": "function_call", "status": status, "call_id": .string(callID), "name": .string(name),
                "arguments": .string(done ? item.text : ""),
            ]
        }
    }

    private static func textPart(_ text: String) -> JSON { ["type": "output_text", "text": .string(text), "annotations": [], "logprobs": []] }

    /// An event: `event: <type>` and its data, which carries the type and the sequence number.
    private mutating func event(_ type: String, _ fields: [(String, JSON)]) -> String {
        defer { sequence += 1 }
        let data = JSON.object([("type", .string(type))] + fields + [("sequence_number", .int(sequence))])
        return "event: \(type)\ndata: \(data.serialized)\n\n"
    }
}
