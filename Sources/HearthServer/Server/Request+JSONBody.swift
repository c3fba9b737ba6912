import Foundation
import Hummingbird
import LlamaEngine
import OpenAIAPI
import OrderedJSON
import Prompting

extension Request {
    /// Collects the body (at most `limit` bytes, else 413) and decodes it, turning every
    /// decoding failure into a 400 that names the field.
    mutating func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        try RequestDecoder().decode(T.self, from: try await jsonBody(limit: limit))
    }

    /// Collects and parses the body once (at most `limit` bytes, else 413), before the model
    /// that serves it is chosen by its `model` member.
    mutating func jsonBody(limit: Int) async throws -> JSON {
        let buffer = try await collectBody(upTo: limit)
        return try RequestDecoder().parse(buffer.readableBytesView)
    }
}

extension JSON {
    /// The body's `model`, when it is a string (a wrong type is the typed decoding's 400).
    var modelName: String? { self["model"]?.string }
}

/// Decoding of parsed bodies, for the model chosen by their `model` member.
enum RequestBody {
    /// Decodes a generating request once: the parsed body is read into its typed value, the
    /// `preset` it names is filled in under its own sampler fields, then ranges and token ids
    /// (against a vocabulary of `vocabularySize` tokens) are checked.
    static func generation<T: GenerationBody>(
        _ type: T.Type,
        from json: JSON,
        configuration: ServerConfiguration,
        vocabularySize: Int
    ) throws -> T {
        var body = try RequestDecoder().decode(T.self, from: json)
        body.options = try PresetStore(directory: configuration.presetDirectory).apply(to: body.options)
        try body.validate()
        try body.options.validateTokens(vocabularySize: vocabularySize)
        return body
    }

    /// Decodes an OpenAI chat completion request (presets filled in, ranges checked) as the
    /// job it means. `/v1/chat/completions` and `/v1/internal/chat-prompt` both come here, so
    /// both build the same prompt.
    static func chat(_ json: JSON, configuration: ServerConfiguration, model: ServedModel) throws -> (body: ChatCompletionRequest, job: ChatJob) {
        let body = try generation(
            ChatCompletionRequest.self,
            from: json,
            configuration: configuration,
            vocabularySize: model.engine.modelInfo.vocabularySize
        )
        return (body, ChatJob(body))
    }
}
