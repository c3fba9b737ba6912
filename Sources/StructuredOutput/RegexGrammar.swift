/// Converts a regular expression (the subset llama.cpp's converter supports) into GBNF that
/// matches exactly the strings the expression matches in full.
///
/// Supported: literals and escapes (`\d \w \s \D \W \S \n \t \r \f \v \xHH \uHHHH`, escaped
/// punctuation), `.`, classes `[…]`/`[^…]` with ranges, groups `(…)`, `(?:…)`, named groups,
/// `|`, the quantifiers `* + ? {m} {m,} {m,n}` (lazy ones too, which match the same strings),
/// and `^`/`$` at the ends. Anything else (back-references, look-around, anchors inside, word
/// boundaries, possessive quantifiers) is refused, never approximated.
///
/// Inside a JSON string (a schema's `pattern`), literal characters are written in their JSON
/// escaped form and `.` and negated classes exclude what JSON would have to escape.
public struct RegexGrammar {
    indirect enum Node: Equatable {
        case empty
        case literal(Unicode.Scalar)
        case set(negated: Bool, ranges: [ClosedRange<UInt32>])
        case sequence([Node])
        case alternation([Node])
        case repetition(Node, minimum: Int, maximum: Int?)
    }

    let pattern: String
    let scalars: [Unicode.Scalar]
    var position = 0
    let insideJSONString: Bool

    /// A whole grammar for `pattern` (root rule `root`).
    public static func grammar(for pattern: String) throws(StructuredOutputError) -> String {
        var builder = GrammarBuilder()
        let rule = try rule(for: pattern, name: "regex", insideJSONString: false, builder: &builder)
        return builder.grammar(root: rule)
    }

    /// Adds a rule for `pattern` to `builder` and returns its name.
    public static func rule(
        for pattern: String,
        name: String,
        insideJSONString: Bool,
        builder: inout GrammarBuilder
    ) throws(StructuredOutputError) -> String {
        var parser = RegexGrammar(pattern: pattern, insideJSONString: insideJSONString)
        let node = try parser.parseWhole()
        return builder.add(name, parser.emit(node))
    }

    init(pattern: String, insideJSONString: Bool) {
        self.pattern = pattern
        self.scalars = Array(pattern.unicodeScalars)
        self.insideJSONString = insideJSONString
    }

    func refuse(_ reason: String) -> StructuredOutputError { .unsupportedPattern(reason, pattern: pattern) }

    mutating func parseWhole() throws(StructuredOutputError) -> Node {
        if scalars.first == "^" { position = 1 }
        let node = try parseAlternation()
        if position < scalars.count { throw refuse("unexpected '\(scalars[position])' at \(position)") }
        return node
    }

    static let maximumBranches = 256

    mutating func parseAlternation() throws(StructuredOutputError) -> Node {
        var branches = [try parseSequence()]
        while position < scalars.count && scalars[position] == "|" {
            position += 1
            branches.append(try parseSequence())
            // Side-by-side branches cost every stream a check each at every token; a long list
            // of words belongs in a choice or an enum, which share their common starts.
            guard branches.count <= Self.maximumBranches else {
                throw refuse("an alternation of more than \(Self.maximumBranches) branches (list many words as guided_choice or an enum)")
            }
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    mutating func parseSequence() throws(StructuredOutputError) -> Node {
        var items: [Node] = []
        while position < scalars.count {
            let scalar = scalars[position]
            if scalar == "|" || scalar == ")" { break }
            if scalar == "$" {
                // Only at the very end (or before a `|`/`)` that closes the whole expression).
                position += 1
                guard position == scalars.count else { throw refuse("'$' is supported only at the end") }
                break
            }
            var atom = try parseAtom()
            atom = try parseQuantifiers(on: atom)
            items.append(atom)
        }
        return items.isEmpty ? .empty : items.count == 1 ? items[0] : .sequence(items)
    }

    mutating func parseQuantifiers(on atom: Node) throws(StructuredOutputError) -> Node {
        var node = atom
        while position < scalars.count {
            let bounds: (Int, Int?)
            switch scalars[position] {
            case "*": bounds = (0, nil)
            case "+": bounds = (1, nil)
            case "?": bounds = (0, 1)
            case "{":
                guard let parsed = try parseBraces() else { return node }
                bounds = parsed
                position -= 1
            default: return node
            }
            position += 1
            if position < scalars.count && scalars[position] == "?" { position += 1 }  // lazy: same strings
            if position < scalars.count && scalars[position] == "+" { throw refuse("possessive quantifiers") }
            node = .repetition(node, minimum: bounds.0, maximum: bounds.1)
        }
        return node
    }

    /// `{m}`, `{m,}`, `{m,n}` at `position`; nil (and position unchanged) if the brace is a literal.
    mutating func parseBraces() throws(StructuredOutputError) -> (Int, Int?)? {
        var index = position + 1
        func number() -> Int? {
            var digits = ""
            while index < scalars.count, let digit = Character(scalars[index]).wholeNumberValue, scalars[index].isASCII {
                digits.append(String(digit))
                index += 1
            }
            return digits.isEmpty ? nil : Int(digits.prefix(6))
        }
        guard let minimum = number() else { return nil }
        var maximum: Int? = minimum
        if index < scalars.count && scalars[index] == "," {
            index += 1
            maximum = number()
        }
        guard index < scalars.count && scalars[index] == "}" else { return nil }
        if let maximum, maximum < minimum { throw refuse("a repetition {m,n} with n below m") }
        if max(minimum, maximum ?? 0) > JSONSchemaGrammar.largestCount { throw refuse("repetitions above \(JSONSchemaGrammar.largestCount)") }
        position = index + 1
        return (minimum, maximum)
    }

    mutating func parseAtom() throws(StructuredOutputError) -> Node {
        let scalar = scalars[position]
        position += 1
        switch scalar {
        case "(":
            if position < scalars.count && scalars[position] == "?" {
                let rest = String(String.UnicodeScalarView(scalars[position...].prefix(3)))
                if rest.hasPrefix("?:") {
                    position += 2
                } else if rest.hasPrefix("?P<") || (rest.hasPrefix("?<") && !rest.hasPrefix("?<=") && !rest.hasPrefix("?<!")) {
                    while position < scalars.count && scalars[position] != ">" { position += 1 }
                    position += 1
                } else {
                    throw refuse("look-around and inline flags")
                }
            }
            let inner = try parseAlternation()
            guard position < scalars.count && scalars[position] == ")" else { throw refuse("an unclosed group") }
            position += 1
            return inner
        case "[": return try parseClass()
        case ".": return .set(negated: true, ranges: [10...10])
        case "\\": return try parseEscape(inClass: false)
        case "^": throw refuse("'^' is supported only at the start")
        case "*", "+", "?": throw refuse("a quantifier with nothing to repeat")
        default: return .literal(scalar)
        }
    }

    mutating func parseEscape(inClass: Bool) throws(StructuredOutputError) -> Node {
        guard position < scalars.count else { throw refuse("a trailing backslash") }
        let scalar = scalars[position]
        position += 1
        let digits: [ClosedRange<UInt32>] = [48...57]
        let word: [ClosedRange<UInt32>] = [48...57, 65...90, 95...95, 97...122]
        let space: [ClosedRange<UInt32>] = [9...13, 32...32]
        switch scalar {
        case "d": return .set(negated: false, ranges: digits)
        case "w": return .set(negated: false, ranges: word)
        case "s": return .set(negated: false, ranges: space)
        case "D", "W", "S":
            if inClass { throw refuse("\\\(scalar) inside a class") }
            return .set(negated: true, ranges: scalar == "D" ? digits : scalar == "W" ? word : space)
        case "n": return .literal("\n")
        case "t": return .literal("\t")
        case "r": return .literal("\r")
        case "f": return .literal("\u{0C}")
        case "v": return .literal("\u{0B}")
        case "x", "u":
            let count = scalar == "x" ? 2 : 4
            guard position + count <= scalars.count,
                let value = UInt32(String(String.UnicodeScalarView(scalars[position..<(position + count)])), radix: 16),
                let decoded = Unicode.Scalar(value)
            else { throw refuse("a malformed \\\(scalar) escape") }
            position += count
            return .literal(decoded)
        case _ where scalar.properties.isAlphabetic || ("0"..."9").contains(scalar):
            throw refuse("the escape \\\(scalar) (back-references, word boundaries and anchors are not supported)")
        default: return .literal(scalar)
        }
    }

    mutating func parseClass() throws(StructuredOutputError) -> Node {
        var negated = false
        if position < scalars.count && scalars[position] == "^" {
            negated = true
            position += 1
        }
        var ranges: [ClosedRange<UInt32>] = []
        var first = true
        while position < scalars.count && (scalars[position] != "]" || first) {
            first = false
            let low: UInt32
            if scalars[position] == "\\" {
                position += 1
                switch try parseEscape(inClass: true) {
                case .literal(let scalar): low = scalar.value
                case .set(_, let more):
                    ranges += more
                    continue
                default: throw refuse("an escape inside a class")
                }
            } else {
                if scalars[position] == "[" && position + 1 < scalars.count && scalars[position + 1] == ":" {
                    throw refuse("POSIX classes")
                }
                low = scalars[position].value
                position += 1
            }
            if position + 1 < scalars.count && scalars[position] == "-" && scalars[position + 1] != "]" {
                position += 1
                let high: UInt32
                if scalars[position] == "\\" {
                    position += 1
                    guard case .literal(let scalar) = try parseEscape(inClass: true) else { throw refuse("a class range ending in a class") }
                    high = scalar.value
                } else {
                    high = scalars[position].value
                    position += 1
                }
                guard low <= high else { throw refuse("a class range out of order") }
                ranges.append(low...high)
            } else {
                ranges.append(low...low)
            }
        }
        guard position < scalars.count else { throw refuse("an unclosed class") }
        position += 1
        return .set(negated: negated, ranges: ranges)
    }
}
