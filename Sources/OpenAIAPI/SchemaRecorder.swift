import OrderedJSON

/// What a type's `init(from:)` may tell the ``SchemaRecorder`` that running it on placeholder
/// values cannot show: alternatives (`content` is a string or a list of parts), fields read from
/// the whole body, ranges. Types find it as `decoder as? any SchemaRecording`.
public protocol SchemaRecording {
    /// Sets (or replaces) the schemas of properties of the object being decoded.
    func document(_ properties: [(String, JSON)])
    /// Sets the schema of the value being decoded.
    func describe(_ schema: JSON)
}

/// Derives a JSON Schema from a `Decodable` type by running its own `init(from:)` against a
/// decoder that records every field it asks for, with its type, instead of reading one.
///
/// The OpenAPI document is built this way from the very types the server decodes requests
/// with, so a field cannot be accepted but undocumented or documented but ignored. A field
/// read with `decode` (and never probed with `decodeNil`) is required; one read with
/// `decodeIfPresent` is optional. Every field is present to the recorder, with placeholder
/// values (`""`, `0`, `false`, one array element).
public enum SchemaRecorder {
    /// The schema of `type`. Throws what the type's initializer throws on placeholder values
    /// (a test runs this for every request type).
    public static func schema<T: Decodable>(of type: T.Type) throws -> JSON {
        let node = SchemaNode()
        _ = try RecordingDecoder(node: node, codingPath: []).value(T.self)
        return node.json
    }
}

/// A schema being recorded: unknown until the decoding asks for a shape.
final class SchemaNode {
    enum Shape {
        case unknown
        case object
        case array(SchemaNode)
        case fixed(JSON)
    }

    var shape = Shape.unknown
    private(set) var properties: [(name: String, node: SchemaNode)] = []
    private var required: [String] = []
    /// Keys probed with `decodeNil`: optional whatever reads them afterwards.
    private var nullable: Set<String> = []

    /// The node of property `name`, made on first use.
    func property(_ name: String) -> SchemaNode {
        if let found = properties.first(where: { $0.name == name }) { return found.node }
        let node = SchemaNode()
        properties.append((name, node))
        return node
    }

    func markNullable(_ name: String) { nullable.insert(name) }

    func markRead(_ name: String) {
        if !nullable.contains(name) && !required.contains(name) { required.append(name) }
    }

    var isUnknown: Bool {
        if case .unknown = shape { return true }
        return false
    }

    var json: JSON {
        switch shape {
        case .unknown: return .object([])
        case .fixed(let schema): return schema
        case .array(let items): return .object([("type", "array"), ("items", items.json)])
        case .object:
            var members: [(String, JSON)] = [("type", "object"), ("properties", .object(properties.map { ($0.name, $0.node.json) }))]
            let required = required.filter { !nullable.contains($0) }
            if !required.isEmpty { members.append(("required", .array(required.map(JSON.string)))) }
            return .object(members)
        }
    }
}

/// The decoder ``SchemaRecorder`` runs types against.
struct RecordingDecoder: Decoder, SchemaRecording {
    let node: SchemaNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        if node.isUnknown { node.shape = .object }
        return KeyedDecodingContainer(RecordingKeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let items: SchemaNode
        if case .array(let known) = node.shape {
            items = known
        } else {
            items = SchemaNode()
            if node.isUnknown { node.shape = .array(items) }
        }
        return RecordingUnkeyedContainer(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { RecordingSingleValue(decoder: self) }

    func document(_ properties: [(String, JSON)]) {
        if node.isUnknown { node.shape = .object }
        for (name, schema) in properties { node.property(name).shape = .fixed(schema) }
    }

    func describe(_ schema: JSON) { node.shape = .fixed(schema) }

    /// A placeholder `T`, recording its schema in ``node`` (unless something recorded it first:
    /// a field read twice keeps its first reading).
    func value<T: Decodable>(_ type: T.Type) throws -> T {
        let target = node.isUnknown ? node : SchemaNode()
        let decoder = RecordingDecoder(node: target, codingPath: codingPath)
        if let placeholder = Self.primitive(T.self) {
            target.shape = .fixed(placeholder.schema)
            return placeholder.value as! T
        }
        if T.self == JSON.self {
            target.shape = .fixed(.object([]))
            return JSON.null as! T
        }
        if let dictionary = T.self as? any StringKeyedDictionary.Type {
            target.shape = .fixed(.object([("type", "object"), ("additionalProperties", try dictionary.valueSchema())]))
            return dictionary.empty as! T
        }
        return try T(from: decoder)
    }

    /// Placeholders and schemas of the types JSON has.
    static func primitive(_ type: Any.Type) -> (value: Any, schema: JSON)? {
        switch type {
        case is String.Type: ("", ["type": "string"])
        case is Bool.Type: (false, ["type": "boolean"])
        case is Double.Type: (0.0, ["type": "number"])
        case is Float.Type: (Float(0), ["type": "number"])
        case is Int.Type: (0, ["type": "integer"])
        case is Int64.Type: (Int64(0), ["type": "integer"])
        case is Int32.Type: (Int32(0), ["type": "integer"])
        case is UInt64.Type: (UInt64(0), ["type": "integer", "minimum": 0])
        case is UInt32.Type: (UInt32(0), ["type": "integer", "minimum": 0])
        case is Int8.Type: (Int8(0), ["type": "integer"])
        case is Int16.Type: (Int16(0), ["type": "integer"])
        case is UInt.Type: (UInt(0), ["type": "integer", "minimum": 0])
        case is UInt8.Type: (UInt8(0), ["type": "integer", "minimum": 0])
        case is UInt16.Type: (UInt16(0), ["type": "integer", "minimum": 0])
        default: nil
        }
    }
}

/// `[String: Value]`, which decodes as an object of any keys.
protocol StringKeyedDictionary {
    static var empty: Self { get }
    static func valueSchema() throws -> JSON
}

extension Dictionary: StringKeyedDictionary where Key == String, Value: Decodable {
    static var empty: Self { [:] }
    static func valueSchema() throws -> JSON { try SchemaRecorder.schema(of: Value.self) }
}

/// Every key is present; reading one records it.
struct RecordingKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let node: SchemaNode
    let codingPath: [any CodingKey]
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { true }

    func decodeNil(forKey key: Key) throws -> Bool {
        node.markNullable(key.stringValue)
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decode(type, as: key) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(type, as: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(type, as: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(type, as: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decode(type, as: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(type, as: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decode(type, as: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decode(type, as: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decode(type, as: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(type, as: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decode(type, as: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decode(type, as: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decode(type, as: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decode(type, as: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decode(type, as: key) }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try decodeIfPresent(type, as: key) }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try decodeIfPresent(type, as: key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try decodeIfPresent(type, as: key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try decodeIfPresent(type, as: key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try decodeIfPresent(type, as: key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try decodeIfPresent(type, as: key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try decodeIfPresent(type, as: key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try decodeIfPresent(type, as: key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try decodeIfPresent(type, as: key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try decodeIfPresent(type, as: key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try decodeIfPresent(type, as: key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try decodeIfPresent(type, as: key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try decodeIfPresent(type, as: key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try decodeIfPresent(type, as: key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try decodeIfPresent(type, as: key) }

    /// Records an optional field, then reports it absent (so `?? default` and the like run as
    /// for a request without it, and a second spelling of the field is read too).
    private func decodeIfPresent<T: Decodable>(_ type: T.Type, as key: Key) throws -> T? {
        node.markNullable(key.stringValue)
        _ = try RecordingDecoder(node: node.property(key.stringValue), codingPath: codingPath + [key]).value(T.self)
        return nil
    }

    private func decode<T: Decodable>(_ type: T.Type, as key: Key) throws -> T {
        node.markRead(key.stringValue)
        return try RecordingDecoder(node: node.property(key.stringValue), codingPath: codingPath + [key]).value(T.self)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        node.markRead(key.stringValue)
        return try RecordingDecoder(node: node.property(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        node.markRead(key.stringValue)
        return try RecordingDecoder(node: node.property(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { RecordingDecoder(node: node, codingPath: codingPath) }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        RecordingDecoder(node: node.property(key.stringValue), codingPath: codingPath + [key])
    }
}

/// An array of one element, whose schema is the array's `items`.
struct RecordingUnkeyedContainer: UnkeyedDecodingContainer {
    let items: SchemaNode
    let codingPath: [any CodingKey]
    var count: Int? { 1 }
    var isAtEnd: Bool { currentIndex >= 1 }
    private(set) var currentIndex = 0

    init(items: SchemaNode, codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    mutating func decodeNil() throws -> Bool { false }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try element(type) }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try element(type) }
    mutating func decode(_ type: String.Type) throws -> String { try element(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try element(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try element(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try element(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try element(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try element(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try element(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try element(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try element(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try element(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try element(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try element(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try element(type) }

    private mutating func element<T: Decodable>(_ type: T.Type) throws -> T {
        defer { currentIndex += 1 }
        return try RecordingDecoder(node: items, codingPath: codingPath).value(T.self)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        defer { currentIndex += 1 }
        return try RecordingDecoder(node: items, codingPath: codingPath).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        defer { currentIndex += 1 }
        return try RecordingDecoder(node: items, codingPath: codingPath).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { RecordingDecoder(node: items, codingPath: codingPath) }
}

/// One value, never null.
struct RecordingSingleValue: SingleValueDecodingContainer {
    let decoder: RecordingDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.value(T.self) }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.value(type) }
    func decode(_ type: String.Type) throws -> String { try decoder.value(type) }
    func decode(_ type: Double.Type) throws -> Double { try decoder.value(type) }
    func decode(_ type: Float.Type) throws -> Float { try decoder.value(type) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.value(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.value(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.value(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.value(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.value(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.value(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.value(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.value(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.value(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.value(type) }
}
