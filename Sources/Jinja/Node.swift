/// A statement of a parsed template. `offset` (in the source) places runtime errors.
indirect enum Node: Sendable {
    case text(String)
    case output(Expression, offset: Int)
    case conditional(branches: [(condition: Expression, body: [Node])], otherwise: [Node], offset: Int)
    case loop(Loop)
    case assign(target: AssignTarget, value: Expression, offset: Int)
    case assignBlock(target: AssignTarget, filters: [FilterCall], body: [Node], offset: Int)
    case macro(MacroDefinition)
    case callBlock(call: Expression, parameters: [Parameter], body: [Node], offset: Int)
    case filterBlock(filters: [FilterCall], body: [Node], offset: Int)
    case expressionStatement(Expression, offset: Int)
    case breakLoop, continueLoop
    /// Hugging Face's `{% generation %}` and any other wrapper that only renders its body.
    case group([Node])

    struct Loop: Sendable {
        let target: AssignTarget
        let iterable: Expression
        let filter: Expression?
        let body: [Node]
        let otherwise: [Node]
        let offset: Int
    }
}

/// A macro parameter with its default value expression.
struct Parameter: Sendable {
    let name: String
    let defaultValue: Expression?
}

struct MacroDefinition: Sendable {
    let name: String
    let parameters: [Parameter]
    let body: [Node]
    let offset: Int
}

/// The left side of `set` and the variables of `for`.
indirect enum AssignTarget: Sendable {
    case name(String)
    case tuple([AssignTarget])
    /// `ns.attribute`, allowed only on `namespace()` objects.
    case attribute(String, String)
}

/// `| name(arguments)`.
struct FilterCall: Sendable {
    let name: String
    let arguments: [Expression]
    let keywordArguments: [(String, Expression)]
}

/// An expression. Operators are kept as their source text.
indirect enum Expression: Sendable {
    case literal(Value)
    case name(String)
    case list([Expression])
    case tuple([Expression])
    case dictionary([(Expression, Expression)])
    case attribute(Expression, String)
    case item(Expression, Expression)
    case slice(Expression, start: Expression?, stop: Expression?, step: Expression?)
    case call(Expression, arguments: [Expression], keywordArguments: [(String, Expression)])
    case filter(Expression, FilterCall)
    case test(Expression, name: String, arguments: [Expression], negated: Bool)
    case unary(String, Expression)
    case binary(String, Expression, Expression)
    case and(Expression, Expression)
    case or(Expression, Expression)
    case not(Expression)
    case compare(Expression, [(String, Expression)])
    case conditional(then: Expression, condition: Expression, otherwise: Expression?)
    case concat([Expression])
}
