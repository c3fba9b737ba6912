import Foundation
import OrderedJSON

/// `POST /v1/embeddings` (and the legacy `/v1/engines/{model}/embeddings`): what to embed, read
/// from the JSON body and checked, each refusal naming the field and index.
public struct EmbeddingRequest: Decodable, Sendable, Equatable {
    /// Texts, or token-id lists of the embedding model's own vocabulary.
    public enum Input: Sendable, Equatable {
        case texts([String])
        case tokens([[Int]])

        public var count: Int {
            switch self {
            case .texts(let texts): texts.count
            case .tokens(let lists): lists.count
            }
        }
    }

    public var input: Input
    public var model: String?
    /// `encoding_format: "base64"`: vectors as base64 of little-endian float32.
    public var base64: Bool
    /// `dimensions`, which these models cannot honour (their size is fixed).
    public var dimensions: Int?

    /// OpenAI's limit on inputs per request.
    public static let maxInputs = 2048

    public init(input: Input, model: String? = nil, base64: Bool = false, dimensions: Int? = nil) {
        self.input = input
        self.model = model
        self.base64 = base64
        self.dimensions = dimensions
    }

    private enum CodingKeys: String, CodingKey {
        case input, model, dimensions, user
        case encodingFormat = "encoding_format"
    }

    /// Reads the body as ``read(_:)`` does; to the schema recorder, documents the fields it reads.
    public init(from decoder: any Decoder) throws {
        guard let recorder = decoder as? any SchemaRecording else {
            self = try Self.read(JSON(from: decoder))
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        _ = try container.decode(JSON.self, forKey: .input)
        recorder.document(Self.fieldSchemas)
        self.init(input: .texts([]))
    }

    /// The schemas of the fields ``read(_:)`` reads (`user` is accepted and ignored).
    static let fieldSchemas: [(String, JSON)] = [
        (
            "input",
            [
                "description": "Texts, or token-id lists of the embedding model's own vocabulary (at most 2048 items).",
                "anyOf": [
                    ["type": "string", "minLength": 1],
                    ["type": "array", "items": ["type": "string", "minLength": 1], "minItems": 1, "maxItems": .int(maxInputs)],
                    ["type": "array", "items": ["type": "integer", "minimum": 0], "minItems": 1],
                    [
                        "type": "array", "items": ["type": "array", "items": ["type": "integer", "minimum": 0], "minItems": 1], "minItems": 1,
                        "maxItems": .int(maxInputs),
                    ],
                ],
            ]
        ),
        ("model", ["type": "string", "description": "all-mpnet-base-v2 or all-MiniLM-L6-v2 (any other name: the default)"]),
        ("encoding_format", ["enum": ["float", "base64"]]),
        ("dimensions", ["type": "integer", "description": "Only the model's own size is accepted"]),
        ("user", ["type": "string"]),
    ]

    public static func read(_ json: JSON) throws(OpenAIError) -> EmbeddingRequest {
        guard case .object = json else { throw .invalidType("body", expected: "a JSON object") }
        var request = EmbeddingRequest(input: try input(json["input"]))
        switch json["model"] {
        case nil, .null?: break
        case .string(let name)?: request.model = name
        default: throw .invalidType("model", expected: "a string")
        }
        switch json["encoding_format"] {
        case nil, .null?, .string("float")?: break
        case .string("base64")?: request.base64 = true
        default: throw .invalidValue("encoding_format", "encoding_format must be \"float\" or \"base64\".")
        }
        switch json["dimensions"] {
        case nil, .null?: break
        case .int(let value)?: request.dimensions = value
        default: throw .invalidType("dimensions", expected: "an integer")
        }
        return request
    }

    private static func input(_ value: JSON?) throws(OpenAIError) -> Input {
        switch value {
        case nil, .null?: throw .missingParameter("input")
        case .string(let text)?:
            guard !text.isEmpty else { throw .invalidValue("input", "input must not be an empty string.") }
            return .texts([text])
        case .array(let items)?:
            guard !items.isEmpty else { throw .invalidValue("input", "input must not be an empty list.") }
            guard items.count <= maxInputs else {
                throw .invalidValue("input", "input has \(items.count) items; at most \(maxInputs) may be embedded in one request.")
            }
            switch items[0] {
            case .string: return .texts(try texts(items))
            case .int: return .tokens([try tokens(items, at: "input")])
            case .array:
                var lists: [[Int]] = []
                for (index, item) in items.enumerated() {
                    guard case .array(let ids) = item else { throw .invalidType("input[\(index)]", expected: "a list of token ids") }
                    guard !ids.isEmpty else { throw .invalidValue("input[\(index)]", "input[\(index)] must not be an empty list.") }
                    lists.append(try tokens(ids, at: "input[\(index)]"))
                }
                return .tokens(lists)
            default: throw .invalidType("input[0]", expected: "a string, a token id or a list of token ids")
            }
        default: throw .invalidType("input", expected: "a string, a list of strings, a list of token ids or a list of such lists")
        }
    }

    private static func texts(_ items: [JSON]) throws(OpenAIError) -> [String] {
        var texts: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else { throw .invalidType("input[\(index)]", expected: "a string") }
            guard !text.isEmpty else { throw .invalidValue("input[\(index)]", "input[\(index)] must not be an empty string.") }
            texts.append(text)
        }
        return texts
    }

    private static func tokens(_ items: [JSON], at path: String) throws(OpenAIError) -> [Int] {
        var ids: [Int] = []
        for (index, item) in items.enumerated() {
            guard case .int(let id) = item, id >= 0 else { throw .invalidType("\(path)[\(index)]", expected: "a token id (an integer from 0)") }
            ids.append(id)
        }
        return ids
    }
}

/// The answer to an embeddings request, OpenAI's shape: `{"object": "list", "data":
/// [{"object": "embedding", "index", "embedding"}], "model", "usage"}`.
public struct EmbeddingResponse: JSONRepresentable {
    public var vectors: [[Float]]
    public var base64: Bool
    public var model: String
    public var promptTokens: Int

    public init(vectors: [[Float]], base64: Bool, model: String, promptTokens: Int) {
        self.vectors = vectors
        self.base64 = base64
        self.model = model
        self.promptTokens = promptTokens
    }

    public var json: JSON {
        let data = vectors.enumerated().map { index, vector -> JSON in
            ["object": "embedding", "index": .int(index), "embedding": base64 ? .string(Self.base64(vector)) : Self.floats(vector)]
        }
        return [
            "object": "list", "data": .array(data), "model": .string(model),
            "usage": ["prompt_tokens": .int(promptTokens), "total_tokens": .int(promptTokens)],
        ]
    }

    /// Each value written as the shortest decimal that reads back as the same float32.
    public static func floats(_ vector: [Float]) -> JSON {
        .array(vector.map { .double(Double("\($0)") ?? Double($0)) })
    }

    /// Little-endian float32 bytes, base64 (what OpenAI's clients decode).
    public static func base64(_ vector: [Float]) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(vector.count * 4)
        for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return Data(bytes).base64EncodedString()
    }
}
