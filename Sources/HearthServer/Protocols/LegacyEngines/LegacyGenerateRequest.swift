import OpenAIAPI

/// The body of `POST /v1/engines/{model}/generate`: a completion request in the old engines
/// API's words, `length` for `max_tokens` (text-generation-webui's legacy branch read it so).
struct LegacyGenerateRequest: CompletionBody {
    var completion: CompletionRequest
    /// `length`, as sent.
    var length: Int?

    var options: GenerationOptions {
        get { completion.options }
        set { completion.options = newValue }
    }

    private enum CodingKeys: String, CodingKey { case length }

    init(from decoder: any Decoder) throws {
        completion = try CompletionRequest(from: decoder)
        length = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Int.self, forKey: .length)
        if let length { completion.maxTokens = length }
    }

    /// `length`'s range in its own name, then the completion's checks.
    func validate() throws(OpenAIError) {
        if let length, length < (completion.echo ? 0 : 1) {
            throw .invalidValue("length", "integer below minimum value. Expected a value >= \(completion.echo ? 0 : 1), but got \(length) instead.")
        }
        try completion.validate()
    }
}
