import OrderedJSON

/// Collects the rules of one GBNF grammar: names them uniquely, shares identical rules and adds
/// the JSON primitives on first use.
///
/// The converters (``JSONSchemaGrammar``, ``RegexGrammar``, ``ToolCallGrammar``) all write into
/// one builder, so a tool-call grammar can embed each tool's argument schema.
public struct GrammarBuilder: Sendable {
    private var rules: [(name: String, body: String)] = []
    private var bodiesByName: [String: String] = [:]
    private var namesByBody: [String: String] = [:]

    public init() {}

    /// The grammar text: `root` first, then the other rules in the order they were added.
    public func grammar(root body: String) -> String {
        var text = "root ::= \(body)\n"
        for rule in rules { text += "\(rule.name) ::= \(rule.body)\n" }
        return text
    }

    /// Adds a rule and returns the name to refer to it by: `name` itself, the name of an
    /// identical rule already added, or `name` with a number when the name is taken.
    @discardableResult
    public mutating func add(_ name: String, _ body: String) -> String {
        let base = Self.ruleName(name)
        if let existing = namesByBody[body], existing.hasPrefix(base) { return existing }
        var unique = base
        var counter = 1
        while unique == "root" || JSONPrimitive(rawValue: unique) != nil || bodiesByName[unique] != nil {
            if bodiesByName[unique] == body, JSONPrimitive(rawValue: unique) == nil { return unique }
            unique = "\(base)-\(counter)"
            counter += 1
        }
        rules.append((unique, body))
        bodiesByName[unique] = body
        namesByBody[body] = unique
        return unique
    }

    /// Reserves a name whose body comes later (for recursive `$ref`s); ``define(_:_:)`` fills it.
    mutating func reserve(_ name: String) -> String {
        add(name, "\u{0}pending-\(rules.count)")
    }

    /// Gives a reserved rule its body.
    mutating func define(_ name: String, _ body: String) {
        guard let index = rules.firstIndex(where: { $0.name == name }) else { return }
        namesByBody[rules[index].body] = nil
        rules[index].body = body
        bodiesByName[name] = body
    }

    /// A rule for any text that does not contain `tag` (the reasoning before `</think>`): a
    /// matcher of the tag that falls back to the start on any other character. Needs a tag
    /// whose first character does not recur in it (true of every reasoning tag); nil otherwise.
    public mutating func textWithout(_ tag: String) -> String? {
        let scalars = Array(tag.unicodeScalars)
        guard let first = scalars.first, scalars.count > 1, !scalars.dropFirst().contains(first) else { return nil }
        let name = Self.ruleName("text-without-" + tag)
        let head = Self.classCharacter(first)
        let states = (1..<scalars.count).map { "\(name)-\($0)" }
        for (index, scalar) in scalars.enumerated().dropFirst() {
            let character = Self.classCharacter(scalar)
            var alternatives = ["[^\(character)\(head)]", "\(Self.literal(String(first))) \(states[0])"]
            if index < scalars.count - 1 { alternatives.append("\(Self.literal(String(scalar))) \(states[index])") }
            add(states[index - 1], alternatives.joined(separator: " | "))
        }
        return add(name, "( [^\(head)] | \(Self.literal(String(first))) \(states[0]) )*")
    }

    /// The most literals one choice may list (an `enum`, a `guided_choice`): a grammar of more
    /// costs every stream decoding beside it time at each token, however it is shaped.
    public static let maximumChoices = 10_000

    /// A choice among literal texts, as a rule shaped like a trie: texts that share a start
    /// share its rule, so at any point the grammar follows only the branches still possible
    /// instead of one per text. (llama.cpp checks every candidate token against every open
    /// branch: 2,000 alternatives side by side cost seconds a token.) Each branching point is
    /// a rule of its own, so nothing nests deeper than one level however long the texts are.
    public mutating func literalChoice(_ texts: [String], name: String) -> String {
        final class Node {
            var children: [(label: [Unicode.Scalar], node: Node)] = []
            var ends = false
        }
        let root = Node()
        for text in texts {
            var node = root
            for scalar in text.unicodeScalars {
                if let index = node.children.firstIndex(where: { $0.label[0] == scalar }) {
                    node = node.children[index].node
                } else {
                    let child = Node()
                    node.children.append(([scalar], child))
                    node = child
                }
            }
            node.ends = true
        }
        // Chains of single children become one literal.
        func compressed(_ label: [Unicode.Scalar], _ node: Node) -> ([Unicode.Scalar], Node) {
            var (label, node) = (label, node)
            while !node.ends, node.children.count == 1 {
                label += node.children[0].label
                node = node.children[0].node
            }
            return (label, node)
        }
        func literal(_ label: [Unicode.Scalar]) -> String { Self.literal(String(String.UnicodeScalarView(label))) }
        var counter = 0
        func expression(_ node: Node) -> String {
            var alternatives: [String] = node.ends ? [""] : []
            for (label, child) in node.children.map({ compressed($0.label, $0.node) }) {
                if child.children.isEmpty {
                    alternatives.append(literal(label))
                } else {
                    counter += 1
                    let rule = add("\(name)-\(counter)", expression(child))
                    alternatives.append("\(literal(label)) \(rule)")
                }
            }
            return alternatives.joined(separator: " | ")
        }
        let (label, start) = compressed([], root)
        guard !start.children.isEmpty else { return add(name, label.isEmpty ? "\"\"" : literal(label)) }
        let body = expression(start)
        return add(name, label.isEmpty ? "( \(body) )" : "\(literal(label)) ( \(body) )")
    }

    /// A JSON primitive rule (`string`, `number`, …), added with its dependencies on first use.
    public mutating func primitive(_ primitive: JSONPrimitive) -> String {
        guard bodiesByName[primitive.rawValue] == nil else { return primitive.rawValue }
        rules.append((primitive.rawValue, primitive.body))
        bodiesByName[primitive.rawValue] = primitive.body
        for dependency in primitive.dependencies { _ = self.primitive(dependency) }
        return primitive.rawValue
    }

    /// Rule names are letters, digits and dashes.
    static func ruleName(_ text: String) -> String {
        let mapped = String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
        return mapped.isEmpty ? "r" : mapped
    }

    /// `text` as a GBNF string literal.
    public static func literal(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars { out += BackslashEscape.common(scalar, quote: "\"") ?? plain(scalar) }
        return out + "\""
    }

    /// One character for a GBNF character class.
    static func classCharacter(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "[", "^", "-": "\\" + String(scalar)
        default: BackslashEscape.common(scalar, quote: "]") ?? plain(scalar)
        }
    }

    /// A scalar no escape of its own is written as: control characters and DEL as `\xHH`.
    private static func plain(_ scalar: Unicode.Scalar) -> String {
        scalar.value < 0x20 || scalar.value == 0x7F ? "\\x" + hexByte(scalar.value) : String(scalar)
    }
}

/// The JSON building blocks every JSON grammar uses; the same shapes as llama.cpp's converter
/// (numbers bounded to 16 digits, an exponent to 2, so that no number overflows a double).
public enum JSONPrimitive: String, Sendable, CaseIterable {
    case space
    case boolean, null, integer, number, string, char, value, object, array
    case integralPart = "integral-part"
    case decimalPart = "decimal-part"

    var body: String {
        switch self {
        case .space: #"| " " | "\n" [ \t]{0,20}"#
        case .boolean: #"("true" | "false") space"#
        case .null: #""null" space"#
        case .integralPart: "[0] | [1-9] [0-9]{0,15}"
        case .decimalPart: "[0-9]{1,16}"
        case .integer: #"("-"? integral-part) space"#
        case .number: #"("-"? integral-part) ("." decimal-part)? ([eE] [-+]? [0-9]{1,2})? space"#
        case .char: #"[^"\\\x7F\x00-\x1F] | [\\] (["\\/bfnrt] | "u" [0-9a-fA-F]{4})"#
        case .string: #""\"" char* "\"" space"#
        case .value: "object | array | string | number | boolean | null"
        case .object: #""{" space ( string ":" space value ("," space string ":" space value)* )? "}" space"#
        case .array: #""[" space ( value ("," space value)* )? "]" space"#
        }
    }

    var dependencies: [JSONPrimitive] {
        switch self {
        case .boolean, .null: [.space]
        case .integer: [.integralPart, .space]
        case .number: [.integralPart, .decimalPart, .space]
        case .string: [.char, .space]
        case .value: [.object, .array, .string, .number, .boolean, .null]
        case .object: [.space, .string, .value]
        case .array: [.space, .value]
        default: []
        }
    }
}

/// Two uppercase hex digits of a value below 256.
func hexByte(_ value: UInt32) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(value >> 4) & 15], digits[Int(value) & 15]])
}
