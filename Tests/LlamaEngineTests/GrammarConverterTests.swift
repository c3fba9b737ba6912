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
            return "{\n" + members.map { pad + JSON.string($0.0).serialized + ": " + $0.1.indented(depth + 1) }.joined(separator: ",\n") + "\n\(close)}"
        default: return serialized
        }
    }
}
