import Foundation

/// The sampler fields one source set: a request, a preset or the server's flags. Fields left out
/// are absent, so the layers merge field by field (request over preset over server defaults).
/// Every value in it has passed its field's ``SamplerField/kind`` check.
public struct SamplerSettings: Sendable, Equatable {
    public private(set) var values: [SamplerField: SamplerValue] = [:]

    public init() {}

    public subscript(field: SamplerField) -> SamplerValue? { values[field] }

    public var isEmpty: Bool { values.isEmpty }

    /// Sets a field after checking the value against the field's range.
    /// - Parameter param: the field's name in the client's request (its wire name unless the
    ///   protocol calls it otherwise: Ollama's `options.repeat_penalty`).
    /// - Throws: 400 naming `param`.
    public mutating func set(_ field: SamplerField, _ value: SamplerValue, param: String? = nil) throws(OpenAIError) {
        values[field] = try field.checked(value, param: param ?? field.wireName)
    }

    /// Reads `field` from `container` under `key`, a protocol's own name for it (absent or
    /// null leaves it unset), and checks it as ``set(_:_:param:)`` does, naming the key's path.
    public mutating func decode<Key: CodingKey>(_ field: SamplerField, from container: KeyedDecodingContainer<Key>, forKey key: Key) throws {
        guard container.contains(key), try !container.decodeNil(forKey: key) else { return }
        let param = RequestDecoder.path(container.codingPath + [key])
        let value: SamplerValue
        switch field.kind {
        case .number: value = .number(try container.decode(Double.self, forKey: key))
        case .integer: value = try Self.decodeInteger(field, container, key, param: param)
        case .flag: value = .flag(try container.decode(Bool.self, forKey: key))
        case .stages, .breakers:
            if let list = try? container.decode([String].self, forKey: key) {
                value = .list(list)
            } else {
                value = try field.parse(try container.decode(String.self, forKey: key))
            }
        }
        try set(field, value, param: param)
    }

    /// These settings, with `lower`'s values for the fields these leave out.
    public func over(_ lower: SamplerSettings) -> SamplerSettings {
        var merged = lower
        merged.values.merge(values) { _, mine in mine }
        return merged
    }
}

extension SamplerSettings: Decodable {
    /// Reads every field of the table from a request body; other keys are left for other
    /// decoders.
    public init(from decoder: any Decoder) throws {
        self.init()
        if let recorder = decoder as? any SchemaRecording {
            recorder.document(SamplerField.allCases.map { ($0.wireName, $0.jsonSchema) })
            return
        }
        let container = try decoder.container(keyedBy: FieldKey.self)
        for field in SamplerField.allCases {
            try decode(field, from: container, forKey: FieldKey(field))
        }
    }

    /// An integer field also takes a number without a fraction (`2.0`), as Python's clients send.
    private static func decodeInteger<Key: CodingKey>(
        _ field: SamplerField,
        _ container: KeyedDecodingContainer<Key>,
        _ key: Key,
        param: String
    ) throws -> SamplerValue {
        if let integer = try? container.decode(Int.self, forKey: key) { return .integer(integer) }
        let number = try container.decode(Double.self, forKey: key)
        guard number == number.rounded() else { throw OpenAIError.invalidType(param, expected: "an integer") }
        // Whole but beyond Int: out of range, reported as such.
        guard let integer = Int(exactly: number) else { throw field.rangeError(number, param: param) }
        return .integer(integer)
    }

    private struct FieldKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ field: SamplerField) { stringValue = field.wireName }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension SamplerField {
    /// Parses a value written as text: a server flag's argument or a preset's YAML scalar.
    /// - Throws: 400 naming the field.
    public func parse(_ text: String) throws(OpenAIError) -> SamplerValue {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch kind {
        case .number:
            guard let number = Double(trimmed) else { throw .invalidType(wireName, expected: "a number") }
            return .number(number)
        case .integer:
            if let integer = Int(trimmed) { return .integer(integer) }
            guard let number = Double(trimmed), number == number.rounded() else { throw .invalidType(wireName, expected: "an integer") }
            guard let integer = Int(exactly: number) else { throw rangeError(number) }
            return .integer(integer)
        case .flag:
            switch trimmed.lowercased() {
            case "true", "1", "yes", "on": return .flag(true)
            case "false", "0", "no", "off": return .flag(false)
            default: throw .invalidType(wireName, expected: "a boolean")
            }
        case .stages:
            return .list(
                text.split(whereSeparator: { $0 == "\n" || $0 == "," }).map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
            )
        case .breakers:
            let list = trimmed.hasPrefix("[") ? trimmed : "[\(trimmed)]"
            guard let breakers = try? JSONDecoder().decode([String].self, from: Data(list.utf8)) else {
                throw .invalidValue(wireName, "expected JSON strings separated by commas, like \"\\n\", \":\".")
            }
            return .list(breakers)
        }
    }

    /// The value, if it is of this field's kind and in its range.
    /// - Throws: 400 naming `param` (the field's wire name unless a protocol calls it otherwise)
    ///   and quoting the limit.
    func checked(_ value: SamplerValue, param: String) throws(OpenAIError) -> SamplerValue {
        let wireName = param
        switch (kind, value) {
        case (.number(let range), .number), (.number(let range), .integer):
            let number = value.number
            guard number.isFinite else { throw .invalidValue(wireName, "expected a finite number.") }
            guard range.contains(number) else { throw rangeError(number, param: param) }
            return .number(number)
        case (.integer(let range), .integer(let integer)):
            guard range.contains(integer) else { throw rangeError(Double(integer), param: param) }
            return value
        case (.flag, .flag), (.breakers, .list):
            return value
        case (.stages, .list(let names)):
            if let name = names.first(where: { !Self.stageNames.contains($0) }) {
                throw .invalidValue(wireName, "'\(name)' is not a sampler; use names like top_k, top_p, temperature, min_p.")
            }
            return value
        default:
            throw .invalidType(wireName, expected: kind.expectation)
        }
    }

    /// "… above maximum value. Expected a value <= 1, but got 1.5 instead."
    func rangeError(_ number: Double, param: String? = nil) -> OpenAIError {
        let wireName = param ?? wireName
        let (noun, lower, upper): (String, Double, Double) =
            switch kind {
            case .number(let range): ("decimal", range.lowerBound, range.upperBound)
            case .integer(let range): ("integer", Double(range.lowerBound), Double(range.upperBound))
            default: ("value", -.infinity, .infinity)
            }
        let shown = SamplerValue.format(number)
        if number < lower {
            return .invalidValue(
                wireName,
                "\(noun) below minimum value. Expected a value >= \(SamplerValue.format(lower)), but got \(shown) instead."
            )
        }
        return .invalidValue(wireName, "\(noun) above maximum value. Expected a value <= \(SamplerValue.format(upper)), but got \(shown) instead.")
    }
}

extension SamplerField.Kind {
    /// "a number", for type errors.
    var expectation: String {
        switch self {
        case .number: "a number"
        case .integer: "an integer"
        case .flag: "a boolean"
        case .breakers: "a string of JSON strings"
        case .stages: "a list of sampler names"
        }
    }

    /// The range as docs show it: `0–1`, `≥ 0` for the open-ended integer ranges.
    public var rangeText: String {
        switch self {
        case .number(let range): "\(SamplerValue.format(range.lowerBound))–\(SamplerValue.format(range.upperBound))"
        case .integer(let range): "\(range.lowerBound)–\(range.upperBound)"
        case .flag: "true/false"
        case .breakers: "strings"
        case .stages: "names"
        }
    }
}
