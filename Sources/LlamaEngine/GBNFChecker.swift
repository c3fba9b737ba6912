/// Reads a GBNF grammar the way llama.cpp's grammar parser does and refuses what it would
/// refuse, plus what would hurt the server, before llama.cpp ever sees the text.
///
/// Why not just ask llama.cpp: its parser reports a syntax error with `fprintf(stderr)`, quoting
/// the whole grammar (user input) instead of going through its log callback, so a failed parse
/// would both leak the grammar into the server's output and lose the reason. Its later checks
/// (left recursion, a missing `root`) do use the log callback, which ``LlamaBackend`` captures
/// per thread. And some grammars that parse would harm the process: `x{3,1}` makes the parser
/// generate 2⁶⁴ rules, thousands of nested groups overflow its recursive descent, and a long
/// literal repeated 2,000 times expands into gigabytes. This checker refuses those too.
///
/// Mirrors `llama_grammar_parser::parse` (llama.cpp b8-series): the same lexical rules, the same
/// repetition rewriting arithmetic (`MAX_REPETITION_THRESHOLD`), the same undefined-rule check.
struct GBNFChecker {
    /// A reason the grammar is refused, worded like llama.cpp's parser where it has one.
    struct Failure: Error, Equatable {
        var message: String
    }

    /// llama.cpp's `MAX_REPETITION_THRESHOLD`.
    static let repetitionThreshold: UInt64 = 2000
    /// Deepest nesting of `( … )` accepted (llama.cpp recurses once per level).
    static let maximumNesting = 256
    /// Most grammar elements the rewritten rules may hold.
    static let maximumElements = 1_000_000
    /// Most rules (named and generated) a grammar may have.
    static let maximumSymbols = 10_000

    private let bytes: [UInt8]
    private let isSingleToken: (String) -> Bool
    private var symbols: [String: Int] = [:]
    private var defined: Set<Int> = []
    /// Named rules in the order they were first referenced.
    private var referenced: [(name: String, id: Int)] = []
    private var elements = 0
    private var nesting = 0

    /// Checks `source`.
    /// - Parameter isSingleToken: whether `<text>` (angle brackets included) is exactly one
    ///   token of the model's vocabulary.
    /// - Throws: ``Failure`` with the reason.
    static func check(_ source: String, isSingleToken: (String) -> Bool) throws(Failure) {
        try withoutActuallyEscaping(isSingleToken) { (isSingleToken) throws(Failure) in
            var checker = GBNFChecker(source: source, isSingleToken: isSingleToken)
            try checker.parse()
        }
    }

    private init(source: String, isSingleToken: @escaping (String) -> Bool) {
        // C reads up to the first NUL; so does this, with a NUL sentinel at the end.
        bytes = Array(source.utf8.prefix { $0 != 0 }) + [0]
        self.isSingleToken = isSingleToken
    }

    private func byte(_ position: Int) -> UInt8 { position < bytes.count ? bytes[position] : 0 }

    private mutating func parse() throws(Failure) {
        var position = parseSpace(0, newlineOK: true)
        while byte(position) != 0 { position = try parseRule(position) }
        if let missing = referenced.first(where: { !defined.contains($0.id) }) {
            throw Failure(message: "Undefined rule identifier '\(missing.name)'")
        }
        if defined.isEmpty { throw Failure(message: "the grammar has no rules") }
    }

    private mutating func parseRule(_ start: Int) throws(Failure) -> Int {
        let nameEnd = try parseName(start)
        var position = parseSpace(nameEnd, newlineOK: false)
        let name = text(start..<nameEnd)
        let id = try symbolID(name)
        guard byte(position) == UInt8(ascii: ":"), byte(position + 1) == UInt8(ascii: ":"), byte(position + 2) == UInt8(ascii: "=") else {
            throw failure("expecting ::= at", position)
        }
        position = parseSpace(position + 3, newlineOK: true)
        position = try parseAlternates(position, ruleName: name, id: id, nested: false)
        switch byte(position) {
        case UInt8(ascii: "\r"): position += byte(position + 1) == UInt8(ascii: "\n") ? 2 : 1
        case UInt8(ascii: "\n"): position += 1
        case 0: break
        default: throw failure("expecting newline or end at", position)
        }
        return parseSpace(position, newlineOK: true)
    }

    private mutating func parseAlternates(_ start: Int, ruleName: String, id: Int, nested: Bool) throws(Failure) -> Int {
        var position = try parseSequence(start, ruleName: ruleName, nested: nested)
        while byte(position) == UInt8(ascii: "|") {
            position = parseSpace(position + 1, newlineOK: true)
            position = try parseSequence(position, ruleName: ruleName, nested: nested)
        }
        defined.insert(id)
        return position
    }

    /// One alternative. Only the sizes of the rewritten rules are tracked, not the rules.
    private mutating func parseSequence(_ start: Int, ruleName: String, nested: Bool) throws(Failure) -> Int {
        var position = start
        var length = 0
        var lastSymbolStart = 0
        var previousRules: UInt64 = 1

        func repeatLast(_ minimum: UInt64, _ maximum: UInt64?, at position: Int) throws(Failure) {
            guard lastSymbolStart < length else { throw failure("expecting preceding item to */+/?/{ at", position) }
            if let maximum, maximum < minimum {
                throw Failure(message: "the repetition {\(minimum),\(maximum)} has a maximum below its minimum")
            }
            let total: UInt64 = if let maximum, maximum > 0 { maximum } else if minimum > 0 { minimum } else { 1 }
            let (rules, overflow) = previousRules.multipliedReportingOverflow(by: total)
            guard !overflow, rules <= Self.repetitionThreshold else {
                throw Failure(
                    message:
                        "number of rules that are going to be repeated multiplied by the new repetition exceeds sane defaults, please reduce the number of repetitions or rule complexity"
                )
            }
            let item = length - lastSymbolStart
            if minimum == 0 {
                length = lastSymbolStart
            } else {
                length += item * Int(minimum - 1)
            }
            let optional = maximum.map { Int($0 - minimum) } ?? 1
            for _ in 0..<optional { try generateSymbol(ruleName) }
            try count(optional * (item + 3))
            if optional > 0 { length += 1 }
            try count(0, length: length)
            previousRules = rules
        }

        loop: while true {
            switch byte(position) {
            case 0:
                break loop
            case UInt8(ascii: "\""):
                position += 1
                lastSymbolStart = length
                previousRules = 1
                while byte(position) != UInt8(ascii: "\"") {
                    guard byte(position) != 0 else { throw Failure(message: "unexpected end of input") }
                    position = try parseChar(position)
                    length += 1
                }
                position = parseSpace(position + 1, newlineOK: nested)
            case UInt8(ascii: "["):
                position += 1
                if byte(position) == UInt8(ascii: "^") { position += 1 }
                lastSymbolStart = length
                previousRules = 1
                while byte(position) != UInt8(ascii: "]") {
                    guard byte(position) != 0 else { throw Failure(message: "unexpected end of input") }
                    position = try parseChar(position)
                    length += 1
                    if byte(position) == UInt8(ascii: "-"), byte(position + 1) != UInt8(ascii: "]") {
                        guard byte(position + 1) != 0 else { throw Failure(message: "unexpected end of input") }
                        position = try parseChar(position + 1)
                        length += 1
                    }
                }
                position = parseSpace(position + 1, newlineOK: nested)
            case UInt8(ascii: "<"), UInt8(ascii: "!"):
                if byte(position) == UInt8(ascii: "!") { position += 1 }
                position = try parseToken(position)
                lastSymbolStart = length
                previousRules = 1
                length += 1
                position = parseSpace(position, newlineOK: nested)
            case let character where Self.isWordCharacter(character):
                let nameEnd = try parseName(position)
                let name = text(position..<nameEnd)
                let id = try symbolID(name)
                referenced.append((name, id))
                position = parseSpace(nameEnd, newlineOK: nested)
                lastSymbolStart = length
                previousRules = 1
                length += 1
            case UInt8(ascii: "("):
                nesting += 1
                guard nesting <= Self.maximumNesting else {
                    throw Failure(message: "groups are nested more than \(Self.maximumNesting) deep")
                }
                position = parseSpace(position + 1, newlineOK: true)
                let before = symbols.count
                let id = try generateSymbol(ruleName)
                position = try parseAlternates(position, ruleName: ruleName, id: id, nested: true)
                nesting -= 1
                previousRules = UInt64(max(1, symbols.count - before))
                lastSymbolStart = length
                length += 1
                guard byte(position) == UInt8(ascii: ")") else { throw failure("expecting ')' at", position) }
                position = parseSpace(position + 1, newlineOK: nested)
            case UInt8(ascii: "."):
                lastSymbolStart = length
                previousRules = 1
                length += 1
                position = parseSpace(position + 1, newlineOK: nested)
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
                let operation = byte(position)
                position = parseSpace(position + 1, newlineOK: nested)
                switch operation {
                case UInt8(ascii: "*"): try repeatLast(0, nil, at: position)
                case UInt8(ascii: "+"): try repeatLast(1, nil, at: position)
                default: try repeatLast(0, 1, at: position)
                }
            case UInt8(ascii: "{"):
                position = parseSpace(position + 1, newlineOK: nested)
                guard Self.isDigit(byte(position)) else { throw failure("expecting an int at", position) }
                let (minimum, afterMinimum) = try parseInteger(position)
                position = parseSpace(afterMinimum, newlineOK: nested)
                var maximum: UInt64? = nil
                if byte(position) == UInt8(ascii: "}") {
                    maximum = minimum
                    position = parseSpace(position + 1, newlineOK: nested)
                } else if byte(position) == UInt8(ascii: ",") {
                    position = parseSpace(position + 1, newlineOK: nested)
                    if Self.isDigit(byte(position)) {
                        let (value, afterMaximum) = try parseInteger(position)
                        maximum = value
                        position = parseSpace(afterMaximum, newlineOK: nested)
                    }
                    guard byte(position) == UInt8(ascii: "}") else { throw failure("expecting '}' at", position) }
                    position = parseSpace(position + 1, newlineOK: nested)
                } else {
                    throw failure("expecting ',' at", position)
                }
                guard minimum <= Self.repetitionThreshold else {
                    throw Failure(message: "number of repetitions exceeds sane defaults, please reduce the number of repetitions")
                }
                if let value = maximum, value > Self.repetitionThreshold { maximum = nil }
                try repeatLast(minimum, maximum, at: position)
            default:
                break loop
            }
        }
        try count(length + 1)
        return position
    }

    // MARK: Lexical rules (llama.cpp's parse_space, parse_name, parse_char, parse_token)

    private func parseSpace(_ start: Int, newlineOK: Bool) -> Int {
        var position = start
        while true {
            switch byte(position) {
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                position += 1
            case UInt8(ascii: "\r"),
                UInt8(ascii: "\n") where newlineOK:
                position += 1
            case UInt8(ascii: "#"):
                while byte(position) != 0, byte(position) != UInt8(ascii: "\r"), byte(position) != UInt8(ascii: "\n") { position += 1 }
            default:
                return position
            }
        }
    }

    private func parseName(_ start: Int) throws(Failure) -> Int {
        var position = start
        while Self.isWordCharacter(byte(position)) { position += 1 }
        guard position > start else { throw failure("expecting name at", start) }
        return position
    }

    private func parseInteger(_ start: Int) throws(Failure) -> (UInt64, Int) {
        var position = start
        var value: UInt64 = 0
        while Self.isDigit(byte(position)) {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(byte(position) - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw failure("number too large at", start) }
            value = sum
            position += 1
        }
        guard position > start else { throw failure("expecting integer at", start) }
        return (value, position)
    }

    /// One character of a literal or class: an escape or one UTF-8 sequence.
    private func parseChar(_ start: Int) throws(Failure) -> Int {
        let first = byte(start)
        guard first != 0 else { throw Failure(message: "unexpected end of input") }
        guard first == UInt8(ascii: "\\") else { return start + Self.sequenceLength(first) }
        switch byte(start + 1) {
        case UInt8(ascii: "x"): return try parseHex(start + 2, digits: 2)
        case UInt8(ascii: "u"): return try parseHex(start + 2, digits: 4)
        case UInt8(ascii: "U"): return try parseHex(start + 2, digits: 8)
        case UInt8(ascii: "t"), UInt8(ascii: "r"), UInt8(ascii: "n"), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "["),
            UInt8(ascii: "]"), UInt8(ascii: "-"):
            return start + 2
        default: throw failure("unknown escape at", start)
        }
    }

    private func parseHex(_ start: Int, digits: Int) throws(Failure) -> Int {
        var position = start
        while position < start + digits, Self.isHexDigit(byte(position)) { position += 1 }
        guard position == start + digits else { throw failure("expecting \(digits) hex chars at", start) }
        return position
    }

    /// `<[id]>` or `<text>` naming one token of the vocabulary.
    private func parseToken(_ start: Int) throws(Failure) -> Int {
        guard byte(start) == UInt8(ascii: "<") else { throw failure("expecting '<' at", start) }
        var position = start + 1
        if byte(position) == UInt8(ascii: "[") {
            let (id, end) = try parseInteger(position + 1)
            guard id <= UInt64(UInt32.max) else { throw failure("parsed token id is too big at", position + 1) }
            position = end
            guard byte(position) == UInt8(ascii: "]") else { throw failure("expecting ']' at", position) }
            guard byte(position + 1) == UInt8(ascii: ">") else { throw failure("expecting '>' at", position + 1) }
            return position + 2
        }
        while byte(position) != 0, byte(position) != UInt8(ascii: ">") { position += 1 }
        guard byte(position) == UInt8(ascii: ">") else { throw failure("expecting '>' at", position) }
        let token = text(start..<position + 1)
        guard isSingleToken(token) else { throw Failure(message: "invalid token '\(token)'") }
        return position + 1
    }

    // MARK: Symbols and sizes

    private mutating func symbolID(_ name: String) throws(Failure) -> Int {
        if let id = symbols[name] { return id }
        guard symbols.count < Self.maximumSymbols else { throw Failure(message: "the grammar has more than \(Self.maximumSymbols) rules") }
        symbols[name] = symbols.count
        return symbols.count - 1
    }

    /// A rule the parser makes up for a group or a repetition (`name_N`).
    @discardableResult
    private mutating func generateSymbol(_ base: String) throws(Failure) -> Int {
        guard symbols.count < Self.maximumSymbols else { throw Failure(message: "the grammar has more than \(Self.maximumSymbols) rules") }
        let id = symbols.count
        symbols["\(base)_\(id)"] = id
        defined.insert(id)
        return id
    }

    private mutating func count(_ added: Int, length: Int = 0) throws(Failure) {
        elements += added
        guard elements <= Self.maximumElements, length <= Self.maximumElements else {
            throw Failure(message: "the grammar expands to more than \(Self.maximumElements) elements")
        }
    }

    // MARK: Characters

    private func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    /// "expecting ::= at `root = x`", quoting at most 40 bytes of the grammar.
    private func failure(_ reason: String, _ position: Int) -> Failure {
        let end = min(bytes.count - 1, position + 40)
        let rest = String(decoding: bytes[min(position, end)..<end], as: UTF8.self)
        return Failure(message: rest.isEmpty ? "\(reason) the end" : "\(reason) `\(rest)`")
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    private static func isWordCharacter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || byte == UInt8(ascii: "-") || isDigit(byte)
    }

    /// Bytes in the UTF-8 sequence a lead byte starts (valid UTF-8: Swift strings are).
    private static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xF0...: 4
        case 0xE0...: 3
        case 0xC0...: 2
        default: 1
        }
    }
}
