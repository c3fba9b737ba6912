import Jinja
import LlamaEngine
import OpenAIAPI
import Prompting

extension ServedModel {
    /// Builds the prompt of a chat request with the model's prompt builder.
    ///
    /// When the prompt leaves less than `room` tokens of context, the oldest turns are dropped
    /// (leading system messages stay; a tool result goes with the turn that called it) until it
    /// fits or only the last message is left; a prompt that still does not fit is refused by the
    /// engine with `context_length_exceeded`.
    func chatPrompt(for request: PromptRequest, room: Int) throws(OpenAIError) -> BuiltPrompt {
        var request = request
        while true {
            let built: BuiltPrompt
            do {
                built = try prompts.build(request)
                // A token spans at least one byte: a short prompt fits without tokenizing it
                // here as well as in the engine.
                guard built.text.utf8.count + 1 + room > engine.contextLength,
                    try engine.promptTokens(for: GenerationRequest(prompt: built.text, maxTokens: nil)).count + room > engine.contextLength
                else { return built }
            } catch let error as PromptError {
                throw OpenAIError(error)
            } catch let error as LlamaError {
                throw OpenAIError(error, param: "messages")
            } catch {
                throw .internalError
            }
            let messages = request.messages
            let roles = messages.map { PromptRequest.role(of: $0) }
            guard let oldest = roles.indices.first(where: { roles[$0] != "system" && roles[$0] != "developer" }),
                oldest < messages.count - 1
            else { return built }
            var end = oldest + 1
            while end < messages.count - 1, roles[end] == "tool" { end += 1 }
            request.messages.removeSubrange(oldest..<end)
        }
    }
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
        case .template(let jinja, let field):
            self = .invalidRequest("The chat template failed: \(jinja)", param: field)
        }
    }
}
