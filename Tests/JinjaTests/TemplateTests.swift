import Foundation
import Testing

@testable import Jinja

/// The engine's rules one at a time; expected strings are what Python's jinja2 3.1 gives with
/// Hugging Face's environment.
@Suite struct TemplateTests {
    func render(_ source: String, _ context: [String: Value] = [:]) throws -> String {
        try Template(source).render(context)
    }

    @Test func whitespaceControl() throws {
        #expect(try render("a  {{- 'b' -}}  c") == "abc")
        #expect(try render("{% if true %}\nyes\n{% endif %}\nend") == "yes\nend")
        #expect(try render("  {% if true %}x{% endif %}") == "x")
        #expect(try render("  {%+ if true %}x{% endif %}") == "  x")
        #expect(try render("a {{ 'b' }} c") == "a b c")
        #expect(try render("line\n    {# comment #}\nnext") == "line\nnext")
        #expect(try render("x\n") == "x")
        #expect(try render("x\r\ny") == "x\ny")
    }

    @Test func loops() throws {
        let source = "{% for x in items %}{{ loop.index }}{{ x }}{% if not loop.last %},{% endif %}{% else %}none{% endfor %}"
        #expect(try render(source, ["items": ["a", "b", "c"]]) == "1a,2b,3c")
        #expect(try render(source, ["items": []]) == "none")
        #expect(try render("{% for x in range(10) if x is odd %}{% if x > 5 %}{% break %}{% endif %}{{ x }}{% endfor %}") == "135")
        #expect(try render("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", ["d": ["a": 1, "b": 2]]) == "a=1;b=2;")
        #expect(try render("{% for x in [1,2,3] %}{{ loop.previtem }}-{{ loop.nextitem }} {% endfor %}") == "-2 1-3 2- ")
        #expect(try render("{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{% endfor %}{{ x }}") == "1")
    }

    @Test func namespacesAndMacros() throws {
        let counter = "{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}"
        #expect(try render(counter) == "3")
        let macro =
            "{% macro greet(name, punctuation='!') %}Hi {{ name }}{{ punctuation }}{% endmacro %}{{ greet('Ann') }} {{ greet('Bo', punctuation='?') }}"
        #expect(try render(macro) == "Hi Ann! Hi Bo?")
        let call = "{% macro box() %}[{{ caller() }}]{% endmacro %}{% call box() %}inside{% endcall %}"
        #expect(try render(call) == "[inside]")
        #expect(try render("{% set x %}a{{ 1 + 1 }}{% endset %}{{ x }}") == "a2")
        #expect(try render("{% filter upper %}shout{% endfilter %}") == "SHOUT")
        #expect(try render("{% generation %}kept{% endgeneration %}") == "kept")
    }

    @Test func expressions() throws {
        #expect(try render("{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 / 2 }} {{ 7 % 3 }} {{ 2 ** 10 }} {{ 'a' ~ 1 ~ none }}") == "3 -4 3.5 1 1024 a1None")
        #expect(
            try render("{{ 'x' if false }}|{{ 'y' if true else 'z' }}|{{ 1 < 2 < 3 }}|{{ 'b' in 'abc' }}|{{ 3 not in [1] }}") == "|y|True|True|True"
        )
        #expect(
            try render("{{ [1, 2, 3][-1] }} {{ 'hello'[1:3] }} {{ [1, 2, 3][::-1] }} {{ {'a': 1}['a'] }} {{ {4096: 'int key'}[4096] }}")
                == "3 el [3, 2, 1] 1 int key"
        )
        #expect(
            try render("{{ 1.0 }} {{ 0.1 + 0.2 }} {{ 1e20 }} {{ 2.5 | round }} {{ true }} {{ {'k': 'v\\'s'} }}")
                == "1.0 0.30000000000000004 1e+20 2.0 True {'k': \"v's\"}"
        )
        #expect(try render("{{ missing }}|{{ missing is defined }}|{{ missing | default('d') }}|{{ none is none }}") == "|False|d|True")
    }

    @Test func filtersAndMethods() throws {
        let data: [String: Value] = [
            "tools": [["name": "b", "on": true], ["name": "a", "on": false]],
            "text": "  Hello World  ",
        ]
        #expect(try render("{{ tools | selectattr('on') | map(attribute='name') | join(',') }}", data) == "b")
        #expect(try render("{{ tools | rejectattr('name', 'equalto', 'b') | list | length }}", data) == "1")
        #expect(try render("{{ tools | sort(attribute='name') | map(attribute='name') | list }}", data) == "['a', 'b']")
        #expect(
            try render("{{ text | trim }}|{{ text.strip().lower() }}|{{ text.split() }}|{{ 'a,b,,c'.split(',') }}", data)
                == "Hello World|hello world|['Hello', 'World']|['a', 'b', '', 'c']"
        )
        #expect(
            try render("{{ 'x'.startswith(('y', 'x')) }} {{ 'abc'.replace('b', 'B') }} {{ 'hello world' | title }} {{ 'ab' | upper }}")
                == "True aBc Hello World AB"
        )
        #expect(try render("{{ {'b': 1, 'a': [1, 2.5, none, true, 'é\"']} | tojson }}") == "{\"b\": 1, \"a\": [1, 2.5, null, true, \"é\\\"\"]}")
        #expect(try render("{{ {'a': {'b': []}} | tojson(indent=2) }}") == "{\n  \"a\": {\n    \"b\": []\n  }\n}")
        #expect(try render("{{ 'line1\nline2' | indent(2) }}|{{ 'x' | indent(2, true) }}") == "line1\n  line2|  x")
        #expect(
            try render(
                "{% for k, v in {'b': 2, 'a': 1} | dictsort %}{{ k }}{{ v }}{% endfor %} {{ [3, 1, 2] | sort | first }} {{ [1, 1, 2] | unique | list }} {{ 'a b c' | wordcount }}"
            ) == "a1b2 1 [1, 2] 3"
        )
        #expect(
            try render(
                "{{ d.get('x', 'fallback') }} {{ d.get('k') }} {{ d.keys() | list }} {{ '{} and {name}'.format(1, name='n') }}",
                ["d": ["k": "v"]]
            ) == "fallback v ['k'] 1 and n"
        )
    }

    /// `|safe` gives Python's Markup: a plain string added to it is HTML-escaped.
    @Test func markupEscapesWhatIsAddedToIt() throws {
        #expect(try render("{{ '<b>'|safe + '\"x\" & y' }}") == "<b>&#34;x&#34; &amp; y")
        #expect(try render("{{ '<i>' ~ ('<b>'|safe) }}|{{ ('a'|safe) == 'a' }}|{{ 'x'|safe is string }}") == "<i><b>|True|True")
        #expect(try render("{{ ('<p>'|e) + '<q>' }}") == "&lt;p&gt;&lt;q&gt;")
    }

    @Test func errorsNameTheirPlace() throws {
        #expect(throws: JinjaError.syntax("unknown tag 'frobnicate'", line: 2, column: 4)) { try Template("ok\n{% frobnicate %}") }
        #expect(throws: JinjaError.self) { try Template("{% if x %}never closed") }
        #expect(throws: JinjaError.runtime("'missing' is undefined", line: 3, column: 4)) { try render("\n\n{{ missing.attribute }}") }
        #expect(throws: JinjaError.raised("no system role")) { try render("{{ raise_exception('no system role') }}") }
        #expect(throws: JinjaError.runtime("access to attribute 'append' of 'list' object is unsafe.", line: 1, column: 21)) {
            try render("{% set xs = [] %}{% do xs.append(1) %}")
        }
    }

    /// Hostile templates fail with an error instead of exhausting the stack or memory.
    @Test func limitsStopRunawayTemplates() throws {
        #expect(throws: JinjaError.runtime("macro 'f' recursed more than 64 calls deep", line: 1, column: 19)) {
            try render("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}")
        }
        #expect(throws: JinjaError.self) {
            try Template("{{ " + String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000) + " }}")
        }
        #expect(throws: JinjaError.self) { try render("{{ 'x' * 1000000000000 }}") }
        #expect(throws: JinjaError.exceeded("the rendered text grew past 32 MiB")) {
            try render("{% for i in range(1000) %}{{ 'x' * 1000000 }}{% endfor %}")
        }
    }

    @Test func strftimeUsesTheGivenClock() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let date = calendar.date(from: DateComponents(year: 2026, month: 3, day: 5, hour: 14, minute: 7))!
        #expect(try Template("{{ strftime_now('%d %B %Y, %H:%M %a') }}").render([:], now: date) == "05 March 2026, 14:07 Thu")
    }
}
