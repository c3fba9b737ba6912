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
        return GGUFMetadata(
            architecture: architecture,
            name: string("general.name"),
            chatTemplate: string("tokenizer.chat_template"),
            trainedContextLength: integer("\(architecture).context_length")
        )
    }
}
