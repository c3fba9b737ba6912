import Foundation
import LlamaEngine

/// The reference data `scripts/make_embedding_fixtures.py` made with sentence-transformers, and
/// the installed model folders it was made from.
struct EmbeddingFixture {
    struct Text {
        let text: String
        let tokenIDs: [Int32]
        let embedding: [Float]
    }

    let model: String
    let dimensions: Int
    let corpus: [Text]
    let documents: [String]
    let queries: [String]
    let nearest: [Int]

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let names = ["all-MiniLM-L6-v2", "all-mpnet-base-v2"]

    static func folder(_ name: String) -> String { root.appendingPathComponent("models/embeddings/\(name)").path }

    init(_ name: String) throws {
        let url = Self.root.appendingPathComponent("Tests/Fixtures/embeddings/\(name).json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        model = name
        dimensions = json["dimensions"] as! Int
        corpus = (json["corpus"] as! [[String: Any]]).map { entry in
            let bytes = Data(base64Encoded: entry["embedding"] as! String)!
            let floats = bytes.withUnsafeBytes { raw in (0..<raw.count / 4).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) } }
            return Text(text: entry["text"] as! String, tokenIDs: (entry["token_ids"] as! [Int]).map(Int32.init), embedding: floats)
        }
        let retrieval = json["retrieval"] as! [String: Any]
        documents = retrieval["documents"] as! [String]
        queries = retrieval["queries"] as! [String]
        nearest = retrieval["nearest"] as! [Int]
    }
}
