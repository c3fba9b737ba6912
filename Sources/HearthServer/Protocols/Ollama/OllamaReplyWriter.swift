import Foundation
import OpenAIAPI
import OrderedJSON

/// A chat reply in Ollama's shapes: NDJSON lines while streaming (`"done": false`, then one
/// `"done": true` line with the counts and durations), or one object.
///
/// Fed with the same ``ChatDelta``s as every other protocol. Ollama sends a tool call whole,
/// so calls are gathered and sent in one line before the last. It makes no I/O of its own.
struct OllamaReplyWriter: ChatReplyEncoder {
    /// `/api/chat` answers with `message`, `/api/generate` with `response`.
    enum Kind {
        case chat
        case generate
    }

    let kind: Kind
    /// The name the client used.
    let model: String
    private let started = ContinuousClock.now
    private var firstOutput: ContinuousClock.Instant?
    private var calls = ChatReplyFold()
    /// `/api/generate`: the tokens of the prompt and a reply, returned as `context` in the last
    /// object (none when nil).
    var context: (@Sendable (String) -> [Int])?
    /// The reply's text so far, for `context`.
    private var text = ""

    init(kind: Kind, model: String) {
        self.kind = kind
        self.model = model
    }

    var streamContentType: String { "application/x-ndjson" }

    /// Notes that output has begun (prompt evaluation ended).
    mutating func observe(_ delta: ChatDelta) {
        if firstOutput == nil { firstOutput = .now }
    }

    func start() -> [String] { [] }

    mutating func events(for delta: ChatDelta) -> [String] { line(for: delta).map { [$0] } ?? [] }

    /// A failure after the first line: an error line.
    func failure(_ error: OpenAIError) -> String { error.ollamaJSON.serialized + "\n" }

    func whole(_ folds: [ChatReplyFold], usage: Usage) -> any JSONRepresentable {
        RawJSON(json: whole(folds.first ?? ChatReplyFold(), usage: usage))
    }

    /// The line one delta makes, if it carries text or reasoning.
    mutating func line(for delta: ChatDelta) -> String? {
        observe(delta)
        if context != nil { text += delta.content ?? "" }
        if delta.toolCall != nil || delta.finishReason != nil {
            calls.add(ChatDelta(index: 0, finishReason: delta.finishReason, toolCall: delta.toolCall))
        }
        guard delta.content != nil || delta.reasoning != nil else { return nil }
        return Self.line(piece(content: delta.content ?? "", reasoning: delta.reasoning, toolCalls: []) + [("done", false)])
    }

    /// The last lines: the tool calls, if any, then the counts.
    func finish(usage: Usage) -> [String] {
        var lines: [String] = []
        if !calls.toolCalls.isEmpty, kind == .chat {
            lines.append(Self.line(piece(content: "", reasoning: nil, toolCalls: calls.toolCalls) + [("done", false)]))
        }
        lines.append(Self.line(piece(content: "", reasoning: nil, toolCalls: []) + summary(calls.finishReason, usage: usage, reply: text)))
        return lines
    }

    /// The whole reply of a non-streamed request.
    func whole(_ fold: ChatReplyFold, usage: Usage) -> JSON {
        .object(
            piece(content: fold.content, reasoning: fold.reasoning.isEmpty ? nil : fold.reasoning, toolCalls: fold.toolCalls)
                + summary(fold.finishReason, usage: usage, reply: fold.content)
        )
    }

    private func piece(content: String, reasoning: String?, toolCalls: [ToolCall]) -> [(String, JSON)] {
        var members: [(String, JSON)] = [("model", .string(model)), ("created_at", .string(Self.timestamp()))]
        switch kind {
        case .chat:
            var message: [(String, JSON)] = [("role", "assistant"), ("content", .string(content))]
            if let reasoning { message.append(("thinking", .string(reasoning))) }
            if !toolCalls.isEmpty {
                message.append(
                    (
                        "tool_calls",
                        .array(
                            toolCalls.map { call in
                                ["function": ["name": .string(call.name), "arguments": (try? JSON(parsing: call.arguments)) ?? [:]]]
                            }
                        )
                    )
                )
            }
            members.append(("message", .object(message)))
        case .generate:
            members.append(("response", .string(content)))
            if let reasoning { members.append(("thinking", .string(reasoning))) }
        }
        return members
    }

    /// `done`, `done_reason`, token counts and durations in nanoseconds (prompt evaluation: up
    /// to the first output; the rest is generation).
    private func summary(_ finish: FinishReason?, usage: Usage, reply: String) -> [(String, JSON)] {
        let now = ContinuousClock.now
        let total = Self.nanoseconds(now - started)
        let prompt = Self.nanoseconds((firstOutput ?? now) - started)
        return [
            ("done", true), ("done_reason", .string(finish == .length ? "length" : "stop")), ("total_duration", .int(total)),
            ("load_duration", 0), ("prompt_eval_count", .int(usage.promptTokens)), ("prompt_eval_duration", .int(prompt)),
            ("eval_count", .int(usage.completionTokens)), ("eval_duration", .int(total - prompt)),
        ] + (context.map { tokens in [("context", .array(tokens(reply).map(JSON.int)))] } ?? [])
    }

    static func line(_ members: [(String, JSON)]) -> String { JSON.object(members).serialized + "\n" }

    static func nanoseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds) * 1_000_000_000 + Int(duration.components.attoseconds / 1_000_000_000)
    }

    /// RFC 3339 with fractional seconds, as Ollama writes `created_at`.
    static func timestamp(_ date: Date = Date()) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
