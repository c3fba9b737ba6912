import OpenAIAPI
import OrderedJSON

/// The body of `POST /v1/images/generations`, as OpenAI's image clients send it. `model`,
/// `quality`, `style` and `user` are accepted and have no effect: the Stable Diffusion server
/// generates with whatever model it has loaded. Its schema is recorded from this decoding.
struct ImageGenerationRequest: Decodable, Sendable, Equatable {
    enum ResponseFormat: String, Sendable, Equatable {
        /// Each image as `{"b64_json": …}`.
        case base64 = "b64_json"
        /// Each image as `{"url": "data:image/png;base64,…"}`: no file is ever served, the
        /// picture travels in the URL itself (as text-generation-webui answered).
        case url
    }

    var prompt: String
    var n: Int
    var width: Int
    var height: Int
    var responseFormat: ResponseFormat

    /// OpenAI's bounds on `n`.
    static let choices = 1...10
    /// Sides a `size` may have (Stable Diffusion works in multiples of 8 up to a few thousand).
    static let sides = 64...4096

    private enum CodingKeys: String, CodingKey {
        case prompt, n, size, model, quality, style, user
        case responseFormat = "response_format"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        prompt = try container.decode(String.self, forKey: .prompt)
        n = try container.decodeIfPresent(Int.self, forKey: .n) ?? 1
        let size = try container.decodeIfPresent(String.self, forKey: .size)
        let format = try container.decodeIfPresent(String.self, forKey: .responseFormat)
        for key in [CodingKeys.model, .quality, .style, .user] { _ = try container.decodeIfPresent(String.self, forKey: key) }
        if let recorder = decoder as? any SchemaRecording {
            recorder.document([
                ("prompt", ["type": "string", "minLength": 1]),
                ("n", ["type": "integer", "minimum": .int(Self.choices.lowerBound), "maximum": .int(Self.choices.upperBound)]),
                (
                    "size",
                    [
                        "type": "string", "pattern": "^[0-9]+x[0-9]+$",
                        "description": .string("WIDTHxHEIGHT, each side \(Self.sides.lowerBound) to \(Self.sides.upperBound) (default 1024x1024)"),
                    ]
                ),
                ("response_format", ["enum": ["url", "b64_json"], "description": "url (default) is a data: URL holding the PNG"]),
            ])
            (width, height, responseFormat) = (1024, 1024, .url)
            return
        }
        guard !prompt.isEmpty else { throw OpenAIError.invalidValue("prompt", "prompt must not be empty.") }
        guard Self.choices.contains(n) else {
            let side = n < Self.choices.lowerBound ? "below minimum value. Expected a value >= 1" : "above maximum value. Expected a value <= 10"
            throw OpenAIError.invalidValue("n", "integer \(side), but got \(n) instead.")
        }
        (width, height) = try Self.sides(of: size ?? "1024x1024")
        guard let format = ResponseFormat(rawValue: format ?? "url") else {
            throw OpenAIError.invalidValue("response_format", "'\(format ?? "")' is not one of 'url' and 'b64_json'.")
        }
        responseFormat = format
    }

    /// `WIDTHxHEIGHT`, each side within ``sides``.
    static func sides(of size: String) throws(OpenAIError) -> (Int, Int) {
        let parts = size.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), sides.contains(width), sides.contains(height) else {
            throw .invalidValue("size", "'\(size)' is not a size: write WIDTHxHEIGHT, each side \(sides.lowerBound) to \(sides.upperBound) pixels.")
        }
        return (width, height)
    }
}
