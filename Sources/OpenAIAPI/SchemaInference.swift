import OrderedJSON

/// A JSON Schema read off example values: how the OpenAPI document describes responses, which
/// the server renders by hand (``JSONRepresentable``) rather than through `Encodable`.
///
/// The examples are rendered by the response types themselves, so the schema follows the code.
/// A member present in every example is required; one that is `null` in some examples and
/// typed in others may be either; a member seen only as `null` may be anything. An object with a
/// key that is not a lowercase snake-case name (`top_logprobs`' `{"Hello": -1.5}`, a token's
/// text) is a map: any keys, values of one schema.
public enum SchemaInference {
    public static func schema(of examples: [JSON]) -> JSON {
        let values = examples.filter { !$0.isNull }
        let nullable = values.count < examples.count
        guard let first = values.first else { return .object([]) }
        // Values of several kinds (a map of strings and numbers): any of their schemas.
        let kinds = Dictionary(grouping: values, by: Self.kind)
        if kinds.count > 1 {
            let alternatives = kinds.keys.sorted().map { Self.schema(of: kinds[$0]!) }
            return ["anyOf": .array(nullable ? alternatives + [["type": "null"]] : alternatives)]
        }
        var schema: [(String, JSON)]
        switch first {
        case .object where values.contains(where: Self.isMap):
            var members: [JSON] = []
            for case .object(let pairs) in values { members += pairs.map(\.1) }
            schema = [("type", "object"), ("additionalProperties", Self.schema(of: members))]
        case .object:
            var names: [String] = []
            var members: [String: [JSON]] = [:]
            for case .object(let pairs) in values {
                for (name, value) in pairs {
                    if members[name] == nil { names.append(name) }
                    members[name, default: []].append(value)
                }
            }
            let objects = values.count { if case .object = $0 { true } else { false } }
            let required = names.filter { members[$0]?.count == objects }
            schema = [("type", "object"), ("properties", .object(names.map { ($0, Self.schema(of: members[$0] ?? [])) }))]
            if !required.isEmpty { schema.append(("required", .array(required.map(JSON.string)))) }
        case .array:
            var items: [JSON] = []
            for case .array(let elements) in values { items += elements }
            schema = [("type", "array"), ("items", Self.schema(of: items))]
        case .string: schema = [("type", "string")]
        case .bool: schema = [("type", "boolean")]
        case .int, .double:
            let integral = values.allSatisfy { if case .int = $0 { true } else { false } }
            schema = [("type", integral ? "integer" : "number")]
        case .null: schema = []
        }
        guard nullable, let type = schema.first(where: { $0.0 == "type" })?.1 else { return .object(schema) }
        return .object(schema.map { $0.0 == "type" ? ("type", [type, "null"]) : $0 })
    }

    /// The JSON kind of a value (integers and other numbers are one kind).
    private static func kind(_ value: JSON) -> String {
        switch value {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .bool: "boolean"
        case .int, .double: "number"
        case .null: "null"
        }
    }

    /// Whether an object's keys are data (token texts) rather than member names.
    static func isMap(_ value: JSON) -> Bool {
        guard case .object(let pairs) = value else { return false }
        return pairs.contains { name, _ in
            name.isEmpty || !name.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || $0 == UInt8(ascii: "_") }
        }
    }
}
