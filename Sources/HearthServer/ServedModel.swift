import Foundation
import LlamaEngine

/// The model the server generates with, and how it is named on the wire.
public struct ServedModel: Sendable {
    /// The id clients see: the GGUF file name without its extension.
    public let id: String
    /// Unix time of the file's last modification, for `created`.
    public let created: Int
    public let engine: LlamaEngine

    public init(path: String, engine: LlamaEngine) {
        let url = URL(fileURLWithPath: path)
        id = url.pathExtension.lowercased() == "gguf" ? url.deletingPathExtension().lastPathComponent : url.lastPathComponent
        let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? Date()
        created = Int(modified.timeIntervalSince1970)
        self.engine = engine
    }

    /// Whether a client's model name means this model (`id` or `id.gguf`).
    public func answers(to name: String) -> Bool {
        name == id || name == id + ".gguf"
    }
}
