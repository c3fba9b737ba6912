/// Turns a stream of byte pieces (one per generated token) into text without ever emitting a
/// broken UTF-8 sequence.
///
/// A multi-byte character can be split across tokens (byte-fallback vocabularies do this for
/// emoji and CJK text). The decoder emits the longest complete prefix and holds back a trailing
/// incomplete sequence until the next piece completes it. Invalid bytes that can never become
/// valid are emitted as U+FFFD, as Python's `errors="replace"` does.
public struct UTF8StreamDecoder: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// Appends the bytes of one token and returns the text that is now complete.
    public mutating func append(_ bytes: some Sequence<UInt8>) -> String {
        pending.append(contentsOf: bytes)
        let cut = Self.completePrefixLength(pending)
        guard cut > 0 else { return "" }
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return text
    }

    /// Returns whatever is still held back, replacing an unfinished sequence with U+FFFD.
    public mutating func flush() -> String {
        defer { pending.removeAll() }
        return pending.isEmpty ? "" : String(decoding: pending, as: UTF8.self)
    }

    /// Whether bytes are held back waiting for the rest of a character.
    public var hasPendingBytes: Bool { !pending.isEmpty }

    /// The length of the prefix of `bytes` that ends on a character boundary: everything except a
    /// trailing lead byte (plus continuation bytes) whose sequence is not complete yet.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        let count = bytes.count
        // A UTF-8 sequence is at most 4 bytes, so only the last 3 can start an unfinished one.
        var index = count - 1
        var continuationBytes = 0
        while index >= 0, count - index <= 4 {
            let byte = bytes[index]
            if byte & 0b1100_0000 == 0b1000_0000 {
                continuationBytes += 1
                index -= 1
                continue
            }
            let expected: Int
            switch byte {
            case 0xC2...0xDF: expected = 2
            case 0xE0...0xEF: expected = 3
            case 0xF0...0xF4: expected = 4
            default: return count  // ASCII or an invalid lead byte: nothing to wait for.
            }
            return continuationBytes + 1 < expected ? index : count
        }
        return count
    }
}
