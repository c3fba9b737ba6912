/// Chat modes prompt with `Name:`; a reply that starts with whitespace or repeats a speaker's
/// `Name:` has them removed, as text-generation-webui does, also while streaming (text that
/// may still turn out to be such a prefix is held back).
public struct ReplyPrefixFilter: Sendable {
    private let prefixes: [String]
    private var held = ""
    /// Leading whitespace (and a name) has been dealt with.
    private var passing: Bool
    /// A name was removed; spaces right after it go too.
    private var strippingSpaces = false

    public init(prefixes: [String]) {
        self.prefixes = prefixes
        passing = prefixes.isEmpty
    }

    /// The whole reply, filtered.
    public static func filtered(_ text: String, prefixes: [String]) -> String {
        var filter = ReplyPrefixFilter(prefixes: prefixes)
        return filter.feed(text) + filter.finish()
    }

    public mutating func feed(_ text: String) -> String {
        if passing {
            guard strippingSpaces else { return text }
            let rest = Substring(text).drop { $0 == " " }
            strippingSpaces = rest.isEmpty
            return String(rest)
        }
        held += text
        let trimmed = Substring(held).drop { $0.isWhitespace }
        if trimmed.isEmpty { return "" }
        if let prefix = prefixes.first(where: { trimmed.hasPrefix($0) }) {
            passing = true
            held = ""
            let rest = trimmed.dropFirst(prefix.count).drop { $0 == " " }
            strippingSpaces = rest.isEmpty
            return String(rest)
        }
        if prefixes.contains(where: { $0.hasPrefix(trimmed) }) { return "" }
        passing = true
        held = ""
        return String(trimmed)
    }

    /// What is still held back when the reply ends.
    public mutating func finish() -> String {
        defer { held = "" }
        return passing ? "" : String(Substring(held).drop { $0.isWhitespace })
    }
}
