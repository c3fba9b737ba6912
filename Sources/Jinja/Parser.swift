/// Builds the statement tree from tokens, following Jinja2's grammar.
struct Parser {
    private let tokens: [Token]
    private let source: [Unicode.Scalar]
    private var index = 0
    /// How deeply expressions nest; bounded so that a hostile template cannot exhaust the stack.
    var depth = 0
    static let maximumDepth = 200

    init(tokens: [Token], source: [Unicode.Scalar]) {
        self.tokens = tokens
        self.source = source
    }

    mutating func parseTemplate() throws(JinjaError) -> [Node] {
        let (nodes, endTag) = try parseBody(until: [])
        if let endTag { throw error("unexpected '\(endTag)'") }
        return nodes
    }

    // MARK: Token access

    var current: Token { tokens[index] }

    mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    /// The kind of the token after the current one.
    var nextKind: Token.Kind? { index + 1 < tokens.count ? tokens[index + 1].kind : nil }

    func error(_ message: String, at token: Token? = nil) -> JinjaError {
        let (line, column) = Lexer.location(of: (token ?? current).offset, in: source)
        return .syntax(message, line: line, column: column)
    }

    /// Where the current token starts, kept in nodes for runtime errors.
    var offset: Int { current.offset }

    func isOperator(_ op: String) -> Bool { current.kind == .op(op) }

    func isName(_ name: String) -> Bool { current.kind == .name(name) }

    mutating func skipOperator(_ op: String) -> Bool {
        guard isOperator(op) else { return false }
        advance()
        return true
    }

    mutating func skipName(_ name: String) -> Bool {
        guard isName(name) else { return false }
        advance()
        return true
    }

    mutating func expectOperator(_ op: String) throws(JinjaError) {
        guard skipOperator(op) else { throw error("expected '\(op)', got \(describe(current))") }
    }

    mutating func expectName() throws(JinjaError) -> String {
        guard case .name(let name) = current.kind else { throw error("expected a name, got \(describe(current))") }
        advance()
        return name
    }

    mutating func expectBlockEnd() throws(JinjaError) {
        guard current.kind == .blockEnd else { throw error("expected end of statement block, got \(describe(current))") }
        advance()
    }

    func describe(_ token: Token) -> String {
        switch token.kind {
        case .text: "template text"
        case .variableBegin: "'{{'"
        case .variableEnd: "'}}'"
        case .blockBegin: "'{%'"
        case .blockEnd: "'%}'"
        case .name(let name): "'\(name)'"
        case .string(let text): "string '\(text)'"
        case .integer(let value): "'\(value)'"
        case .float(let value): "'\(value)'"
        case .op(let op): "'\(op)'"
        case .end: "end of template"
        }
    }

    // MARK: Statements

    /// Parses nodes until a block whose first name is in `endTags`; returns that name, having
    /// consumed it (but not the rest of its block).
    mutating func parseBody(until endTags: Set<String>) throws(JinjaError) -> ([Node], String?) {
        var nodes: [Node] = []
        while true {
            switch current.kind {
            case .end:
                if !endTags.isEmpty {
                    throw error("unexpected end of template, expected one of: \(endTags.sorted().joined(separator: ", "))")
                }
                return (nodes, nil)
            case .text(let text):
                nodes.append(.text(text))
                advance()
            case .variableBegin:
                advance()
                let offset = self.offset
                let expression = try parseTuple()
                guard current.kind == .variableEnd else { throw error("expected '}}', got \(describe(current))") }
                advance()
                nodes.append(.output(expression, offset: offset))
            case .blockBegin:
                advance()
                if case .name(let name) = current.kind, endTags.contains(name) {
                    advance()
                    return (nodes, name)
                }
                nodes.append(try parseStatement())
            default:
                throw error("unexpected \(describe(current))")
            }
        }
    }

    private mutating func parseStatement() throws(JinjaError) -> Node {
        let keywordToken = current
        let offset = self.offset
        let keyword = try expectName()
        switch keyword {
        case "if": return try parseIf(offset: offset)
        case "for": return try parseFor(offset: offset)
        case "set": return try parseSet(offset: offset)
        case "macro": return try parseMacro(offset: offset)
        case "call": return try parseCallBlock(offset: offset)
        case "filter":
            let filters = try parseFilterChain(first: true)
            try expectBlockEnd()
            let body = try parseBlockBody(end: "endfilter")
            return .filterBlock(filters: filters, body: body, offset: offset)
        case "generation":
            try expectBlockEnd()
            return .group(try parseBlockBody(end: "endgeneration"))
        case "break", "continue":
            try expectBlockEnd()
            return keyword == "break" ? .breakLoop : .continueLoop
        case "do":
            let expression = try parseTuple()
            try expectBlockEnd()
            return .expressionStatement(expression, offset: offset)
        default:
            throw error("unknown tag '\(keyword)'", at: keywordToken)
        }
    }

    private mutating func parseBlockBody(end: String) throws(JinjaError) -> [Node] {
        let (body, _) = try parseBody(until: [end])
        try expectBlockEnd()
        return body
    }

    private mutating func parseIf(offset: Int) throws(JinjaError) -> Node {
        var branches: [(Expression, [Node])] = []
        var condition = try parseTuple(withConditional: false)
        while true {
            try expectBlockEnd()
            let (body, endTag) = try parseBody(until: ["elif", "else", "endif"])
            branches.append((condition, body))
            switch endTag {
            case "elif":
                condition = try parseTuple(withConditional: false)
            case "else":
                try expectBlockEnd()
                let otherwise = try parseBlockBody(end: "endif")
                return .conditional(branches: branches, otherwise: otherwise, offset: offset)
            default:
                try expectBlockEnd()
                return .conditional(branches: branches, otherwise: [], offset: offset)
            }
        }
    }

    private mutating func parseFor(offset: Int) throws(JinjaError) -> Node {
        let target = try parseAssignTarget(allowAttribute: false)
        guard skipName("in") else { throw error("expected 'in', got \(describe(current))") }
        let iterable = try parseTuple(withConditional: false, stopAtNames: ["recursive"])
        let filter = skipName("if") ? try parseExpression() : nil
        if isName("recursive") { throw error("recursive loops are not supported") }
        try expectBlockEnd()
        let (body, endTag) = try parseBody(until: ["endfor", "else"])
        var otherwise: [Node] = []
        if endTag == "else" {
            try expectBlockEnd()
            otherwise = try parseBlockBody(end: "endfor")
        } else {
            try expectBlockEnd()
        }
        return .loop(Node.Loop(target: target, iterable: iterable, filter: filter, body: body, otherwise: otherwise, offset: offset))
    }

    private mutating func parseSet(offset: Int) throws(JinjaError) -> Node {
        let target = try parseAssignTarget(allowAttribute: true)
        if skipOperator("=") {
            let value = try parseTuple()
            try expectBlockEnd()
            return .assign(target: target, value: value, offset: offset)
        }
        let filters = isOperator("|") ? try parseFilterChain(first: false) : []
        try expectBlockEnd()
        let body = try parseBlockBody(end: "endset")
        return .assignBlock(target: target, filters: filters, body: body, offset: offset)
    }

    private mutating func parseMacro(offset: Int) throws(JinjaError) -> Node {
        let name = try expectName()
        let parameters = try parseParameters()
        try expectBlockEnd()
        let body = try parseBlockBody(end: "endmacro")
        return .macro(MacroDefinition(name: name, parameters: parameters, body: body, offset: offset))
    }

    private mutating func parseCallBlock(offset: Int) throws(JinjaError) -> Node {
        let parameters = isOperator("(") ? try parseParameters() : []
        let call = try parseExpression()
        guard case .call = call else { throw error("expected a call after 'call'") }
        try expectBlockEnd()
        let body = try parseBlockBody(end: "endcall")
        return .callBlock(call: call, parameters: parameters, body: body, offset: offset)
    }

    private mutating func parseParameters() throws(JinjaError) -> [Parameter] {
        try expectOperator("(")
        var parameters: [Parameter] = []
        while !skipOperator(")") {
            if !parameters.isEmpty { try expectOperator(",") }
            if skipOperator(")") { break }
            let name = try expectName()
            let defaultValue = skipOperator("=") ? try parseExpression() : nil
            parameters.append(Parameter(name: name, defaultValue: defaultValue))
        }
        return parameters
    }

    private mutating func parseAssignTarget(allowAttribute: Bool) throws(JinjaError) -> AssignTarget {
        func single(_ parser: inout Parser) throws(JinjaError) -> AssignTarget {
            if parser.skipOperator("(") {
                let inner = try parser.parseAssignTarget(allowAttribute: false)
                try parser.expectOperator(")")
                return inner
            }
            let name = try parser.expectName()
            if allowAttribute, parser.skipOperator(".") { return .attribute(name, try parser.expectName()) }
            return .name(name)
        }
        var targets = [try single(&self)]
        while skipOperator(",") {
            if current.kind == .blockEnd || isOperator("=") || isName("in") || isOperator(")") { break }
            targets.append(try single(&self))
        }
        return targets.count == 1 && !isOperatorBefore(",") ? targets[0] : .tuple(targets)
    }

    /// Whether the token before the current one is the operator `op` (a trailing comma makes a tuple).
    private func isOperatorBefore(_ op: String) -> Bool { index > 0 && tokens[index - 1].kind == .op(op) }

    mutating func parseFilterChain(first: Bool) throws(JinjaError) -> [FilterCall] {
        var filters: [FilterCall] = []
        if first { filters.append(try parseFilterCall()) }
        while skipOperator("|") { filters.append(try parseFilterCall()) }
        return filters
    }
}
