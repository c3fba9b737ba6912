import Foundation
import Testing

@testable import LlamaEngine

/// Hearth's vectors against sentence-transformers' own (Tests/Fixtures/embeddings): every text
/// of the corpus, both models, embedded one at a time and all in one call.
@Suite(.serialized) struct SentenceEncoderTests {
    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        let dot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let norms = (a.reduce(0.0) { $0 + Double($1 * $1) } * b.reduce(0.0) { $0 + Double($1 * $1) }).squareRoot()
        return dot / norms
    }

    @Test(arguments: EmbeddingFixture.names)
    func vectorsMatchSentenceTransformers(name: String) throws {
        let fixture = try EmbeddingFixture(name)
        let encoder = try SentenceEncoder(path: EmbeddingFixture.folder(name), threads: 2)
        #expect(encoder.dimensions == fixture.dimensions)
        let ids = fixture.corpus.map { encoder.folder.tokenize($0.text) }
        let batched = try encoder.embed(ids)
        for (text, vector) in zip(fixture.corpus, batched) {
            let similarity = Self.cosine(vector, text.embedding)
            #expect(similarity >= 0.9999, "\(name): \(text.text.prefix(50).debugDescription) cosine \(similarity)")
        }
        // One at a time: the same vectors (a batch packs its texts; attention stays within each).
        for (index, text) in fixture.corpus.enumerated() where index % 9 == 0 {
            let single = try encoder.embed([ids[index]])[0]
            #expect(Self.cosine(single, batched[index]) >= 0.99999, "\(text.text.prefix(40).debugDescription)")
        }
    }

    /// Fast precision (bfloat16 products): within cosine 0.999 of sentence-transformers on every
    /// text, and every query finds the document sentence-transformers finds; with Hearth's
    /// packed kernel (where the build has AVX-512 BF16) and with ggml's (everywhere).
    @Test(arguments: EmbeddingFixture.names, [true, false])
    func fastVectorsKeepRetrieval(name: String, packing: Bool) throws {
        let fixture = try EmbeddingFixture(name)
        let encoder = try SentenceEncoder(path: EmbeddingFixture.folder(name), threads: 2, precision: .fast, packing: packing)
        let vectors = try encoder.embed(fixture.corpus.map { encoder.folder.tokenize($0.text) })
        for (text, vector) in zip(fixture.corpus, vectors) {
            let similarity = Self.cosine(vector, text.embedding)
            #expect(similarity >= 0.999, "\(name): \(text.text.prefix(50).debugDescription) cosine \(similarity)")
        }
        let documents = try encoder.embed(fixture.documents.map(encoder.folder.tokenize))
        let queries = try encoder.embed(fixture.queries.map(encoder.folder.tokenize))
        let nearest = queries.map { query in documents.indices.max { Self.cosine(query, documents[$0]) < Self.cosine(query, documents[$1]) }! }
        #expect(nearest == fixture.nearest, "\(name)")
    }

    /// Beside generations a pass runs a few layers at a time; the vectors are the same.
    @Test(arguments: EmbeddingFixture.names)
    func aPassInPartsGivesTheSameVectors(name: String) throws {
        let fixture = try EmbeddingFixture(name)
        let encoder = try SentenceEncoder(path: EmbeddingFixture.folder(name), threads: 2)
        let ids = fixture.corpus.prefix(6).map { encoder.folder.tokenize($0.text) }
        let whole = try encoder.embed(ids)
        let parts = try encoder.embed(ids, threads: nil, turns: nil, layersAtOnce: 1, shouldStop: { false })
        for (a, b) in zip(whole, parts) { #expect(a == b) }
    }

    @Test func relativePositionBucketsAreMPNets() {
        // From Hugging Face's MPNet: 32 buckets, exact below 8, logarithmic to 128.
        let expected: [Int: Int32] = [0: 0, 1: 17, -1: 1, 7: 23, -7: 7, 8: 24, 12: 25, 16: 26, 32: 28, 64: 30, 127: 31, 500: 31, -500: 15]
        for (relative, bucket) in expected {
            #expect(SentenceEncoder.bucket(relative, buckets: 32) == bucket, "\(relative)")
        }
    }
}
