import OrderedJSON
import StructuredOutput
import Testing

@Suite struct JSONSchemaGrammarTests {
    func grammar(_ schema: String) throws -> String {
        try JSONSchemaGrammar.grammar(for: JSON(parsing: schema))
    }

    @Test func primitivesAreTheSharedRules() throws {
        #expect(try grammar(#"{"type": "string"}"#).hasPrefix("root ::= string\n"))
        #expect(try grammar(#"{"type": "integer"}"#).hasPrefix("root ::= integer\n"))
        #expect(try grammar(#"{}"#).hasPrefix("root ::= value\n"))
        #expect(try grammar("true").hasPrefix("root ::= value\n"))
    }

    @Test func anObjectListsRequiredPropertiesInOrder() throws {
        let text = try grammar(#"{"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}}, "required": ["a", "b"]}"#)
        #expect(text.contains(#"root-value ::= "{" space ( root-value-a-kv root-value-after-0 ) "}" space"#))
        #expect(text.contains(#"root-value-a-kv ::= "\"a\"" space ":" space integer"#))
        #expect(text.contains(#"root-value-after-0 ::= ( "," space root-value-b-kv )"# + "\n"))
    }

    @Test func optionalPropertiesMayEachBeLeftOut() throws {
        let text = try grammar(#"{"properties": {"a": {}, "b": {}, "c": {}}}"#)
        #expect(text.contains(#"( root-value-a-kv root-value-after-0 | root-value-b-kv root-value-after-1 | root-value-c-kv )?"#))
        #expect(text.contains(#"root-value-after-0 ::= ( "," space root-value-b-kv root-value-after-1 | "," space root-value-c-kv )?"#))
    }

    @Test func integerBoundsBecomeDigitRanges() throws {
        let bounded = try grammar(#"{"type": "integer", "minimum": 0, "maximum": 120}"#)
        #expect(bounded.contains(#"root-value ::= ([0-9] | [1-9] [0-9]{1} | "1" (("0" ([0-9]) | [1-1] [0-9]{1} | "2" ("0")))) space"#))
        let negative = try grammar(#"{"type": "integer", "minimum": -5, "exclusiveMaximum": 3}"#)
        #expect(negative.contains(#""-" ([1-5]) | [0-2]"#))
    }

    @Test func referencesMayRecurse() throws {
        let text = try grammar(
            ##"{"$defs": {"node": {"type": "object", "properties": {"next": {"anyOf": [{"$ref": "#/$defs/node"}, {"type": "null"}]}}, "required": ["next"]}}, "$ref": "#/$defs/node"}"##
        )
        #expect(text.contains("ref-node ::= ref-node-value"))
        #expect(text.contains("ref-node-value-next ::= ref-node | null"))
    }

    @Test(arguments: [
        (#"{"type": "string", "format": "email"}"#, "/format"),
        (#"{"not": {"type": "string"}}"#, "/not"),
        (#"{"properties": {"a": {"type": "array", "uniqueItems": true}}}"#, "/properties/a/uniqueItems"),
        (#"{"type": "number", "minimum": 0}"#, "/minimum"),
        (#"{"$ref": "https://example.com/schema"}"#, "/$ref"),
        (#"{"type": "string", "pattern": "(a)\\1"}"#, "/pattern"),
        (#"{"type": "string", "pattern": "^a", "maxLength": 3}"#, "/maxLength"),
        (#"{"patternProperties": {"^a": {}}}"#, "/patternProperties"),
        (#"{"type": "array", "maxItems": 100000}"#, "/maxItems"),
    ])
    func whatCannotBeExpressedIsRefusedWithItsPath(schema: String, path: String) throws {
        do {
            _ = try grammar(schema)
            Issue.record("accepted \(schema)")
        } catch let error as StructuredOutputError {
            guard case .unsupportedKeyword(let keyword, let where_) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(where_.hasPrefix(path), "\(keyword) at \(where_)")
        }
    }

    @Test func malformedSchemasAreInvalid() throws {
        for schema in [##"{"type": "strin"}"##, ##"{"required": "a"}"##, ##"{"enum": []}"##, ##"{"$ref": "#/$defs/missing"}"##, "3"] {
            #expect(throws: StructuredOutputError.self) { try grammar(schema) }
        }
    }
}

@Suite struct RegexGrammarTests {
    @Test(arguments: [
        (#"^\d{3}-[a-z]+$"#, #"regex ::= ([0-9]){3} "-" ([a-z])+"#),
        ("a|bc?", #"regex ::= ("a" | "b" ("c")?)"#),
        ("(?:ab)*.", #"regex ::= ("ab")* [^\n]"#),
        (#"[^"x]{2,}"#, #"regex ::= ([^"x]){2,}"#),
    ])
    func patternsBecomeRules(pattern: String, expected: String) throws {
        #expect(try RegexGrammar.grammar(for: pattern).contains(expected))
    }

    @Test(arguments: [#"(a)\1"#, "(?=a)", #"\bword"#, "a++", "a^b", "[a", "(a", "[[:alpha:]]", "a$b"])
    func unsupportedPatternsAreRefused(pattern: String) {
        #expect(throws: StructuredOutputError.self) { try RegexGrammar.grammar(for: pattern) }
    }
}

/// Long lists of literals become trie-shaped rules: texts that share a start share its rule.
@Suite struct LiteralChoiceTests {
    func grammar(_ texts: [String]) -> String {
        var builder = GrammarBuilder()
        let root = builder.literalChoice(texts, name: "w")
        return builder.grammar(root: root)
    }

    @Test func sharedStartsShareARule() {
        #expect(
            grammar(["apple", "apricot", "banana", "ban"])
                == "root ::= w\nw-1 ::= \"ple\" | \"ricot\"\nw-2 ::=  | \"ana\"\nw ::= ( \"ap\" w-1 | \"ban\" w-2 )\n"
        )
    }

    @Test func oneTextAndTheEmptyText() {
        #expect(grammar(["only"]) == "root ::= w\nw ::= \"only\"\n")
        #expect(grammar([""]) == "root ::= w\nw ::= \"\"\n")
    }

    /// 5,000 words open at most one branch per next character, not 5,000.
    @Test func aLongEnumOpensFewBranchesAtOnce() throws {
        let words = (0..<5_000).map { "word\($0)" }
        let text = try JSONSchemaGrammar.grammar(for: ["enum": .array(words.map { .string($0) })])
        let widest = text.split(separator: "\n").map { $0.split(separator: " | ").count }.max() ?? 0
        #expect(widest <= 11, "a rule has \(widest) alternatives")
    }

    @Test func tooLongAnEnumIsRefusedWithItsPath() {
        let values = (0...GrammarBuilder.maximumChoices).map { JSON.string("v\($0)") }
        #expect(throws: StructuredOutputError.self) { try JSONSchemaGrammar.grammar(for: ["enum": .array(values)]) }
    }
}

/// Tool schemas with keywords the grammar cannot express, for calls nothing forces.
@Suite struct RelaxedSchemaTests {
    @Test func whatCannotBeExpressedIsTakenOut() throws {
        let schema = try JSON(
            parsing: #"""
                {"type": "object", "properties": {
                  "url": {"type": "string", "format": "uri", "example": "https://x"},
                  "ratio": {"type": "number", "minimum": 0, "maximum": 1},
                  "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true}},
                 "required": ["url"]}
                """#
        )
        #expect(throws: StructuredOutputError.self) { try JSONSchemaGrammar.grammar(for: schema) }
        let (relaxed, dropped) = JSONSchemaGrammar.relaxed(schema)
        #expect(
            Set(dropped) == [
                "/properties/url/format", "/properties/url/example", "/properties/ratio/minimum", "/properties/ratio/maximum",
                "/properties/tags/uniqueItems",
            ]
        )
        _ = try JSONSchemaGrammar.grammar(for: relaxed)
        #expect(relaxed["required"] == ["url"])
        #expect(relaxed["properties"]?["tags"]?["items"] == ["type": "string"])
    }

    @Test func anExpressibleSchemaStaysAsItIs() throws {
        let schema = try JSON(parsing: #"{"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}}"#)
        let (relaxed, dropped) = JSONSchemaGrammar.relaxed(schema)
        #expect(relaxed == schema && dropped.isEmpty)
    }
}
