import Jinja
import LlamaEngine
import OpenAIAPI
import Prompting

extension ServedModel {
    /// The most messages a chat request may send. Thousands of turns fit a large context; a
    /// list longer than this is refused before any rendering.
    static let maximumMessages = 10_000

    /// Builds the prompt of a chat request with the model's prompt builder, on a prompt thread
    /// (``PromptWorkers``) within its time budget.
    ///
    /// When the prompt leaves less than `room` tokens of context, the oldest turns are dropped
    /// (leading system messages stay; a tool result goes with the turn that called it) until it
    /// fits or only the last message is left; a prompt that still does not fit is refused by the
    /// engine with `context_length_exceeded`. The fewest turns to drop are found by bisection,
    /// so a long history costs a few renders, not one per message.
    func chatPrompt(for request: PromptRequest, room: Int) async throws(OpenAIError) -> BuiltPrompt {
        guard request.messages.count <= Self.maximumMessages else {
            throw .invalidValue(
                "messages",
                "A request may send at most \(Self.maximumMessages) messages; this one has \(request.messages.count)."
            )
        }
        do {
            return try await PromptWorkers.shared.run { limits in try fittedPrompt(for: request, room: room, limits: limits) }
        } catch let error as OpenAIError {
            throw error
        } catch {
            throw .internalError
        }
    }

    /// The prompt with the fewest oldest turns dropped that leaves `room` tokens.
    private func fittedPrompt(for request: PromptRequest, room: Int, limits: RenderLimits) throws(OpenAIError) -> BuiltPrompt {
        let cuts = TurnCuts(request.messages)
        func build(dropping count: Int) throws(OpenAIError) -> (prompt: BuiltPrompt, fits: Bool) {
            var trimmed = request
            trimmed.messages = cuts.messages(dropping: count)
            do {
                let built = try prompts.build(trimmed, limits: limits)
                return (built, try fits(built.text, room: room))
            } catch let error as PromptError {
                throw OpenAIError(error)
            } catch {
                throw .internalError
            }
        }
        let whole = try build(dropping: 0)
        if whole.fits || cuts.count == 0 { return whole.prompt }
        // Fewer dropped never fits where more does not: bisect for the fewest that fit.
        var (low, high) = (1, cuts.count)
        var best = try build(dropping: high)
        guard best.fits else { return best.prompt }
        while low < high {
            let middle = (low + high) / 2
            let candidate = try build(dropping: middle)
            if candidate.fits {
                (high, best) = (middle, candidate)
            } else {
                low = middle + 1
            }
        }
        return best.prompt
    }

    /// Whether a prompt leaves `room` tokens of context. A token spans at least one byte, so a
    /// short prompt fits without tokenizing; a long one that cannot fit is known from its length.
    private func fits(_ text: String, room: Int) throws(OpenAIError) -> Bool {
        if text.utf8.count + 1 + room <= engine.contextLength { return true }
        do {
            return try engine.promptTokens(for: GenerationRequest(prompt: text, maxTokens: nil)).count + room <= engine.contextLength
        } catch .promptTooLong {
            return false
        } catch {
            throw OpenAIError(error, param: "messages")
        }
    }
}

/// The turns a conversation can lose from its start, oldest first: each a message that is not
/// a system (or developer) message, with the tool results that follow it. System messages and
/// the last message always stay.
struct TurnCuts {
    private let messages: [Value]
    private let roles: [String?]
    /// The index each successive cut ends at, in the original list.
    private let ends: [Int]

    init(_ messages: [Value]) {
        let roles = messages.map { PromptRequest.role(of: $0) }
        self.messages = messages
        self.roles = roles
        var ends: [Int] = []
        var position = 0
        let last = messages.count - 1
        while let oldest = (position..<max(position, last)).first(where: { !Self.isSystem(roles[$0]) }) {
            var end = oldest + 1
            while end < last, roles[end] == "tool" { end += 1 }
            ends.append(end)
            position = end
        }
        self.ends = ends
    }

    /// How many cuts there are.
    var count: Int { ends.count }

    /// The conversation without its `count` oldest turns: the system messages before the cut,
    /// then everything after it.
    func messages(dropping count: Int) -> [Value] {
        guard count > 0 else { return messages }
        let end = ends[count - 1]
        return messages[..<end].indices.filter { Self.isSystem(roles[$0]) }.map { messages[$0] } + messages[end...]
    }

    private static func isSystem(_ role: String?) -> Bool { role == "system" || role == "developer" }
}

extension OpenAIError {
    /// A prompt-building failure is the client's: 400 naming the field.
    init(_ error: PromptError) {
        switch error {
        case .unknownCharacter, .unknownInstructionTemplate, .invalidField:
            self = .invalidValue(error.field, error.description)
        case .unreadableFile:
            self = .invalidRequest(error.description, param: error.field)
        case .template(.raised(let message), let field):
            self = .invalidRequest("The chat template refused the request: \(message)", param: field)
        case .template(.exceeded(let message), let field):
            self = .invalidRequest("The chat template went past its limits (\(message)); the prompt was not built.", param: field)
        case .template(let jinja, let field):
            self = .invalidRequest("The chat template failed: \(jinja)", param: field)
        }
    }
}
