/// Finds where JSON values end in text that may still be growing, without building them.
/// Used by the tool-call parser to stream a call's arguments as their bytes arrive.
enum JSONScanner {
    enum Scan: Equatable {
        /// The value ends before this index.
        case complete(Int)
        /// The text ends inside the value.
        case incomplete
        case invalid
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

    static func skipSpace(_ bytes: [UInt8], _ index: Int) -> Int {
        var index = index
        while index < bytes.count && isSpace(bytes[index]) { index += 1 }
        return index
    }

    /// The end of the value starting at `start` (no leading whitespace). A number at the very
    /// end of the text is incomplete unless `final`.
    static func valueEnd(_ bytes: [UInt8], from start: Int, final: Bool) -> Scan {
        guard start < bytes.count else { return .incomplete }
        switch bytes[start] {
        case UInt8(ascii: "\""): return stringEnd(bytes, from: start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard case .complete(let end) = stringEnd(bytes, from: index) else { return .incomplete }
                    index = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return .complete(index + 1) }
                default: break
                }
                index += 1
            }
            return .incomplete
        default:
            var index = start
            let allowed = Set("0123456789+-.eEtruefalsn".utf8)
            while index < bytes.count && allowed.contains(bytes[index]) { index += 1 }
            if index == start { return .invalid }
            return index == bytes.count && !final ? .incomplete : .complete(index)
        }
    }

    static func stringEnd(_ bytes: [UInt8], from start: Int) -> Scan {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return .complete(index + 1)
            default: index += 1
            }
        }
        return .incomplete
    }

    /// Whether `bytes` has `literal` at `index`: `true`, `false`, or nil when the text ends
    /// inside a match.
    static func matches(_ bytes: [UInt8], _ index: Int, _ literal: String) -> Bool? {
        let expected = Array(literal.utf8)
        for (offset, byte) in expected.enumerated() {
            guard index + offset < bytes.count else { return nil }
            if bytes[index + offset] != byte { return false }
        }
        return true
    }

    /// The first index at or after `from` where `literal` starts, or nil.
    static func find(_ literal: String, in bytes: [UInt8], from: Int) -> Int? {
        let needle = Array(literal.utf8)
        guard !needle.isEmpty, bytes.count >= needle.count, from <= bytes.count - needle.count else { return nil }
        var index = from
        while index <= bytes.count - needle.count {
            if bytes[index] == needle[0] && Array(bytes[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }
}

extension String {
    init(_ bytes: ArraySlice<UInt8>) { self = String(decoding: bytes, as: UTF8.self) }
}
