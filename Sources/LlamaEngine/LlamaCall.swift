import CLlama

/// The C boundary in one place: Swift integers bound for llama.cpp's `int32_t`/`uint32_t`
/// parameters are converted with a check (never a trapping initializer), and llama.cpp's
/// return codes become ``LlamaError`` values.
enum LlamaCall {
    /// `value` as a C `int32_t`.
    /// - Throws: ``LlamaError/invalidConfiguration(_:)`` naming `what` when it does not fit.
    static func int32(_ value: Int, _ what: String) throws(LlamaError) -> Int32 {
        guard let converted = Int32(exactly: value) else {
            throw .invalidConfiguration("\(what) = \(value) is beyond llama.cpp's limit of \(Int32.max)")
        }
        return converted
    }

    /// `value` as a C `uint32_t`.
    /// - Throws: ``LlamaError/invalidConfiguration(_:)`` naming `what` when it does not fit.
    static func uint32(_ value: Int, _ what: String) throws(LlamaError) -> UInt32 {
        guard let converted = UInt32(exactly: value) else {
            throw .invalidConfiguration("\(what) = \(value) is outside llama.cpp's range 0…\(UInt32.max)")
        }
        return converted
    }

    /// `llama_decode`'s status: 0 is success; 1 means no KV cell was free for the batch, 2 that
    /// the computation was aborted, negative values that the batch was invalid or the
    /// computation failed.
    /// - Throws: ``LlamaError/decodeFailed(code:)``.
    static func decode(_ context: OpaquePointer, _ batch: llama_batch) throws(LlamaError) {
        let status = llama_decode(context, batch)
        guard status == 0 else { throw .decodeFailed(code: status) }
    }

    /// Sets the context's LoRA adapters (`llama_set_adapters_lora`, which cannot fail).
    static func setAdapters(_ context: OpaquePointer, _ adapters: AdapterSet) {
        var pointers: [OpaquePointer?] = adapters.entries.map(\.adapter.pointer)
        var scales = adapters.entries.map(\.scale)
        _ = llama_set_adapters_lora(context, &pointers, pointers.count, &scales)
    }
}
