import OrderedJSON

/// One token's log probability as the API reports it, with the most likely alternatives at its
/// position.
public struct LogprobEntry: Sendable, Equatable {
    /// A candidate token at one position.
    public struct Alternative: Sendable, Equatable {
        public var token: String
        public var bytes: [UInt8]
        public var logprob: Double

        public init(token: String, bytes: [UInt8], logprob: Double) {
            self.token = token
            self.bytes = bytes
            self.logprob = logprob
        }
    }

    /// The token's text; bytes that are part of a UTF-8 character show as U+FFFD.
    public var token: String
    /// The token's exact bytes.
    public var bytes: [UInt8]
    /// `nil` for the first prompt token, which nothing predicts.
    public var logprob: Double?
    public var top: [Alternative]

    public init(token: String, bytes: [UInt8], logprob: Double?, top: [Alternative]) {
        self.token = token
        self.bytes = bytes
        self.logprob = logprob
        self.top = top
    }
}

/// The `logprobs` object of a text completion choice: parallel arrays of tokens, their log
/// probabilities, the top alternatives (`{token: logprob}`) and each token's character offset
/// in the choice's text.
public struct CompletionLogprobs: JSONRepresentable {
    public var entries: [LogprobEntry]
    /// Character (Unicode scalar) offset of the first entry in the choice's text.
    public var startOffset: Int

    public init(entries: [LogprobEntry], startOffset: Int) {
        self.entries = entries
        self.startOffset = startOffset
    }

    /// Unicode scalars the entries' bytes start, as Python counts string offsets.
    public static func characterCount(of entries: [LogprobEntry]) -> Int {
        entries.reduce(0) { $0 + $1.bytes.count { $0 & 0xC0 != 0x80 } }
    }

    public var json: JSON {
        var offsets: [JSON] = []
        var offset = startOffset
        for entry in entries {
            offsets.append(.int(offset))
            offset += Self.characterCount(of: [entry])
        }
        return .object([
            ("tokens", .array(entries.map { .string($0.token) })),
            ("token_logprobs", .array(entries.map { $0.logprob.map(JSON.double) ?? .null })),
            (
                "top_logprobs",
                .array(
                    entries.map { entry in
                        guard entry.logprob != nil else { return .null }
                        var seen = Set<String>()
                        return .object(entry.top.filter { seen.insert($0.token).inserted }.map { ($0.token, .double($0.logprob)) })
                    }
                )
            ),
            ("text_offset", .array(offsets)),
        ])
    }
}

/// The `logprobs` object of a chat choice or chunk: `{"content": [...], "refusal": null}`.
public struct ChatLogprobs: JSONRepresentable {
    public var entries: [LogprobEntry]

    public init(entries: [LogprobEntry]) { self.entries = entries }

    public var json: JSON {
        .object([
            (
                "content",
                .array(
                    entries.map { entry in
                        .object([
                            ("token", .string(entry.token)), ("logprob", .double(entry.logprob ?? 0)), ("bytes", Self.bytes(entry.bytes)),
                            (
                                "top_logprobs",
                                .array(
                                    entry.top.map {
                                        .object([("token", .string($0.token)), ("logprob", .double($0.logprob)), ("bytes", Self.bytes($0.bytes))])
                                    }
                                )
                            ),
                        ])
                    }
                )
            ),
            ("refusal", .null),
        ])
    }

    private static func bytes(_ bytes: [UInt8]) -> JSON { .array(bytes.map { .int(Int($0)) }) }
}
