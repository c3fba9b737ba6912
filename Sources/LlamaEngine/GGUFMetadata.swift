import CLlama
import Foundation
import Synchronization

/// Facts of a GGUF model file read from its header alone, without loading the model (listing
/// installed models, Ollama's `show`).
public struct GGUFMetadata: Sendable, Equatable {
    /// `general.architecture`, e.g. `qwen2`.
    public var architecture: String
    /// `general.name`, if the file has one.
    public var name: String?
    /// `tokenizer.chat_template`, if any.
    public var chatTemplate: String?
    /// `<architecture>.context_length`: the context the model was trained with.
    public var trainedContextLength: Int?
    /// The weights' element count, summed over the file's tensors.
    public var parameterCount: Int?
    /// The quantization most tensors have (`general.file_type`, llama.cpp's `llama_ftype`), as
    /// Ollama names it: `Q4_K_M`, `F16`, …
    public var quantization: String?

    /// Ollama's `parameter_size`: `494.03M`, `7.6B`.
    public var parameterSize: String? {
        guard let parameterCount, parameterCount > 0 else { return nil }
        let value = Double(parameterCount)
        return value >= 1e9 ? String(format: "%.1fB", value / 1e9) : String(format: "%.2fM", value / 1e6)
    }

    private static let cache = Mutex<[String: (modified: Date, metadata: GGUFMetadata?)]>([:])

    /// The metadata of the GGUF file at `path`; nil when it is not a readable GGUF file. Read
    /// once per file version (the file's modification time).
    public static func read(path: String) -> GGUFMetadata? {
        let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? .distantPast
        if let cached = cache.withLock({ $0[path] }), cached.modified == modified { return cached.metadata }
        let metadata = parse(path: path)
        cache.withLock { $0[path] = (modified, metadata) }
        return metadata
    }

    private static func parse(path: String) -> GGUFMetadata? {
        LlamaBackend.initialize
        // Logged refusals (a file that is not GGUF) would name the path on stderr: capture them.
        let (context, _) = LlamaBackend.capturingLog { gguf_init_from_file(path, gguf_init_params(no_alloc: true, ctx: nil)) }
        guard let context else { return nil }
        defer { gguf_free(context) }
        func string(_ key: String) -> String? {
            let id = gguf_find_key(context, key)
            guard id >= 0, gguf_get_kv_type(context, id) == GGUF_TYPE_STRING, let value = gguf_get_val_str(context, id) else { return nil }
            return String(cString: value)
        }
        func integer(_ key: String) -> Int? {
            let id = gguf_find_key(context, key)
            guard id >= 0 else { return nil }
            switch gguf_get_kv_type(context, id) {
            case GGUF_TYPE_UINT32: return Int(gguf_get_val_u32(context, id))
            case GGUF_TYPE_INT32: return Int(gguf_get_val_i32(context, id))
            case GGUF_TYPE_UINT64: return Int(clamping: gguf_get_val_u64(context, id))
            default: return nil
            }
        }
        guard let architecture = string("general.architecture") else { return nil }
        var parameters = 0
        for tensor in 0..<gguf_get_n_tensors(context) {
            let type = gguf_get_tensor_type(context, tensor)
            let typeSize = ggml_type_size(type)
            guard typeSize > 0 else { continue }
            parameters += gguf_get_tensor_size(context, tensor) / typeSize * Int(ggml_blck_size(type))
        }
        return GGUFMetadata(
            architecture: architecture,
            name: string("general.name"),
            chatTemplate: string("tokenizer.chat_template"),
            trainedContextLength: integer("\(architecture).context_length"),
            parameterCount: parameters,
            quantization: integer("general.file_type").flatMap { fileTypeNames[$0] }
        )
    }

    /// llama.cpp's `llama_ftype` values by the names Ollama shows.
    static let fileTypeNames: [Int: String] = [
        0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M",
        13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS",
        21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M",
        30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4", 39: "NVFP4", 40: "Q1_0",
    ]
}
