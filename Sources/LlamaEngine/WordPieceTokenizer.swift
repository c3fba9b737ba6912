import Foundation

/// BERT's tokenizer as sentence-transformers runs it (Hugging Face's `BertTokenizerFast`, which
/// MPNet's tokenizer shares): the BERT normaliser (control characters dropped, whitespace made
/// spaces, spaces around CJK ideographs, accents stripped, lower-cased), a split on whitespace
/// and punctuation, then WordPiece's greedy longest match against the vocabulary (`##` marks a
/// piece that continues a word; a word with no split, or over 100 characters, is the unknown
/// token). Pure and deterministic: the same text always gives the same ids.
public struct WordPieceTokenizer: Sendable {
    /// Token ids by piece.
    let vocabulary: [String: Int32]
    /// Whether text is lower-cased and stripped of accents (`do_lower_case`, uncased models).
    let lowercases: Bool
    /// Put before and after a text's pieces (`[CLS]`/`[SEP]` for BERT, `<s>`/`</s>` for MPNet).
    public let start: Int32
    public let end: Int32
    let unknown: Int32

    /// Ids run from 0 to this (exclusive): the vocabulary file's line count.
    public let vocabularySize: Int

    /// `ids` (pieces, without the start and end tokens) between the start and end tokens,
    /// truncated as ``encode(_:maxLength:)`` truncates.
    public func wrap(_ ids: [Int32], maxLength: Int) -> [Int32] {
        [start] + ids.prefix(max(0, maxLength - 2)) + [end]
    }

    /// Words longer than this (in Unicode scalars) are the unknown token, as in BERT.
    static let longestWord = 100

    /// - Parameters:
    ///   - vocabulary: `vocab.txt`'s lines; a line's index is its id.
    ///   - start/end/unknown: the special tokens' texts, which must be in the vocabulary.
    public init(vocabulary lines: [String], lowercases: Bool, start: String, end: String, unknown: String) throws(EmbeddingError) {
        var vocabulary: [String: Int32] = [:]
        for (index, line) in lines.enumerated() where vocabulary[line] == nil { vocabulary[line] = Int32(index) }
        func id(_ text: String) throws(EmbeddingError) -> Int32 {
            guard let id = vocabulary[text] else { throw .badModel("the vocabulary has no '\(text)' token") }
            return id
        }
        self.vocabulary = vocabulary
        vocabularySize = lines.count
        self.lowercases = lowercases
        self.start = try id(start)
        self.end = try id(end)
        self.unknown = try id(unknown)
    }

    /// The ids of `text` between the start and end tokens, at most `maxLength` in all (the
    /// text's pieces are cut to fit, as sentence-transformers truncates).
    public func encode(_ text: String, maxLength: Int) -> [Int32] {
        var ids = [start]
        let room = max(0, maxLength - 2)
        for word in words(in: text) {
            for id in pieces(of: word) {
                guard ids.count - 1 < room else { return ids + [end] }
                ids.append(id)
            }
        }
        return ids + [end]
    }

    /// The normalised text split into words: whitespace separates, and every punctuation
    /// character is a word of its own.
    func words(in text: String) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in normalized(text) {
            if scalar.properties.isWhitespace {
                if !current.isEmpty { words.append(current) }
                current = []
            } else if Self.isPunctuation(scalar) {
                if !current.isEmpty { words.append(current) }
                words.append([scalar])
                current = []
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// BERT's normaliser: control characters dropped, whitespace to spaces, CJK ideographs
    /// spaced, then (uncased models) accents stripped and lower-cased.
    func normalized(_ text: String) -> [Unicode.Scalar] {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || Self.isControl(scalar) { continue }
            if scalar.properties.isWhitespace {
                cleaned.append(" ")
            } else if Self.isCJKIdeograph(scalar) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        guard lowercases else { return Array(cleaned) }
        let stripped = String(cleaned).decomposedStringWithCanonicalMapping.unicodeScalars.filter {
            $0.properties.generalCategory != .nonspacingMark
        }
        return Array(String(String.UnicodeScalarView(stripped)).lowercased().unicodeScalars)
    }

    /// WordPiece: the longest vocabulary entry from the start, then from where it ended (as
    /// `##…`), until the word is covered; the unknown token when it cannot be.
    func pieces(of word: [Unicode.Scalar]) -> [Int32] {
        guard word.count <= Self.longestWord else { return [unknown] }
        var ids: [Int32] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32?
            while end > start {
                var piece = start > 0 ? "##" : ""
                piece.unicodeScalars.append(contentsOf: word[start..<end])
                if let id = vocabulary[piece] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let found else { return [unknown] }
            ids.append(found)
            start = end
        }
        return ids
    }

    /// Unicode's "other" categories, but tab, newline and carriage return (whitespace).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    /// ASCII punctuation and symbols, and Unicode's punctuation categories.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value) || (123...126).contains(value) {
            return true
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation:
            return true
        default: return false
        }
    }

    /// The CJK Unified Ideographs blocks BERT spaces out (not kana or hangul).
    static func isCJKIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F, 0x2B820...0x2CEAF,
            0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default: return false
        }
    }
}

/// Why an embedding model cannot be used or a text cannot be embedded.
public enum EmbeddingError: Error, Equatable, CustomStringConvertible {
    /// The model's folder is missing a file or holds something unexpected.
    case badModel(String)
    /// The caller asked to stop (its client left) before every text was embedded.
    case stopped

    public var description: String {
        switch self {
        case .badModel(let reason): "the embedding model cannot be used: \(reason)"
        case .stopped: "embedding stopped"
        }
    }
}
