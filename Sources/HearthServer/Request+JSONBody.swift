import Foundation
import Hummingbird
import LlamaEngine
import OpenAIAPI
import Prompting

extension Request {
    /// Collects the body (at most `limit` bytes, else 413) and decodes it, turning every
    /// decoding failure into a 400 that names the field.
    mutating func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        let buffer = try await collectBody(upTo: limit)
        return try RequestDecoder().decode(T.self, from: buffer.readableBytesView)
    }

    /// Decodes a generating request once: the body is parsed, read into its typed value, the
    /// `preset` it names is filled in under its own sampler fields, then ranges and token ids
    /// (against a vocabulary of `vocabularySize` tokens) are checked.
    mutating func decodeGenerationBody<T: GenerationBody>(
        _ type: T.Type,
        configuration: ServerConfiguration,
        vocabularySize: Int
    ) async throws -> T {
        let buffer = try await collectBody(upTo: configuration.maxBodyBytes)
        var body = try RequestDecoder().decode(T.self, from: buffer.readableBytesView)
        body.options = try PresetStore(directory: configuration.presetDirectory).apply(to: body.options)
        try body.validate()
        try body.options.validateTokens(vocabularySize: vocabularySize)
        return body
    }

    /// Decodes a chat request and builds its prompt. `/v1/chat/completions` and
    /// `/v1/internal/chat-prompt` both come here, so both build the same prompt. The room left
    /// to answer in is what the client asked for, within half the context.
    mutating func decodeChatRequest(configuration: ServerConfiguration, model: ServedModel) async throws -> (
        body: ChatCompletionRequest, prompt: BuiltPrompt
    ) {
        let body = try await decodeGenerationBody(
            ChatCompletionRequest.self,
            configuration: configuration,
            vocabularySize: model.engine.modelInfo.vocabularySize
        )
        let room = min(body.maxTokens ?? 512, model.engine.contextLength / 2)
        return (body, try model.chatPrompt(for: PromptRequest(body), room: room))
    }
}
