import Dispatch
import Foundation
import LlamaEngine
import Logging
import OpenAIAPI
import Synchronization

/// The sentence-transformers models installed in `<model-dir>/embeddings/` (one folder each), by
/// name, loaded on first use and kept (their weights are mapped, so an idle model costs page
/// cache, not heap). Passes run one at a time on a thread of their own, never on the server's
/// threads, taking turns with the decode loops so chat streams keep going while a large batch is
/// embedded.
public final class EmbeddingModels: Sendable {
    /// Where the folders are.
    public let directory: String
    /// The model a request gets when it names none, or a name that is not an embedding model
    /// (`--embedding-model`, `OPENEDAI_EMBEDDING_MODEL`); nil: `all-mpnet-base-v2` when installed.
    public let preferred: String?
    /// Refuse names of no embedding model (`--strict-model-names`) instead of using the default.
    public let strictNames: Bool
    /// CPU threads of a pass.
    public let threads: Int
    /// How every model's products are computed (`--embedding-precision`).
    public let precision: EmbeddingPrecision
    private let loaded = Mutex<[String: SentenceEncoder]>([:])
    private let queue = DispatchQueue(label: "hearth.embeddings", qos: .userInitiated)
    private let logger = Logger(label: "hearth.embeddings")

    public init(directory: String, preferred: String? = nil, strictNames: Bool = false, threads: Int, precision: EmbeddingPrecision = .exact) {
        self.directory = directory
        self.precision = precision
        self.preferred = preferred
        self.strictNames = strictNames
        self.threads = max(1, threads)
    }

    /// Installed model names (folders with a `config.json`), sorted, with their weights' file
    /// times. The folder is read at most once a second: every request and `/v1/models` asks.
    public func installedModels() -> [(name: String, modified: Int)] {
        if let scanned = scanned.withLock({ $0 }), scanned.at.duration(to: .now) < .seconds(1) { return scanned.models }
        let fileManager = FileManager.default
        let names = (try? fileManager.contentsOfDirectory(atPath: directory)) ?? []
        let models = names.filter { !$0.hasPrefix(".") && fileManager.fileExists(atPath: "\(directory)/\($0)/config.json") }.sorted()
            .map { name in
                let path = "\(directory)/\(name)/model.safetensors"
                let modified = (try? fileManager.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? Date()
                return (name: name, modified: Int(modified.timeIntervalSince1970))
            }
        scanned.withLock { $0 = (models, .now) }
        return models
    }

    /// Installed model names, sorted.
    public func installed() -> [String] { installedModels().map(\.name) }

    private let scanned = Mutex<(models: [(name: String, modified: Int)], at: ContinuousClock.Instant)?>(nil)

    /// The model's name when `name` names an installed one: its folder name in any case, with
    /// `sentence-transformers/` before it, or an Ollama name (`all-minilm`, `:latest`).
    public func installedName(_ name: String) -> String? {
        var wanted = name.lowercased()
        if wanted.hasPrefix("sentence-transformers/") { wanted.removeFirst("sentence-transformers/".count) }
        if let colon = wanted.firstIndex(of: ":") { wanted = String(wanted[..<colon]) }
        wanted = Self.aliases[wanted] ?? wanted
        return installed().first { $0.lowercased() == wanted }
    }

    /// Ollama's names for the models Hearth ships.
    static let aliases = ["all-minilm": "all-minilm-l6-v2", "all-mpnet": "all-mpnet-base-v2"]

    /// The name a request's `model` resolves to.
    /// - Throws: 404 naming `model` with strict names; 503 when no embedding model is installed.
    public func resolve(_ name: String?) throws(OpenAIError) -> String {
        if let name, !name.isEmpty, let found = installedName(name) { return found }
        if let name, !name.isEmpty, strictNames { throw .modelNotFound(name) }
        let installed = installed()
        if let preferred, let found = installedName(preferred) { return found }
        if let found = installed.first(where: { $0 == "all-mpnet-base-v2" }) ?? installed.first { return found }
        throw OpenAIError(
            status: 503,
            message: "No embedding model is installed in \(directory) (make run installs all-mpnet-base-v2 and all-MiniLM-L6-v2).",
            type: "server_error",
            code: "model_not_loaded"
        )
    }

    /// The loaded encoder of an installed model (loading it on first use).
    public func encoder(_ name: String) throws(OpenAIError) -> SentenceEncoder {
        if let encoder = loaded.withLock({ $0[name] }) { return encoder }
        do {
            let encoder = try SentenceEncoder(path: "\(directory)/\(name)", threads: threads, precision: precision)
            logger.info(
                "Embedding model loaded",
                metadata: [
                    "model": "\(name)", "dimensions": "\(encoder.dimensions)", "precision": "\(precision.rawValue)", "kernel": "\(encoder.kernel)",
                ]
            )
            return loaded.withLock { $0[name, default: encoder] }
        } catch {
            throw OpenAIError(
                status: 503,
                message: "The embedding model \(name) cannot be loaded: \(error)",
                type: "server_error",
                code: "model_not_loaded"
            )
        }
    }

    /// Embeds token-id lists on the embedding thread; stops between passes once the calling
    /// task is cancelled (its client left). Passes take turns with the decode loops
    /// (``ComputeTurns``): while generations run, they get 15% of the time, a tick's length
    /// at a time.
    public func embed(_ ids: [[Int32]], with encoder: SentenceEncoder) async throws -> [[Float]] {
        let stop = StopFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                queue.async {
                    do {
                        let vectors = try encoder.embed(ids, threads: self.threads, turns: .shared) { stop.isSet }
                        continuation.resume(returning: vectors)
                    } catch EmbeddingError.stopped {
                        continuation.resume(throwing: CancellationError())
                    } catch {
                        continuation.resume(throwing: OpenAIError(status: 500, message: "\(error)", type: "server_error", code: "embedding_failed"))
                    }
                }
            }
        } onCancel: {
            stop.set()
        }
    }
}
