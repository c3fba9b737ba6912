/// A request body that generates (or probes) with ``GenerationOptions``: completions, chat,
/// logits. The server decodes, applies presets to and validates all of them the same way.
public protocol GenerationBody: Decodable, Sendable {
    var options: GenerationOptions { get set }
    /// Checks ranges and combinations; throws an error naming the first bad field.
    func validate() throws(OpenAIError)
}

extension CompletionRequest: GenerationBody {}
extension ChatCompletionRequest: GenerationBody {}
extension LogitsRequest: GenerationBody {}
