import Foundation
import OpenAIAPI
import Synchronization

/// The LoRA adapters installed in `--lora-dir` (GGUF files, found by the model folder's rules),
/// and the adapters active for each model: those its requests run with when they send no `lora`
/// field (`--lora`, `POST /v1/internal/lora/load`).
public final class LoraLibrary: Sendable {
    /// An adapter in use, by its name in the folder.
    public struct ActiveAdapter: Sendable, Equatable {
        public var name: String
        public var scale: Double

        public init(name: String, scale: Double = 1) {
            self.name = name
            self.scale = scale
        }
    }

    /// `--lora-dir` (nil: none).
    public let directory: String?
    private let active: Mutex<[String: [ActiveAdapter]]>

    public init(directory: String? = nil, active: [String: [ActiveAdapter]] = [:]) {
        self.directory = directory
        self.active = Mutex(active)
    }

    /// The installed adapters, sorted by name: an adapter's `id` is its index here.
    public func catalog() -> ModelCatalog {
        directory.map { ModelCatalog.scan(directory: $0) } ?? ModelCatalog(entries: [])
    }

    /// The adapters active for a model.
    public func active(for modelID: String) -> [ActiveAdapter] {
        active.withLock { $0[modelID] ?? [] }
    }

    /// Replaces the adapters active for a model (none: `[]`).
    public func setActive(_ adapters: [ActiveAdapter], for modelID: String) {
        active.withLock { $0[modelID] = adapters.isEmpty ? nil : adapters }
    }

    /// `NAME` or `NAME:SCALE`, as `--lora` and `lora/load` take them. A name holding a colon
    /// that names an installed adapter is that adapter.
    public static func parse(_ text: String, catalog: ModelCatalog) -> ActiveAdapter? {
        if catalog.entry(named: text) != nil { return ActiveAdapter(name: text) }
        guard let colon = text.lastIndex(of: ":"), let scale = Double(text[text.index(after: colon)...]), scale.isFinite else {
            return ActiveAdapter(name: text)
        }
        return ActiveAdapter(name: String(text[..<colon]), scale: scale)
    }
}
