import Foundation
import Testing

@testable import Jinja

/// Templates a hostile request can send: each fails with an error (a 400 upstream) instead of
/// trapping, allocating without bound or running for ever.
@Suite struct RenderLimitTests {
    /// Small limits, so a runaway template is caught in milliseconds (and other suites running
    /// beside this one, timing their own work, feel nothing).
    static let tight = RenderLimits(steps: 20_000, valueBytes: 1 << 20, builtBytes: 8 << 20)

    func failure(_ source: String, limits: RenderLimits = tight) -> JinjaError? {
        do {
            _ = try Template(source).render([:], limits: limits)
            return nil
        } catch {
            return error
        }
    }

    /// Each traps a Swift integer conversion or overflow when unchecked.
    @Test(arguments: [
        "{{ 10**19 }}", "{{ 2**63 }}", "{{ (-2)**64 }}", "{{ 1e19|int }}", "{{ '1e300'|int }}", "{{ '99999999999999999999'|int }}",
        "{{ 9223372036854775807 + 1 }}", "{{ -9223372036854775807 - 2 }}", "{{ 9223372036854775807 * 2 }}",
        "{% set m = -9223372036854775807 - 1 %}{{ m // -1 }}", "{% set m = -9223372036854775807 - 1 %}{{ -m }}",
        "{% set m = -9223372036854775807 - 1 %}{{ m|abs }}", "{% set m = -9223372036854775807 - 1 %}{{ m % -1 }}{{ m // -1 }}",
        "{{ range(-9223372036854775807 - 1, 9223372036854775807)|length }}", "{{ range(0, 9223372036854775807, 2)|length }}",
        "{{ '%d' % 1e400 }}", "{{ '%d' % (1e308 * 10) }}",
    ])
    func integerTrapsAreErrors(source: String) {
        #expect(failure(source) != nil, "\(source)")
    }

    /// Python gives these a value; so do we.
    @Test func extremeButValidArithmetic() throws {
        func render(_ source: String) throws -> String { try Template(source).render([:], limits: Self.tight) }
        #expect(try render("{{ '%d' % 1e19 }}") == "10000000000000000000")
        #expect(try render("{{ 2 ** -1 }}") == "0.5")
        #expect(try render("{% set m = -9223372036854775807 - 1 %}{{ m % -1 }}") == "0")
        #expect(try render("{% set m = -9223372036854775807 - 1 %}{{ m is divisibleby(-1) }}") == "True")
        #expect(try render("{{ 'a\nb'|indent(-5) }}") == "a\nb")
        #expect(try render("{{ [1, [2]]|tojson(indent=-5) }}") == "[\n1,\n[\n2\n]\n]")
        #expect(try render("{{ [1, 2, 3]|batch(9223372036854775807)|list }}") == "[[1, 2, 3]]")
        #expect(try render("{{ range(5, 0, -2)|list }}") == "[5, 3, 1]")
    }

    /// Every way of building a string checks its size before it allocates.
    @Test(arguments: [
        "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
        "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "{% set s = 'x' * 1000000 %}{{ [s, s, s]|join }}",
        "{% set s = 'x\n' * 500000 %}{{ s|indent(100) }}",
        "{{ ('x\n' * 100000)|indent(1000) }}",
        "{{ 'x'|center(9223372036854775807) }}",
        "{{ 'x'|indent(9223372036854775807) }}",
        "{% set s = 'x' * 100000 %}{{ s.replace('x', s) }}",
        "{% set s = 'x' * 100000 %}{{ s|replace('', s) }}",
        "{% set s = 'x' * 1000000 %}{{ '{}{}{}{}'.format(s, s, s, s) }}",
        "{% set s = 'x' * 1000000 %}{{ '%s%s%s' % (s, s, s) }}",
        "{% set s = 'x' * 1000000 %}{{ ([s] * 100)|tojson }}",
        "{% set s = 'x' * 1000000 %}{{ [s] * 100 }}",
        "{{ [1]|tojson(indent=9223372036854775807) }}",
        "{% set s = 'x' * 1000000 %}{{ s ~ s ~ s ~ s }}",
        "{% set l = [1] * 100000 %}{% for i in range(100) %}{% set l = l + l %}{% endfor %}",
        "{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}",
        "{% set s = 'x' * 400000 %}{% for i in range(100) %}{% set t = s ~ i %}{% endfor %}",
    ])
    func stringBombsStopAtTheLimit(source: String) {
        expectStopsAtALimit(source)
    }

    /// Loops and recursion that would run for hours stop at the step budget, the deadline or a
    /// cancellation, whichever comes first.
    @Test(arguments: [
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
        "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}",
        "{% set s = 'a' * 100000 %}{% set t = 'a' * 50000 ~ 'b' %}{{ t in s }}",
        "{{ (range(100000)|list)|unique|list|length }}",
    ])
    func loopBombsStopAtTheStepBudget(source: String) {
        expectStopsAtALimit(source)
    }

    func expectStopsAtALimit(_ source: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = failure(source)
        guard case .exceeded = error else {
            Issue.record("\(source) did not stop at a limit: \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
    }

    @Test func aDeadlineStopsARender() {
        let limits = RenderLimits(steps: .max, deadline: .now + .milliseconds(50))
        let started = ContinuousClock.now
        let error = failure("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", limits: limits)
        #expect(error == .exceeded("the template ran out of time"))
        // Without the deadline the loops would run for hours; the bound is loose so that a busy
        // machine (a CI run beside builds) cannot fail it (it took 1.3 s once under load).
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func cancellationStopsARender() {
        let limits = RenderLimits(steps: .max, isCancelled: { true })
        #expect(failure("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", limits: limits) == .cancelled)
    }

    /// A namespace that holds itself, and a list nested thousands deep, print without
    /// exhausting the stack.
    @Test func selfReferenceAndDepthAreBounded() {
        #expect(failure("{% set ns = namespace() %}{% set ns.me = ns %}{{ ns }}") != nil)
        #expect(failure("{% set ns = namespace() %}{% set ns.me = ns %}{{ ns|tojson }}") != nil)
        let deep = "{% set ns = namespace(l=[]) %}{% for i in range(5000) %}{% set ns.l = [ns.l] %}{% endfor %}"
        #expect(failure(deep + "{{ ns.l }}") != nil)
        #expect(failure(deep + "{{ ns.l|tojson }}") != nil)
    }

    /// The limits leave room for real work: a long conversation through a real template.
    @Test func aLongConversationRendersWithinTheStandardLimits() throws {
        let source = """
            {%- for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}
            """
        let messages: [Value] = (0..<3_000).map { .object(Value.Object([("role", "user"), ("content", .string("message \($0)"))])) }
        let text = try Template(source).render(["messages": .array(messages)])
        #expect(text.hasSuffix("message 2999<|im_end|>\n"))
    }
}
