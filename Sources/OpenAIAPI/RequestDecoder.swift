import OrderedJSON

/// Decodes request bodies and turns every decoding failure into an ``OpenAIError`` that names
/// the field at fault, in OpenAI's notation (`messages[1].content`).
public struct RequestDecoder: Sendable {
    public init() {}

    /// Decodes `T` from a JSON body: the text is parsed once (``JSON``), then read into `T`.
    /// - Throws: ``OpenAIError`` with status 400.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws(OpenAIError) -> T {
        try decode(T.self, from: parse(bytes))
    }

    /// Parses a body (a repeated key is an error).
    public func parse(_ bytes: some Collection<UInt8>) throws(OpenAIError) -> JSON {
        do {
            return try JSON(parsing: bytes, rejectingDuplicateKeys: true)
        } catch {
            throw .malformedJSON(error)
        }
    }

    /// Decodes `T` from a parsed body.
    public func decode<T: Decodable>(_ type: T.Type, from json: JSON) throws(OpenAIError) -> T {
        do {
            return try json.decode(T.self)
        } catch let error as OpenAIError {
            throw error
        } catch let error as DecodingError {
            throw Self.describe(error)
        } catch {
            throw .malformedJSON
        }
    }

    static func describe(_ error: DecodingError) -> OpenAIError {
        switch error {
        case .keyNotFound(let key, let context):
            return .missingParameter(path(context.codingPath + [key]))
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return .invalidRequest("The request body must be a JSON object.")
        case .typeMismatch(let type, let context):
            return .invalidType(path(context.codingPath), expected: describe(type))
        case .valueNotFound(let type, let context):
            return .invalidType(path(context.codingPath), expected: describe(type) + ", but got null instead")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return .malformedJSON }
            if let underlying = context.underlyingError as? OpenAIError { return underlying }
            return .invalidValue(path(context.codingPath), context.debugDescription)
        @unknown default:
            return .malformedJSON
        }
    }

    /// `messages[0].content` from a coding path.
    public static func path(_ codingPath: [any CodingKey]) -> String {
        var result = ""
        for key in codingPath {
            if let index = key.intValue {
                result += "[\(index)]"
            } else {
                result += result.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return result
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt64.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
