import OrderedJSON

/// The body of `POST /v1/internal/encode` and `/v1/internal/token-count`.
public struct TextRequest: Decodable, Sendable {
    public var text: String
}

/// The body of `POST /v1/internal/decode`.
public struct TokensRequest: Decodable, Sendable {
    public var tokens: [Int]

    /// Every id must be in the vocabulary.
    public func validate(vocabularySize: Int) throws(OpenAIError) {
        if let index = tokens.firstIndex(where: { !(0..<vocabularySize).contains($0) }) {
            throw .invalidValue("tokens[\(index)]", "\(tokens[index]) is not a token id of this model (0..<\(vocabularySize)).")
        }
    }
}

/// `{"tokens": [...], "length": n}` (text-generation-webui's encode response).
public struct TokenList: JSONRepresentable {
    public var tokens: [Int]
    public init(tokens: [Int]) { self.tokens = tokens }
    public var json: JSON { .object([("tokens", .array(tokens.map(JSON.int))), ("length", .int(tokens.count))]) }
}

/// `{"length": n}`.
public struct TokenCount: JSONRepresentable {
    public var length: Int
    public init(length: Int) { self.length = length }
    public var json: JSON { .object([("length", .int(length))]) }
}

/// `{"text": "..."}`.
public struct DecodedText: JSONRepresentable {
    public var text: String
    public init(text: String) { self.text = text }
    public var json: JSON { .object([("text", .string(text))]) }
}

/// A bare JSON string such as `"OK"`, as text-generation-webui answers control endpoints.
public struct JSONString: JSONRepresentable {
    public var value: String
    public init(_ value: String) { self.value = value }
    public var json: JSON { .string(value) }
}

/// `POST /v1/internal/chat-prompt`'s answer: the prompt a chat request generates from.
public struct ChatPromptText: JSONRepresentable {
    public var prompt: String
    public init(prompt: String) { self.prompt = prompt }
    public var json: JSON { .object([("prompt", .string(prompt))]) }
}
