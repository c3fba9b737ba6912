import OrderedJSON

/// Converts a JSON Schema into GBNF rules whose every sentence is a JSON value that validates
/// against the schema.
///
/// Fail-closed: a keyword it cannot express throws ``StructuredOutputError`` naming the keyword
/// and its path, so a request is refused rather than answered with unconstrained text. Where
/// the schema allows a choice the grammar may allow less (no extra properties unless the schema
/// declares none; tuples exactly as long as `prefixItems`), never more. llama.cpp's converter
/// (common/json-schema-to-grammar) is the reference for the shapes of the rules.
public struct JSONSchemaGrammar {
    /// Keywords that only describe: accepted and ignored.
    static let annotations: Set<String> = [
        "title", "description", "examples", "default", "$schema", "$id", "$comment", "deprecated", "readOnly", "writeOnly",
        "discriminator", "$defs", "definitions",
    ]
    /// Keywords the converter expresses.
    static let supported: Set<String> = [
        "type", "properties", "required", "additionalProperties", "enum", "const", "anyOf", "oneOf", "allOf", "items",
        "prefixItems", "minItems", "maxItems", "minLength", "maxLength", "pattern", "format", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "$ref",
    ]
    /// The largest count (`maxItems`, `maxLength`, …) a grammar spells out.
    static let largestCount = 4096

    let root: JSON
    var references: [String: String] = [:]

    /// A whole grammar for `schema` (root rule `root`).
    public static func grammar(for schema: JSON) throws(StructuredOutputError) -> String {
        var builder = GrammarBuilder()
        let rule = try rule(for: schema, name: "root-value", builder: &builder)
        return builder.grammar(root: rule)
    }

    /// Adds the rules for `schema` to `builder` and returns the name of the rule for a value
    /// (which ends with optional whitespace, as every JSON rule here does).
    public static func rule(for schema: JSON, name: String, builder: inout GrammarBuilder) throws(StructuredOutputError) -> String {
        var converter = JSONSchemaGrammar(root: schema)
        return try converter.visit(schema, name: name, path: "", builder: &builder)
    }

    init(root: JSON) { self.root = root }

    mutating func visit(_ schema: JSON, name: String, path: String, builder: inout GrammarBuilder) throws(StructuredOutputError) -> String {
        let members: [(String, JSON)]
        switch schema {
        case .bool(true): return builder.primitive(.value)
        case .object(let list): members = list
        default: throw .invalidSchema("a schema must be an object or true", path: path)
        }
        for (keyword, _) in members where !Self.supported.contains(keyword) && !Self.annotations.contains(keyword) {
            throw .unsupportedKeyword(keyword, path: path + "/" + keyword)
        }
        if let reference = schema["$ref"] {
            try Self.requireOnly(["$ref"], in: members, path: path)
            return try visitReference(reference, path: path + "/$ref", builder: &builder)
        }
        if let value = schema["const"] {
            return builder.add(name, "\(Self.literal(value)) space").withSpace(&builder)
        }
        if let values = schema["enum"] {
            guard case .array(let list) = values, !list.isEmpty else {
                throw .invalidSchema("'enum' must be a non-empty list", path: path + "/enum")
            }
            guard list.count <= GrammarBuilder.maximumChoices else {
                throw .invalidSchema(
                    "'enum' lists \(list.count) values; at most \(GrammarBuilder.maximumChoices) are supported",
                    path: path + "/enum"
                )
            }
            // Scalars share a trie; arrays and objects (whose literals allow spaces) stand apart.
            let scalars = list.filter { !Self.isContainer($0) }.map { $0.serialized }
            var alternatives = list.filter(Self.isContainer).map { Self.literal($0) }
            if !scalars.isEmpty { alternatives.append(builder.literalChoice(scalars, name: name + "-values")) }
            return builder.add(name, "(\(alternatives.joined(separator: " | "))) space").withSpace(&builder)
        }
        for keyword in ["anyOf", "oneOf"] {
            guard let alternatives = schema[keyword] else { continue }
            try Self.requireOnly([keyword], in: members, path: path)
            guard case .array(let list) = alternatives, !list.isEmpty else {
                throw .invalidSchema("'\(keyword)' must be a non-empty list", path: path + "/" + keyword)
            }
            var names: [String] = []
            for (index, alternative) in list.enumerated() {
                names.append(try visit(alternative, name: "\(name)-\(index)", path: "\(path)/\(keyword)/\(index)", builder: &builder))
            }
            return builder.add(name, names.joined(separator: " | "))
        }
        if let parts = schema["allOf"] {
            return try visitAllOf(parts, members: members, name: name, path: path, builder: &builder)
        }
        switch schema["type"] {
        case nil: return try visit(schema, type: Self.impliedType(of: members), name: name, path: path, builder: &builder)
        case .string(let type)?: return try visit(schema, type: type, name: name, path: path, builder: &builder)
        case .array(let types)?:
            var names: [String] = []
            for (index, type) in types.enumerated() {
                guard case .string(let type) = type else { throw .invalidSchema("'type' lists names of types", path: "\(path)/type/\(index)") }
                names.append(try visit(schema, type: type, name: "\(name)-\(type)", path: path, builder: &builder))
            }
            guard !names.isEmpty else { throw .invalidSchema("'type' is an empty list", path: path + "/type") }
            return builder.add(name, names.joined(separator: " | "))
        default: throw .invalidSchema("'type' must be a string or a list", path: path + "/type")
        }
    }

    /// The type a schema without `type` constrains, read from its keywords; nil for any value.
    static func impliedType(of members: [(String, JSON)]) -> String? {
        let keywords = Set(members.map(\.0))
        if !keywords.isDisjoint(with: ["properties", "required", "additionalProperties"]) { return "object" }
        if !keywords.isDisjoint(with: ["items", "prefixItems", "minItems", "maxItems"]) { return "array" }
        if !keywords.isDisjoint(with: ["minLength", "maxLength", "pattern", "format"]) { return "string" }
        if !keywords.isDisjoint(with: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]) { return "number" }
        return nil
    }

    mutating func visit(
        _ schema: JSON,
        type: String?,
        name: String,
        path: String,
        builder: inout GrammarBuilder
    ) throws(StructuredOutputError) -> String {
        switch type {
        case nil: return builder.primitive(.value)
        case "boolean": return builder.primitive(.boolean)
        case "null": return builder.primitive(.null)
        case "string": return try stringRule(schema, name: name, path: path, builder: &builder)
        case "integer": return try integerRule(schema, name: name, path: path, builder: &builder)
        case "number":
            for keyword in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] where schema[keyword] != nil {
                throw .unsupportedKeyword(keyword, path: "\(path)/\(keyword) (bounds are supported for integers)")
            }
            return builder.primitive(.number)
        case "object": return try objectRule(schema, name: name, path: path, builder: &builder)
        case "array": return try arrayRule(schema, name: name, path: path, builder: &builder)
        case let other?: throw .invalidSchema("unknown type '\(other)'", path: path + "/type")
        }
    }

    mutating func visitReference(_ reference: JSON, path: String, builder: inout GrammarBuilder) throws(StructuredOutputError) -> String {
        guard case .string(let pointer) = reference else { throw .invalidSchema("'$ref' must be a string", path: path) }
        if let rule = references[pointer] { return rule }
        guard pointer == "#" || pointer.hasPrefix("#/") else {
            throw .unsupportedKeyword("$ref", path: "\(path) (only references inside the schema, '#/…', are supported; got '\(pointer)')")
        }
        let target = try Self.target(of: pointer, in: root, path: path)
        let name = builder.reserve("ref" + (pointer.split(separator: "/").last.map { "-" + $0 } ?? ""))
        references[pointer] = name
        let rule = try visit(target, name: name + "-value", path: String(pointer.dropFirst()), builder: &builder)
        builder.define(name, rule)
        return name
    }

    /// `allOf`: one part is that part; several parts must all describe objects, whose
    /// properties and requirements are merged.
    mutating func visitAllOf(
        _ parts: JSON,
        members: [(String, JSON)],
        name: String,
        path: String,
        builder: inout GrammarBuilder
    ) throws(StructuredOutputError) -> String {
        guard case .array(var list) = parts, !list.isEmpty else { throw .invalidSchema("'allOf' must be a non-empty list", path: path + "/allOf") }
        let siblings = members.filter { $0.0 != "allOf" && !Self.annotations.contains($0.0) }
        if list.count == 1 && siblings.isEmpty {
            return try visit(list[0], name: name, path: path + "/allOf/0", builder: &builder)
        }
        if !siblings.isEmpty { list.append(.object(siblings)) }
        var properties: [(String, JSON)] = []
        var required: [JSON] = []
        for (index, part) in list.enumerated() {
            let partPath = "\(path)/allOf/\(index)"
            let resolved = try resolve(part, path: partPath)
            guard case .object(let partMembers) = resolved else { throw .invalidSchema("an 'allOf' part must be an object schema", path: partPath) }
            for (keyword, value) in partMembers where !Self.annotations.contains(keyword) {
                switch (keyword, value) {
                case ("properties", .object(let more)): properties += more.filter { key, _ in !properties.contains { $0.0 == key } }
                case ("required", .array(let more)): required += more
                case ("type", .string("object")), ("additionalProperties", _): continue
                default: throw .unsupportedKeyword(keyword, path: "\(partPath)/\(keyword) (allOf merges object schemas only)")
                }
            }
        }
        let merged = JSON.object([("type", .string("object")), ("properties", .object(properties)), ("required", .array(required))])
        return try objectRule(merged, name: name, path: path, builder: &builder)
    }

    /// Exactly `value`, with the whitespace JSON allows between its parts.
    private static func isContainer(_ value: JSON) -> Bool {
        switch value {
        case .array(let items): !items.isEmpty
        case .object(let members): !members.isEmpty
        default: false
        }
    }

    static func literal(_ value: JSON) -> String {
        switch value {
        case .array(let items) where !items.isEmpty:
            return "( \"[\" space " + items.map(literal).joined(separator: " space \",\" space ") + " space \"]\" )"
        case .object(let members) where !members.isEmpty:
            let pairs = members.map { GrammarBuilder.literal(JSON.string($0.0).serialized) + " space \":\" space " + literal($0.1) }
            return "( \"{\" space " + pairs.joined(separator: " space \",\" space ") + " space \"}\" )"
        default: return GrammarBuilder.literal(value.serialized)
        }
    }

    /// A schema with its `$ref` followed (once per step, at most 64 steps).
    func resolve(_ schema: JSON, path: String) throws(StructuredOutputError) -> JSON {
        var current = schema
        for _ in 0..<64 {
            guard case .string(let pointer)? = current["$ref"] else { return current }
            guard pointer.hasPrefix("#/") else { throw .unsupportedKeyword("$ref", path: path) }
            let target = try Self.target(of: pointer, in: root, path: path)
            current = target
        }
        throw .invalidSchema("'$ref' chain too long", path: path)
    }

    /// What a local JSON pointer (`#`, `#/$defs/a~1b`) points at in `root`.
    static func target(of pointer: String, in root: JSON, path: String) throws(StructuredOutputError) -> JSON {
        var target = root
        for token in pointer.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) where pointer.count > 2 {
            let key = String(token).replacing("~1", with: "/").replacing("~0", with: "~")
            switch target {
            case .object: target = target[key] ?? .null
            case .array(let items): target = Int(key).flatMap { items.indices.contains($0) ? items[$0] : nil } ?? .null
            default: target = .null
            }
            if target.isNull { throw .invalidSchema("'\(pointer)' points at nothing", path: path) }
        }
        return target
    }

    /// Throws for any constraining keyword beside `allowed` (combining them is not supported).
    static func requireOnly(_ allowed: Set<String>, in members: [(String, JSON)], path: String) throws(StructuredOutputError) {
        for (keyword, _) in members where !allowed.contains(keyword) && !annotations.contains(keyword) {
            throw .unsupportedKeyword(keyword, path: "\(path)/\(keyword) (beside '\(allowed.sorted().joined(separator: "', '"))')")
        }
    }

    /// A non-negative whole number from `keyword`, at most ``largestCount``.
    static func count(_ schema: JSON, _ keyword: String, path: String) throws(StructuredOutputError) -> Int? {
        guard let value = schema[keyword] else { return nil }
        let number: Int? =
            switch value {
            case .int(let int): int
            case .double(let double) where double.rounded() == double && abs(double) < 1e15: Int(double)
            default: nil
            }
        guard let number, number >= 0 else { throw .invalidSchema("'\(keyword)' must be a non-negative integer", path: path + "/" + keyword) }
        guard number <= largestCount else {
            throw .unsupportedKeyword(keyword, path: "\(path)/\(keyword) (at most \(largestCount) is supported)")
        }
        return number
    }
}

extension String {
    /// Makes sure the `space` rule exists for a rule that refers to it.
    fileprivate func withSpace(_ builder: inout GrammarBuilder) -> String {
        _ = builder.primitive(.space)
        return self
    }
}
