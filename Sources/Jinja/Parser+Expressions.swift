/// Expressions, by Jinja2's precedence: conditional, `or`, `and`, `not`, comparisons, `+ -`, `~`,
/// `* / // %`, `**`, unary signs, then primaries with their postfixes, filters and tests.
extension Parser {
    /// A comma-separated list becomes a tuple; a single expression stays itself.
    mutating func parseTuple(withConditional: Bool = true, stopAtNames: Set<String> = []) throws(JinjaError) -> Expression {
        var items: [Expression] = []
        var sawComma = false
        while true {
            if !items.isEmpty {
                guard skipOperator(",") else { break }
                sawComma = true
            }
            if isTupleEnd(stopAtNames) { break }
            items.append(withConditional ? try parseExpression() : try parseOr())
        }
        if !sawComma {
            guard let only = items.first else { throw error("expected an expression, got \(describe(current))") }
            return only
        }
        return .tuple(items)
    }

    private func isTupleEnd(_ stopAtNames: Set<String>) -> Bool {
        switch current.kind {
        case .variableEnd, .blockEnd, .end: true
        case .op(let op): op == ")"
        case .name(let name): stopAtNames.contains(name)
        default: false
        }
    }

    mutating func parseExpression() throws(JinjaError) -> Expression {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw error("expressions nest more than \(Self.maximumDepth) deep") }
        var expression = try parseOr()
        while skipName("if") {
            let condition = try parseOr()
            let otherwise = skipName("else") ? try parseExpression() : nil
            expression = .conditional(then: expression, condition: condition, otherwise: otherwise)
        }
        return expression
    }

    private mutating func parseOr() throws(JinjaError) -> Expression {
        var left = try parseAnd()
        while skipName("or") { left = .or(left, try parseAnd()) }
        return left
    }

    private mutating func parseAnd() throws(JinjaError) -> Expression {
        var left = try parseNot()
        while skipName("and") { left = .and(left, try parseNot()) }
        return left
    }

    private mutating func parseNot() throws(JinjaError) -> Expression {
        if skipName("not") { return .not(try parseNot()) }
        return try parseCompare()
    }

    private mutating func parseCompare() throws(JinjaError) -> Expression {
        let left = try parseMath1()
        var operations: [(String, Expression)] = []
        while true {
            if case .op(let op) = current.kind, ["==", "!=", "<", ">", "<=", ">="].contains(op) {
                advance()
                operations.append((op, try parseMath1()))
            } else if skipName("in") {
                operations.append(("in", try parseMath1()))
            } else if isName("not"), nextKind == .name("in") {
                advance()
                advance()
                operations.append(("not in", try parseMath1()))
            } else {
                break
            }
        }
        return operations.isEmpty ? left : .compare(left, operations)
    }

    private mutating func parseMath1() throws(JinjaError) -> Expression {
        var left = try parseConcat()
        while case .op(let op) = current.kind, op == "+" || op == "-" {
            advance()
            left = .binary(op, left, try parseConcat())
        }
        return left
    }

    private mutating func parseConcat() throws(JinjaError) -> Expression {
        var parts = [try parseMath2()]
        while skipOperator("~") { parts.append(try parseMath2()) }
        return parts.count == 1 ? parts[0] : .concat(parts)
    }

    private mutating func parseMath2() throws(JinjaError) -> Expression {
        var left = try parsePow()
        while case .op(let op) = current.kind, ["*", "/", "//", "%"].contains(op) {
            advance()
            left = .binary(op, left, try parsePow())
        }
        return left
    }

    private mutating func parsePow() throws(JinjaError) -> Expression {
        var left = try parseUnary()
        while skipOperator("**") { left = .binary("**", left, try parseUnary()) }
        return left
    }

    private mutating func parseUnary(withFilter: Bool = true) throws(JinjaError) -> Expression {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw error("expressions nest more than \(Self.maximumDepth) deep") }
        var expression: Expression
        if skipOperator("-") {
            expression = .unary("-", try parseUnary(withFilter: false))
        } else if skipOperator("+") {
            expression = .unary("+", try parseUnary(withFilter: false))
        } else {
            expression = try parsePrimary()
        }
        expression = try parsePostfix(expression)
        if withFilter { expression = try parseFilterAndTest(expression) }
        return expression
    }

    private mutating func parsePrimary() throws(JinjaError) -> Expression {
        let token = current
        switch token.kind {
        case .name(let name):
            advance()
            switch name {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.none)
            default: return .name(name)
            }
        case .string(var text):
            advance()
            while case .string(let more) = current.kind {
                text += more
                advance()
            }
            return .literal(.string(text))
        case .integer(let value):
            advance()
            return .literal(.int(value))
        case .float(let value):
            advance()
            return .literal(.double(value))
        case .op("("):
            advance()
            if skipOperator(")") { return .tuple([]) }
            let inner = try parseTuple()
            try expectOperator(")")
            return inner
        case .op("["):
            advance()
            var items: [Expression] = []
            while !skipOperator("]") {
                if !items.isEmpty { try expectOperator(",") }
                if skipOperator("]") { break }
                items.append(try parseExpression())
            }
            return .list(items)
        case .op("{"):
            advance()
            var pairs: [(Expression, Expression)] = []
            while !skipOperator("}") {
                if !pairs.isEmpty { try expectOperator(",") }
                if skipOperator("}") { break }
                let key = try parseExpression()
                try expectOperator(":")
                pairs.append((key, try parseExpression()))
            }
            return .dictionary(pairs)
        default:
            throw error("unexpected \(describe(token))")
        }
    }

    private mutating func parsePostfix(_ base: Expression) throws(JinjaError) -> Expression {
        var expression = base
        while true {
            if isOperator(".") || isOperator("[") {
                expression = try parseSubscript(expression)
            } else if isOperator("(") {
                expression = try parseCall(expression)
            } else {
                return expression
            }
        }
    }

    private mutating func parseFilterAndTest(_ base: Expression) throws(JinjaError) -> Expression {
        var expression = base
        while true {
            if skipOperator("|") {
                expression = .filter(expression, try parseFilterCall())
            } else if skipName("is") {
                expression = try parseTest(expression)
            } else if isOperator("(") {
                expression = try parseCall(expression)
            } else {
                return expression
            }
        }
    }

    private mutating func parseSubscript(_ base: Expression) throws(JinjaError) -> Expression {
        if skipOperator(".") {
            switch current.kind {
            case .name(let name):
                advance()
                return .attribute(base, name)
            case .integer(let value):
                advance()
                return .item(base, .literal(.int(value)))
            default:
                throw error("expected an attribute name, got \(describe(current))")
            }
        }
        try expectOperator("[")
        var subscripts: [Expression] = []
        while !skipOperator("]") {
            if !subscripts.isEmpty { try expectOperator(",") }
            subscripts.append(try parseSubscribed(base))
        }
        if subscripts.count == 1 {
            if case .slice = subscripts[0] { return subscripts[0] }
            return .item(base, subscripts[0])
        }
        return .item(base, .tuple(subscripts))
    }

    /// One subscript: an index, or a slice `start:stop:step` with any part left out.
    private mutating func parseSubscribed(_ base: Expression) throws(JinjaError) -> Expression {
        var parts: [Expression?] = []
        if !isOperator(":") { parts.append(try parseExpression()) } else { parts.append(nil) }
        guard skipOperator(":") else { return parts[0]! }
        parts.append(isOperator(":") || isOperator("]") || isOperator(",") ? nil : try parseExpression())
        if skipOperator(":") {
            parts.append(isOperator("]") || isOperator(",") ? nil : try parseExpression())
        } else {
            parts.append(nil)
        }
        return .slice(base, start: parts[0], stop: parts[1], step: parts[2])
    }

    private mutating func parseArguments() throws(JinjaError) -> ([Expression], [(String, Expression)]) {
        try expectOperator("(")
        var arguments: [Expression] = []
        var keywordArguments: [(String, Expression)] = []
        while !skipOperator(")") {
            if !arguments.isEmpty || !keywordArguments.isEmpty { try expectOperator(",") }
            if skipOperator(")") { break }
            if case .name(let name) = current.kind, nextKind == .op("=") {
                advance()
                advance()
                keywordArguments.append((name, try parseExpression()))
            } else {
                guard keywordArguments.isEmpty else { throw error("positional argument follows keyword argument") }
                arguments.append(try parseExpression())
            }
        }
        return (arguments, keywordArguments)
    }

    private mutating func parseCall(_ callee: Expression) throws(JinjaError) -> Expression {
        let (arguments, keywordArguments) = try parseArguments()
        return .call(callee, arguments: arguments, keywordArguments: keywordArguments)
    }

    mutating func parseFilterCall() throws(JinjaError) -> FilterCall {
        var name = try expectName()
        while skipOperator(".") { name += "." + (try expectName()) }
        guard isOperator("(") else { return FilterCall(name: name, arguments: [], keywordArguments: []) }
        let (arguments, keywordArguments) = try parseArguments()
        return FilterCall(name: name, arguments: arguments, keywordArguments: keywordArguments)
    }

    private mutating func parseTest(_ subject: Expression) throws(JinjaError) -> Expression {
        let negated = skipName("not")
        var name = try expectName()
        while skipOperator(".") { name += "." + (try expectName()) }
        var arguments: [Expression] = []
        if isOperator("(") {
            let (positional, keyword) = try parseArguments()
            arguments = positional + keyword.map(\.1)
        } else if startsSingleTestArgument {
            arguments = [try parsePostfix(try parsePrimary())]
        }
        return .test(subject, name: name, arguments: arguments, negated: negated)
    }

    /// `x is divisibleby 3`: a test may take one argument without parentheses.
    private var startsSingleTestArgument: Bool {
        switch current.kind {
        case .name(let name): !["else", "or", "and"].contains(name)
        case .string, .integer, .float, .op("["), .op("{"): true
        default: false
        }
    }

}
