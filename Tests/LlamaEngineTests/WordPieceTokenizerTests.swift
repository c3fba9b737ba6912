import Foundation
import LlamaEngine
import Testing

/// Hearth's WordPiece tokenizer gives exactly the ids sentence-transformers' tokenizer gave for
/// every text of the reference corpus (unicode, code, whitespace, texts past the maximum length).
@Suite struct WordPieceTokenizerTests {
    @Test(arguments: EmbeddingFixture.names)
    func idsMatchTheReferenceTokenizer(name: String) throws {
        let fixture = try EmbeddingFixture(name)
        let folder = try SentenceModelFolder(path: EmbeddingFixture.folder(name))
        for text in fixture.corpus {
            #expect(folder.tokenize(text.text) == text.tokenIDs, "\(name): \(text.text.prefix(60).debugDescription)")
        }
    }

    @Test func foldersAreReadAsTheirConfigsSay() throws {
        let minilm = try SentenceModelFolder(path: EmbeddingFixture.folder("all-MiniLM-L6-v2"))
        #expect(minilm.architecture == .bert && minilm.hiddenSize == 384 && minilm.layers == 6 && minilm.maxSequenceLength == 256)
        let mpnet = try SentenceModelFolder(path: EmbeddingFixture.folder("all-mpnet-base-v2"))
        #expect(mpnet.architecture == .mpnet && mpnet.hiddenSize == 768 && mpnet.relativeBuckets == 32 && mpnet.maxSequenceLength == 384)
        #expect(throws: EmbeddingError.self) { try SentenceModelFolder(path: "/nonexistent") }
    }
}
