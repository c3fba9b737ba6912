extension JSON {
    /// Decodes `T` from this value through `Decodable`, as Foundation's `JSONDecoder` would from
    /// the same text: the same errors (`DecodingError` with the coding path), the same number
    /// rules (an integer field refuses a number it cannot hold exactly).
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try T(from: JSONValueDecoder(value: self, codingPath: []))
    }
}

/// A `Decoder` reading a parsed ``JSON`` value.
struct JSONValueDecoder: Decoder {
    let value: JSON
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw DecodingError.typeMismatch([String: JSON].self, .init(codingPath: codingPath, debugDescription: "Expected an object."))
        }
        return KeyedDecodingContainer(KeyedContainer<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let values) = value else {
            throw DecodingError.typeMismatch([JSON].self, .init(codingPath: codingPath, debugDescription: "Expected an array."))
        }
        return UnkeyedContainer(values: values, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleValue(value: value, codingPath: codingPath) }
}

/// Conversions of one value to the primitive types, with `JSONDecoder`'s errors.
private enum Primitive {
    static func bool(_ value: JSON, _ path: [any CodingKey]) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(Bool.self, value, path) }
        return flag
    }

    static func string(_ value: JSON, _ path: [any CodingKey]) throws -> String {
        guard case .string(let text) = value else { throw mismatch(String.self, value, path) }
        return text
    }

    static func double(_ value: JSON, _ path: [any CodingKey]) throws -> Double {
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        default: throw mismatch(Double.self, value, path)
        }
    }

    static func integer<T: FixedWidthInteger>(_ type: T.Type, _ value: JSON, _ path: [any CodingKey]) throws -> T {
        switch value {
        case .int(let number):
            if let exact = T(exactly: number) { return exact }
        case .double(let number):
            if let exact = T(exactly: number) { return exact }
            if number.isFinite, number != number.rounded() {
                throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "Expected an integer, but found \(number)."))
            }
        default:
            throw mismatch(T.self, value, path)
        }
        throw DecodingError.dataCorrupted(
            .init(codingPath: path, debugDescription: "The number is out of range: at most \(T.max) and at least \(T.min).")
        )
    }

    static func mismatch(_ type: Any.Type, _ value: JSON, _ path: [any CodingKey]) -> DecodingError {
        if value.isNull {
            return .valueNotFound(type, .init(codingPath: path, debugDescription: "Expected \(type) value but found null instead."))
        }
        return .typeMismatch(type, .init(codingPath: path, debugDescription: "Expected to decode \(type)."))
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSON]
    let order: [String]
    let codingPath: [any CodingKey]

    init(members: [(String, JSON)], codingPath: [any CodingKey]) {
        self.members = Dictionary(members, uniquingKeysWith: { _, last in last })
        order = members.map(\.0)
        self.codingPath = codingPath
    }

    var allKeys: [Key] { order.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func member(_ key: Key) throws -> JSON {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "No value for '\(key.stringValue)'."))
        }
        return value
    }

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    func decodeNil(forKey key: Key) throws -> Bool { try member(key).isNull }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try Primitive.bool(member(key), path(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try Primitive.string(member(key), path(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try Primitive.double(member(key), path(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try Primitive.double(member(key), path(key))) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try Primitive.integer(type, member(key), path(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try Primitive.integer(type, member(key), path(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try Primitive.integer(type, member(key), path(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try Primitive.integer(type, member(key), path(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try Primitive.integer(type, member(key), path(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try Primitive.integer(type, member(key), path(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try Primitive.integer(type, member(key), path(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try Primitive.integer(type, member(key), path(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try Primitive.integer(type, member(key), path(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try Primitive.integer(type, member(key), path(key)) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try T(from: JSONValueDecoder(value: member(key), codingPath: path(key)))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try JSONValueDecoder(value: member(key), codingPath: path(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try JSONValueDecoder(value: member(key), codingPath: path(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { JSONValueDecoder(value: .object(order.map { ($0, members[$0]!) }), codingPath: codingPath) }

    func superDecoder(forKey key: Key) throws -> any Decoder { JSONValueDecoder(value: try member(key), codingPath: path(key)) }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let values: [JSON]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(values: [JSON], codingPath: [any CodingKey]) {
        self.values = values
        self.codingPath = codingPath
    }

    var count: Int? { values.count }
    var isAtEnd: Bool { currentIndex >= values.count }

    private struct Index: CodingKey {
        var intValue: Int?
        var stringValue: String { "Index \(intValue ?? 0)" }
        init(_ index: Int) { intValue = index }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { self.intValue = intValue }
    }

    private var path: [any CodingKey] { codingPath + [Index(currentIndex)] }

    private mutating func next() throws -> JSON {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(JSON.self, .init(codingPath: path, debugDescription: "Unkeyed container is at end."))
        }
        defer { currentIndex += 1 }
        return values[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, values[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    private mutating func primitive<T>(_ read: (JSON, [any CodingKey]) throws -> T) throws -> T {
        let location = path
        return try read(next(), location)
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try primitive(Primitive.bool) }
    mutating func decode(_ type: String.Type) throws -> String { try primitive(Primitive.string) }
    mutating func decode(_ type: Double.Type) throws -> Double { try primitive(Primitive.double) }
    mutating func decode(_ type: Float.Type) throws -> Float { Float(try primitive(Primitive.double)) }
    mutating func decode(_ type: Int.Type) throws -> Int { try primitive { try Primitive.integer(type, $0, $1) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try primitive { try Primitive.integer(type, $0, $1) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try primitive { try Primitive.integer(type, $0, $1) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try primitive { try Primitive.integer(type, $0, $1) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try primitive { try Primitive.integer(type, $0, $1) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try primitive { try Primitive.integer(type, $0, $1) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try primitive { try Primitive.integer(type, $0, $1) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try primitive { try Primitive.integer(type, $0, $1) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try primitive { try Primitive.integer(type, $0, $1) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try primitive { try Primitive.integer(type, $0, $1) } }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try primitive { value, path in try T(from: JSONValueDecoder(value: value, codingPath: path)) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try primitive { value, path in try JSONValueDecoder(value: value, codingPath: path).container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try primitive { value, path in try JSONValueDecoder(value: value, codingPath: path).unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder {
        try primitive { value, path in JSONValueDecoder(value: value, codingPath: path) }
    }
}

private struct SingleValue: SingleValueDecodingContainer {
    let value: JSON
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try Primitive.bool(value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try Primitive.string(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try Primitive.double(value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { Float(try Primitive.double(value, codingPath)) }
    func decode(_ type: Int.Type) throws -> Int { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try Primitive.integer(type, value, codingPath) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: JSONValueDecoder(value: value, codingPath: codingPath)) }
}

extension JSON: Decodable {
    /// Any JSON value, kept as it is with its key order (a request's `messages` and `tools`).
    /// Only ``JSON/decode(_:)`` can hand the value over whole; another decoder has already
    /// lost the order, so it is refused rather than silently reordered.
    public init(from decoder: any Decoder) throws {
        guard let reader = decoder as? JSONValueDecoder else {
            throw DecodingError.typeMismatch(
                JSON.self,
                .init(codingPath: decoder.codingPath, debugDescription: "JSON values are decoded by JSON.decode(_:) only.")
            )
        }
        self = reader.value
    }
}
