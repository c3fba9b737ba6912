import Testing

@testable import LlamaEngine

/// ``GBNFChecker`` must accept exactly what llama.cpp's grammar parser accepts (so llama.cpp
/// never prints a refused grammar to stderr), and refuse what would harm the server.
@Suite struct GBNFCheckerTests {
    /// Grammars llama.cpp's parser accepts, from its `grammars/` folder's idioms and edge cases.
    static let valid: [String] = [
        #"root ::= "yes" | "no""#,
        #"root ::= " " ("yes" | "no") "." "#,
        "root ::= object\nobject ::= \"{\" ws ( string \":\" ws value (\",\" ws string \":\" ws value)* )? \"}\" ws\nvalue ::= object | string | number\nstring ::= \"\\\"\" ( [^\"\\\\\\x7F\\x00-\\x1F] | \"\\\\\" ([\"\\\\/bfnrt] | \"u\" [0-9a-fA-F]{4}) )* \"\\\"\" ws\nnumber ::= (\"-\"? ([0-9] | [1-9] [0-9]{0,15})) ws\nws ::= | \" \" | \"\\n\" [ \\t]{0,20}\n",
        "# a comment\nroot ::= item+ # trailing comment\n\nitem ::= [a-z]{2,5} \"\\n\"\n",
        #"root ::= [^\n]* "\u00e9" "\U0001F600" "\x41""#,
        #"root ::= "a"{3} "b"{2,} "c"{0,1} "d"?"#,
        "root ::= (\n  \"a\" |\n  \"b\"\n)\n",
        #"root ::= . . ."#,
        #"root ::= "日本語" [ä-ü]"#,
        #"root ::= <[151643]> "x""#,
        #"root ::= <|im_end|>"#,
        #"root ::= !<|im_end|>+ <|im_end|>"#,
        "root ::= a\r\na ::= \"x\"\r\n",
        #"root ::= ("a" | "b"){1,1000}"#,
        #"root ::= "\[\]\-\"\\""#,
        #"root ::= """#,
    ]

    /// Grammars llama.cpp's parser refuses.
    static let invalid: [String] = [
        "root ::= answer",
        #"root = "x""#,
        #"root ::= "unterminated"#,
        #"root ::= [a-"#,
        #"root ::= ("a" | "b""#,
        #"root ::= * "a""#,
        #"root ::= "a" {"#,
        #"root ::= "a"{x}"#,
        #"root ::= "a"{1 2}"#,
        #"root ::= "a"{1,2"#,
        #"root ::= "\q""#,
        #"root ::= "\x4""#,
        #"root ::= "a" ) "b""#,
        #"root ::= "a"{2001}"#,
        #"root ::= ("a"{0,50}){50}"#,
        #"root ::= <not-a-token-at-all>"#,
        #"root ::= <[99999999999]>"#,
        "::= \"a\"",
        "root ::= \"a\"\nroot ::= b\n",
        "root ::= x\nx ::= y\ny ::= z\n",
    ]

    /// Grammars llama.cpp would parse but that would hang or exhaust the server; only the
    /// checker sees them.
    static let hostile: [String] = [
        #"root ::= "a"{3,1}"#,
        String(repeating: "(", count: 5000) + "\"a\"" + String(repeating: ")", count: 5000),
        "root ::= \"" + String(repeating: "a", count: 2000) + "\"{1000}",
        "root ::= " + (0..<12_000).map { "r\($0)" }.joined(separator: " "),
    ]

    private func checkerAccepts(_ grammar: String) -> Bool {
        (try? GBNFChecker.check(grammar) { TestModel.model.isSingleToken($0) }) != nil
    }

    /// What llama.cpp's parser says, asked directly (a refusal prints to the test's stderr).
    private func llamaParses(_ grammar: String) -> Bool {
        !TestModel.model.parseGrammarWithLlama(grammar).log.contains("failed to parse grammar")
    }

    @Test(arguments: valid)
    func acceptsWhatLlamaCppAccepts(_ grammar: String) {
        #expect(llamaParses(grammar))
        #expect(checkerAccepts(grammar))
    }

    @Test(arguments: invalid)
    func refusesWhatLlamaCppRefuses(_ grammar: String) {
        // The empty-literal case and the undefined-rule chains are refused by llama.cpp's
        // parser too; each must be refused by the checker before llama.cpp sees it.
        #expect(!checkerAccepts(grammar))
        #expect(!llamaParses(grammar))
    }

    @Test(arguments: hostile)
    func refusesGrammarsThatWouldHarmTheServer(_ grammar: String) {
        #expect(!checkerAccepts(grammar))
    }

    @Test func reasonsNameTheProblem() {
        func reason(_ grammar: String) -> String? {
            do {
                try GBNFChecker.check(grammar) { _ in false }
                return nil
            } catch { return error.message }
        }
        #expect(reason("root ::= answer") == "Undefined rule identifier 'answer'")
        #expect(reason(#"root = "x""#) == "expecting ::= at `= \"x\"`")
        #expect(reason(#"root ::= "a"{3,1}"#)?.contains("maximum below its minimum") == true)
    }

    /// The model's validation runs the checker, then llama.cpp's own semantic checks.
    @Test func validationReportsLeftRecursionAndAMissingRoot() {
        #expect(throws: LlamaError.self) { try TestModel.model.validateGrammar("root ::= root \"a\" | \"b\"") }
        #expect(throws: LlamaError.self) { try TestModel.model.validateGrammar("start ::= \"a\"") }
        #expect(throws: Never.self) { try TestModel.model.validateGrammar(#"root ::= "a" | "b""#) }
    }
}
