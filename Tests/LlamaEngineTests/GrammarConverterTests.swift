import Foundation
import LlamaEngine
import OrderedJSON
import StructuredOutput
import Testing

/// The converters' grammars, checked by the engine that enforces them: llama.cpp's grammar
/// sampler must accept every valid instance of each schema in the corpus (written compactly
/// and indented, as models write JSON) and refuse every invalid one.
@Suite struct GrammarConverterTests {
    struct Entry: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var schema: JSON
        var valid: [JSON]
        var invalid: [JSON]
        var testDescription: String { name }
    }

    static let corpus: [Entry] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = try! Data(contentsOf: root.appendingPathComponent("tests/fixtures/schema-corpus.json"))
        return try! JSON(parsing: data).decode([Entry].self)
    }()

    @Test func theCorpusHasFortySchemasOrMore() {
        #expect(Self.corpus.count >= 40)
    }

    @Test(arguments: corpus)
    func everySchemasGrammarAcceptsItsValidInstancesAndRefusesTheInvalidOnes(_ entry: Entry) throws {
        let grammar = try JSONSchemaGrammar.grammar(for: entry.schema)
        try TestModel.model.validateGrammar(grammar)
        for instance in entry.valid {
            #expect(TestModel.model.grammarAccepts(grammar, text: instance.serialized), "\(instance.serialized)\n\(grammar)")
            #expect(TestModel.model.grammarAccepts(grammar, text: instance.indented()), "\(instance.indented())\n\(grammar)")
        }
        for instance in entry.invalid {
            #expect(!TestModel.model.grammarAccepts(grammar, text: instance.serialized), "\(instance.serialized)\n\(grammar)")
        }
    }

    @Test(arguments: [
        (#"^\d{3}-[a-z]+$"#, ["123-abc", "000-z"], ["12-abc", "123-", "123-ABC"]),
        ("(cat|dog)s?", ["cat", "dogs"], ["cow", "cats!"]),
        (#"[^,]*,\s?x{2,3}"#, ["ab, xx", ",xxx"], ["ab,x", "a,b,xx"]),
        (#"\(\d+\)\.\w*"#, ["(12).a_b", "(1)."], ["12.a", "(a)."]),
    ])
    func regexGrammarsMatchExactlyTheirLanguage(pattern: String, valid: [String], invalid: [String]) throws {
        let grammar = try RegexGrammar.grammar(for: pattern)
        try TestModel.model.validateGrammar(grammar)
        for text in valid { #expect(TestModel.model.grammarAccepts(grammar, text: text), "\(text)") }
        for text in invalid { #expect(!TestModel.model.grammarAccepts(grammar, text: text), "\(text)") }
    }
}

extension JSON {
    /// Indented with two spaces, keys followed by `": "`, as models often write JSON.
    func indented(_ depth: Int = 0) -> String {
        let pad = String(repeating: "  ", count: depth + 1)
        let close = String(repeating: "  ", count: depth)
        switch self {
        case .array(let items) where !items.isEmpty:
            return "[\n" + items.map { pad + $0.indented(depth + 1) }.joined(separator: ",\n") + "\n\(close)]"
        case .object(let members) where !members.isEmpty:
            return "{\n" + members.map { pad + JSON.string($0.0).serialized + ": " + $0.1.indented(depth + 1) }.joined(separator: ",\n")
                + "\n\(close)}"
        default: return serialized
        }
    }
}

/// Grammars in the engine: a strict one holds from the first token whatever the prompt asks
/// for; a lazy one leaves the text before its trigger free and holds after it.
@Suite struct GrammarSamplingTests {
    @Test func aStrictGrammarHoldsAgainstThePrompt() async throws {
        var request = GenerationRequest(prompt: echoPrompt("banana"), maxTokens: 30)
        request.sampling.temperature = 0
        request.sampling.grammar = Grammar(#"root ::= "{\"n\": " [0-9] "}""#)
        let (text, summary) = try await collect(TestModel.engine, request)
        #expect(text.wholeMatch(of: /\{"n": [0-9]\}/) != nil, "\(text)")
        #expect(summary.reason == .stop)
    }

    /// A finished grammar allows only the end of generation; when the request bans it, the
    /// sequence ends there instead of sampling from nothing.
    @Test func aFinishedGrammarEndsTheReplyEvenWithTheEndBanned() async throws {
        var request = GenerationRequest(prompt: echoPrompt("banana"), maxTokens: 30)
        request.sampling.temperature = 1
        request.sampling.seed = 7
        request.sampling.banEndOfGeneration = true
        request.sampling.grammar = Grammar(#"root ::= "{\"n\": " [0-9] "}""#)
        let (text, summary) = try await collect(TestModel.engine, request)
        #expect(text.wholeMatch(of: /\{"n": [0-9]\}/) != nil, "\(text)")
        #expect(summary.reason == .stop)
    }

    @Test func aLazyGrammarHoldsOnlyAfterItsTrigger() async throws {
        // The model repeats "cucumber"; the grammar switches on at "umber", which it must then
        // complete with an object.
        var request = GenerationRequest(prompt: echoPrompt("cucumber"), maxTokens: 40)
        request.sampling.temperature = 0
        request.sampling.grammar = Grammar(#"root ::= "umber" [ \t\n]{0,2} "{\"n\": " [0-9] "}""#, triggers: ["umber"])
        let (text, _) = try await collect(TestModel.engine, request)
        let parts = text.split(separator: "umber", maxSplits: 1, omittingEmptySubsequences: false)
        try #require(parts.count == 2, "the model did not write the trigger: \(text)")
        #expect(parts[0].hasSuffix("cuc"), "the text before the trigger is the model's own: \(text)")
        #expect(
            String(parts[1]).trimmingCharacters(in: .whitespacesAndNewlines).wholeMatch(of: /\{"n": [0-9]\}/) != nil,
            "after the trigger: \(text.debugDescription)"
        )
    }
}

extension GrammarConverterTests {
    /// Reasoning before a constrained answer: free text that cannot contain the closing tag,
    /// so the answer after it is always constrained.
    @Test func reasoningTextEndsOnlyAtItsClosingTag() throws {
        var builder = GrammarBuilder()
        let rule = builder.textWithout("</think>")
        let thinking = try #require(rule)
        let grammar = builder.grammar(root: #"( "<think>" \#(thinking) "</think>" [ \t\n]{0,4} )? "{}""#)
        try TestModel.model.validateGrammar(grammar)
        for text in ["{}", "<think>x</think>{}", "<think>a < b, </th x, <<//t\n</think>\n{}", "<think></think>{}"] {
            #expect(TestModel.model.grammarAccepts(grammar, text: text), "\(text)")
        }
        for text in ["<think>x</think> free</think>{}", "<think>x</think>free", "<think>x{}", "x{}"] {
            #expect(!TestModel.model.grammarAccepts(grammar, text: text), "\(text)")
        }
    }
}

/// A prompt whose byte length alone proves it cannot fit is refused without being tokenized
/// (10 MB took half a minute to tokenize): the error counts the fewest tokens it could be.
@Suite struct HopelessPromptTests {
    @Test func aPromptTooLongByItsBytesIsRefusedUntokenized() throws {
        let prompt = String(repeating: "word ", count: 50_000)
        let fewest = prompt.utf8.count / TestModel.model.longestPiece
        #expect(TestModel.model.longestPiece > 1 && fewest >= TestModel.engine.contextLength)
        #expect(throws: LlamaError.promptTooLong(promptTokens: fewest, contextLength: TestModel.engine.contextLength)) {
            try TestModel.engine.promptTokens(for: GenerationRequest(prompt: prompt, maxTokens: 1))
        }
    }
}
