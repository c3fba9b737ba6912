/// One lexical unit of a template.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        /// Literal template text, already trimmed by the whitespace-control rules.
        case text(String)
        case variableBegin, variableEnd, blockBegin, blockEnd
        case name(String)
        case string(String)
        case integer(Int)
        case float(Double)
        case op(String)
        case end
    }

    let kind: Kind
    /// Offset in the normalized source, turned into a line and column only for error messages.
    let offset: Int
}

/// Splits a template into tokens with Jinja2's rules, including `trim_blocks` and
/// `lstrip_blocks` as Hugging Face enables them.
struct Lexer {
    private let source: [Unicode.Scalar]
    private let trimBlocks: Bool
    private let lstripBlocks: Bool
    private var position = 0
    private var tokens: [Token] = []
    /// Whether the previous match ended a line: `lstrip_blocks` then applies at the start of text.
    private var lineStarting = true

    /// Operators longest first, so that `//` wins over `/`.
    private static let operators = [
        "//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", "<", ">", "=", ".", ":", "|", ",", ";",
    ]
    .map { Array($0.unicodeScalars) }

    init(source: [Unicode.Scalar], trimBlocks: Bool, lstripBlocks: Bool) {
        self.source = source
        self.trimBlocks = trimBlocks
        self.lstripBlocks = lstripBlocks
    }

    /// Jinja2 turns `\r\n` and `\r` into `\n` and drops one trailing newline
    /// (`keep_trailing_newline=False`).
    static func normalize(_ text: String) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(text.unicodeScalars.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                output.append("\n")
                previousWasCR = true
                continue
            }
            if scalar == "\n", previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            output.append(scalar)
        }
        if output.last == "\n" { output.removeLast() }
        return output
    }

    mutating func tokenize() throws(JinjaError) -> [Token] {
        while position < source.count {
            guard let tagStart = nextTagStart() else {
                emitText(source[position...], at: position)
                break
            }
            let kind = source[tagStart + 1]
            let sign: Unicode.Scalar? =
                tagStart + 2 < source.count && (source[tagStart + 2] == "-" || source[tagStart + 2] == "+")
                ? source[tagStart + 2] : nil
            var text = source[position..<tagStart]
            if sign == "-" {
                while let last = text.last, last.properties.isWhitespace { text = text.dropLast() }
            } else if sign != "+", lstripBlocks, kind != "{" {
                let lineStart = (text.lastIndex(of: "\n") ?? (text.startIndex - 1)) + 1
                let tail = text[lineStart...]
                if lineStart > text.startIndex || lineStarting, !tail.isEmpty, tail.allSatisfy(\.properties.isWhitespace) {
                    text = text[..<lineStart]
                }
            }
            emitText(text, at: position)
            position = tagStart + 2 + (sign == nil ? 0 : 1)
            switch kind {
            case "#": try skipComment(from: tagStart)
            case "{": try tokenizeTag(begin: .variableBegin, end: "}", at: tagStart)
            default: try tokenizeTag(begin: .blockBegin, end: "%", at: tagStart)
            }
        }
        tokens.append(Token(kind: .end, offset: source.count))
        return tokens
    }

    private func nextTagStart() -> Int? {
        var index = position
        while index + 1 < source.count {
            if source[index] == "{", ["{", "%", "#"].contains(source[index + 1]) { return index }
            index += 1
        }
        return nil
    }

    private mutating func emitText(_ text: ArraySlice<Unicode.Scalar>, at offset: Int) {
        guard !text.isEmpty else { return }
        tokens.append(Token(kind: .text(String(String.UnicodeScalarView(text))), offset: offset))
    }

    /// Matches the closing marker (`-%}`, `+%}`, `%}` for blocks) at the current position and
    /// consumes the whitespace the rules say it eats.
    private mutating func matchEnd(_ marker: Unicode.Scalar) -> Bool {
        func at(_ offset: Int, _ scalar: Unicode.Scalar) -> Bool { position + offset < source.count && source[position + offset] == scalar }
        let trims = trimBlocks && marker != "}"
        if at(0, "-"), at(1, marker), at(2, "}") {
            position += 3
            while position < source.count, source[position].properties.isWhitespace { position += 1 }
            lineStarting = source[position - 1] == "\n"
            return true
        }
        if at(0, "+"), at(1, marker), at(2, "}"), marker != "}" {
            position += 3
            lineStarting = false
            return true
        }
        if at(0, marker), at(1, "}") {
            position += 2
            lineStarting = false
            if trims, at(0, "\n") {
                position += 1
                lineStarting = true
            }
            return true
        }
        return false
    }

    private mutating func skipComment(from start: Int) throws(JinjaError) {
        while position < source.count {
            if matchEnd("#") { return }
            position += 1
        }
        throw syntaxError("missing end of comment tag", at: start)
    }

    private mutating func tokenizeTag(begin: Token.Kind, end marker: Unicode.Scalar, at start: Int) throws(JinjaError) {
        tokens.append(Token(kind: begin, offset: start))
        var brackets: [Unicode.Scalar] = []
        while true {
            let offset = position
            if brackets.isEmpty, matchEnd(marker) {
                tokens.append(Token(kind: begin == .variableBegin ? .variableEnd : .blockEnd, offset: offset))
                return
            }
            guard position < source.count else { throw syntaxError("unexpected end of template, expected '\(marker)}'", at: start) }
            let scalar = source[position]
            if scalar.properties.isWhitespace {
                position += 1
            } else if scalar == "_" || scalar.properties.isAlphabetic {
                while position < source.count, source[position] == "_" || source[position].properties.isAlphabetic || isDigit(source[position]) {
                    position += 1
                }
                tokens.append(Token(kind: .name(String(String.UnicodeScalarView(source[offset..<position]))), offset: offset))
            } else if isDigit(scalar) {
                tokens.append(Token(kind: readNumber(), offset: offset))
            } else if scalar == "'" || scalar == "\"" {
                tokens.append(Token(kind: .string(try readString(quote: scalar)), offset: offset))
            } else if let op = Self.operators.first(where: { matches($0) }) {
                position += op.count
                let text = String(String.UnicodeScalarView(op))
                switch text {
                case "(", "[", "{": brackets.append(op[0])
                case ")", "]", "}":
                    let opening: Unicode.Scalar = text == ")" ? "(" : text == "]" ? "[" : "{"
                    guard brackets.last == opening else { throw syntaxError("unexpected '\(text)'", at: offset) }
                    brackets.removeLast()
                default: break
                }
                tokens.append(Token(kind: .op(text), offset: offset))
            } else {
                throw syntaxError("unexpected character '\(Character(scalar))'", at: offset)
            }
        }
    }

    private func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar >= "0" && scalar <= "9" }

    private func matches(_ text: [Unicode.Scalar]) -> Bool {
        guard position + text.count <= source.count else { return false }
        for (index, scalar) in text.enumerated() where source[position + index] != scalar { return false }
        return true
    }

    private mutating func readDigits() -> String {
        var digits = ""
        while position < source.count, isDigit(source[position]) || (source[position] == "_" && digits.last != nil) {
            if source[position] != "_" { digits.unicodeScalars.append(source[position]) }
            position += 1
        }
        return digits
    }

    private mutating func readNumber() -> Token.Kind {
        var text = readDigits()
        var isFloat = false
        if position + 1 < source.count, source[position] == ".", isDigit(source[position + 1]) {
            position += 1
            text += "." + readDigits()
            isFloat = true
        }
        if position < source.count, source[position] == "e" || source[position] == "E" {
            let save = position
            position += 1
            var exponent = "e"
            if position < source.count, source[position] == "+" || source[position] == "-" {
                exponent.unicodeScalars.append(source[position])
                position += 1
            }
            if position < source.count, isDigit(source[position]) {
                text += exponent + readDigits()
                isFloat = true
            } else {
                position = save
            }
        }
        if !isFloat, let value = Int(text) { return .integer(value) }
        return .float(Double(text) ?? 0)
    }

    /// Reads a quoted literal and decodes Python's escapes, as Jinja2 does.
    private mutating func readString(quote: Unicode.Scalar) throws(JinjaError) -> String {
        let start = position
        position += 1
        var output = String.UnicodeScalarView()
        while position < source.count {
            let scalar = source[position]
            position += 1
            if scalar == quote { return String(output) }
            guard scalar == "\\", position < source.count else {
                output.append(scalar)
                continue
            }
            let escape = source[position]
            position += 1
            switch escape {
            case "n": output.append("\n")
            case "t": output.append("\t")
            case "r": output.append("\r")
            case "0": output.append("\0")
            case "a": output.append("\u{07}")
            case "b": output.append("\u{08}")
            case "f": output.append("\u{0C}")
            case "v": output.append("\u{0B}")
            case "\\", "'", "\"": output.append(escape)
            case "\n": break
            case "x", "u", "U":
                let width = escape == "x" ? 2 : escape == "u" ? 4 : 8
                guard position + width <= source.count,
                    let code = UInt32(String(String.UnicodeScalarView(source[position..<position + width])), radix: 16),
                    let decoded = Unicode.Scalar(code)
                else { throw syntaxError("invalid \\\(escape) escape in string", at: position - 2) }
                output.append(decoded)
                position += width
            default:
                output.append("\\")
                output.append(escape)
            }
        }
        throw syntaxError("unterminated string", at: start)
    }

    private func syntaxError(_ message: String, at offset: Int) -> JinjaError {
        let (line, column) = Lexer.location(of: offset, in: source)
        return .syntax(message, line: line, column: column)
    }

    /// The 1-based line and column of `offset`.
    static func location(of offset: Int, in source: [Unicode.Scalar]) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for scalar in source[..<min(offset, source.count)] {
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
