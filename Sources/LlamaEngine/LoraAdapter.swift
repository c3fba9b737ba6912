import CLlama
import Foundation
import Synchronization

private let adapterSerial = Atomic<Int>(0)

/// A LoRA adapter loaded for one model from a GGUF file (llama.cpp's `llama_adapter_lora`).
///
/// It keeps its model alive, and is freed when the last reference goes: a generation holds the
/// adapters of its request, and the decode loop those it has set on its context, so an adapter
/// is never freed while a batch uses it.
///
/// `@unchecked Sendable` is sound: every stored property is immutable, the pointer is only
/// handed to llama.cpp by the decode loop (`llama_set_adapters_lora`, which reads it), and the
/// one mutation of llama.cpp's adapter state, loading and freeing, runs under the model's
/// adapter lock.
public final class LoraAdapter: @unchecked Sendable {
    let pointer: OpaquePointer
    public let model: LlamaModel
    public let path: String
    /// Unique for the life of the process (an address may be reused after a free; this is not),
    /// so KV computed with one adapter is never taken for another's.
    public let serial: Int

    /// Loads an adapter for `model`.
    /// - Throws: ``LlamaError/adapterLoadFailed(path:reason:)`` with llama.cpp's reason (not an
    ///   adapter, made for another architecture, tensor shapes of another model, …).
    public init(model: LlamaModel, path: String) throws(LlamaError) {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .adapterLoadFailed(path: path, reason: "the file cannot be read")
        }
        // llama.cpp registers adapters in a set of the model's that a context reads when it
        // rebuilds its graph: loading, freeing and switching adapters take the model's lock.
        let (adapter, log) = model.withAdapterLock {
            LlamaBackend.capturingLog { llama_adapter_lora_init(model.pointer, path) }
        }
        guard let adapter else {
            throw .adapterLoadFailed(path: path, reason: Self.reason(in: log))
        }
        pointer = adapter
        self.model = model
        self.path = path
        serial = adapterSerial.add(1, ordering: .relaxed).newValue
    }

    deinit {
        model.withAdapterLock { llama_adapter_lora_free(pointer) }
    }

    /// llama.cpp's explanation, from the line it logged while refusing the file.
    private static func reason(in log: String) -> String {
        let marker = "failed to apply lora adapter: "
        guard let line = log.split(separator: "\n").last(where: { $0.contains(marker) }),
            let range = line.range(of: marker)
        else { return "it is not a LoRA adapter in GGUF format" }
        let reason = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
        if reason.isEmpty || reason.contains("failed to load lora adapter from file") { return "it is not a GGUF file" }
        return reason
    }
}

extension LlamaModel {
    /// Loads a LoRA adapter made for this model.
    public func loadAdapter(path: String) throws(LlamaError) -> LoraAdapter {
        try LoraAdapter(model: self, path: path)
    }
}
