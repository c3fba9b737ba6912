import OpenAIAPI
import OrderedJSON

/// The body of `POST /v1/engines/{model}/generate`: a completion request in the old engines
/// API's words, `length` for `max_tokens` (text-generation-webui's legacy branch read it so).
struct LegacyGenerateRequest: CompletionBody {
    var completion: CompletionRequest
    /// `length`, as sent.
    var length: Int?
    /// `max_tokens`, as sent (`length` counts when both are).
    private var maxTokens: Int?

    var options: GenerationOptions {
        get { completion.options }
        set { completion.options = newValue }
    }

    private enum CodingKeys: String, CodingKey { case length }

    init(from decoder: any Decoder) throws {
        completion = try CompletionRequest(from: decoder)
        length = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Int.self, forKey: .length)
        (decoder as? any SchemaRecording)?.document([
            ("length", ["type": "integer", "minimum": 0, "description": "max_tokens in the old engines API's words; 0 only with echo"])
        ])
        maxTokens = completion.maxTokens
        if let length { completion.maxTokens = length }
    }

    /// The completion's checks on what was sent, then `length`'s range in its own name.
    func validate() throws(OpenAIError) {
        var sent = completion
        sent.maxTokens = maxTokens
        try sent.validate()
        if let length, length < (completion.echo ? 0 : 1) {
            throw .invalidValue("length", "integer below minimum value. Expected a value >= \(completion.echo ? 0 : 1), but got \(length) instead.")
        }
    }
}
