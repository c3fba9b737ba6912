import LlamaEngine
import OpenAIAPI
import Synchronization

/// LoRA adapters loaded for one served model, by file; they go with the model.
public final class AdapterCache: Sendable {
    private let loaded = Mutex<[String: LoraAdapter]>([:])

    public init() {}

    /// The adapter in `path`, loaded on first use.
    func adapter(path: String, engine: any GenerationEngine) throws(LlamaError) -> LoraAdapter {
        if let adapter = loaded.withLock({ $0[path] }) { return adapter }
        let adapter = try engine.loadAdapter(path: path)
        return loaded.withLock { loaded in
            if let raced = loaded[path] { return raced }
            loaded[path] = adapter
            return adapter
        }
    }

    /// Forgets every adapter; each is freed when the last generation using it ends.
    func removeAll() { loaded.withLock { $0.removeAll() } }
}

extension ServedModel {
    /// The adapters a request runs with: those its `lora` field lists (by `id` or `name`),
    /// else the adapters active for this model.
    /// - Throws: 400 naming the entry for an adapter that is not installed or does not load.
    public func adapterSet(for choices: [AdapterChoice]?, library: LoraLibrary) throws(OpenAIError) -> AdapterSet {
        guard let choices else { return try activeAdapterSet(library: library) }
        if choices.isEmpty { return AdapterSet() }
        let catalog = library.catalog()
        var entries: [AdapterSet.Entry] = []
        for (index, choice) in choices.enumerated() {
            let param = "lora[\(index)]"
            let entry: ModelCatalog.Entry
            switch choice.reference {
            case .id(let id):
                guard catalog.entries.indices.contains(id) else {
                    throw .invalidValue(
                        "\(param).id",
                        "no LoRA adapter has id \(id); \(catalog.entries.count) are installed (GET /v1/internal/lora/list lists them in id order)."
                    )
                }
                entry = catalog.entries[id]
            case .name(let name):
                guard let found = catalog.entry(named: name) else { throw Self.adapterNotFound(name, param: "\(param).name") }
                entry = found
            }
            entries.append(AdapterSet.Entry(adapter: try adapter(entry, param: param), scale: Float(choice.scale)))
        }
        return AdapterSet(entries)
    }

    /// The adapters active for this model (`--lora`, `lora/load`).
    func activeAdapterSet(library: LoraLibrary) throws(OpenAIError) -> AdapterSet {
        let active = library.active(for: id)
        if active.isEmpty { return AdapterSet() }
        return try adapterSet(active, catalog: library.catalog(), param: "lora")
    }

    /// Loads named adapters (validating them for `lora/load`).
    /// - Parameter param: the field the names came from, for errors (`lora_names`).
    public func adapterSet(_ adapters: [LoraLibrary.ActiveAdapter], catalog: ModelCatalog, param: String) throws(OpenAIError) -> AdapterSet {
        var entries: [AdapterSet.Entry] = []
        for (index, active) in adapters.enumerated() {
            guard let entry = catalog.entry(named: active.name) else { throw Self.adapterNotFound(active.name, param: "\(param)[\(index)]") }
            entries.append(AdapterSet.Entry(adapter: try adapter(entry, param: "\(param)[\(index)]"), scale: Float(active.scale)))
        }
        return AdapterSet(entries)
    }

    private func adapter(_ entry: ModelCatalog.Entry, param: String) throws(OpenAIError) -> LoraAdapter {
        do {
            return try adapters.adapter(path: entry.path, engine: engine)
        } catch {
            throw .invalidRequest(
                "The LoRA adapter '\(entry.id)' (\(entry.path)) does not load for the model '\(id)': \(Self.reason(error))",
                param: param,
                code: "lora_load_failed"
            )
        }
    }

    private static func reason(_ error: LlamaError) -> String {
        if case .adapterLoadFailed(_, let reason) = error { return reason }
        return "\(error)"
    }

    private static func adapterNotFound(_ name: String, param: String) -> OpenAIError {
        .invalidValue(param, "no LoRA adapter named '\(name)' is installed (GET /v1/internal/lora/list lists them).")
    }
}
