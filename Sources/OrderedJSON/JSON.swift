/// A JSON value whose objects keep their members in order.
///
/// Shared by the wire layer (request bodies are parsed once into it; responses are written from
/// it with OpenAI's field order) and the template engine (a chat's messages and tools reach
/// templates in the order the client sent them, so `tojson` writes them back the same way).
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits `Int`.
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    /// Members in order; a key appears once (a repeated key keeps its first place and its last
    /// value, as Python's `json` does).
    case object([(String, JSON)])

    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.double(let a), .double(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        default: false
        }
    }

    /// `nil` becomes `null`.
    public static func optional(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }

    /// The member `key` of an object; nil for other values and absent keys.
    public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// This object with `key` set to `value`: in place when present, else appended. Other values
    /// are returned as they are.
    public func setting(_ key: String, to value: JSON) -> JSON {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.0 == key }) {
            members[index].1 = value
        } else {
            members.append((key, value))
        }
        return .object(members)
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The text of a string value.
    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}
