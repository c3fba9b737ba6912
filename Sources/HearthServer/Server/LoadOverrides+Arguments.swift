import OpenAIAPI
import OrderedJSON

extension LoadOverrides {
    /// text-generation-webui's loader fields Hearth applies, by their names there.
    static let applied: Set<String> = ["ctx_size", "n_ctx", "threads", "batch_size", "n_batch", "parallel"]

    /// Fields of text-generation-webui's loaders (llama.cpp's and the others') that mean nothing
    /// here (no GPU, one loader): accepted, and named in the log.
    static let ignored: Set<String> = [
        "loader", "gpu_layers", "n_gpu_layers", "cache_type", "tensor_split", "split_mode", "mmproj", "model_draft", "gpu_split",
        "load_in_4bit", "load_in_8bit", "bf16", "cpu", "cpu_memory", "disk", "auto_devices", "trust_remote_code", "no_use_fast",
        "use_double_quant", "compute_dtype", "quant_type", "use_flash_attention_2", "use_eager_attention", "compress_pos_emb",
        "rope_freq_base", "alpha_value", "streaming_llm", "attention_sink_size", "no_mmap", "mlock", "numa", "row_split",
        "no_kv_offload", "flash_attn", "no_flash_attn", "tensorcores", "threads_batch", "cfg_cache", "cpp_runner", "max_seq_len",
        "cache_8bit", "cache_4bit", "autosplit", "enable_tp", "num_experts_per_tok", "extra_flags", "device_draft", "gpu_layers_draft",
        "ctx_size_draft", "draft_max", "speculative_decoding_accept_rate", "model_dir", "lora_dir", "sdpa", "no_sdpa",
    ]

    /// Reads `args`: applied fields set their override, other loaders' fields are returned to be
    /// logged, and a field no loader has is a 400 naming it.
    static func reading(_ arguments: [(String, JSON)]) throws(OpenAIError) -> (overrides: LoadOverrides, ignored: [String]) {
        var overrides = LoadOverrides()
        var ignored: [String] = []
        for (name, value) in arguments {
            if Self.ignored.contains(name) {
                ignored.append(name)
                continue
            }
            guard Self.applied.contains(name) else {
                throw .invalidValue(
                    "args.\(name)",
                    "'\(name)' is not a field of any loader; Hearth applies \(Self.applied.sorted().joined(separator: ", "))."
                )
            }
            guard case .int(let number) = value, number > 0, number <= 1 << 20 else {
                throw .invalidValue("args.\(name)", "expected a positive integer of at most 1048576.")
            }
            switch name {
            case "ctx_size", "n_ctx": overrides.contextLength = max(number, 16)
            case "threads": overrides.threads = min(number, 1024)
            case "batch_size", "n_batch": overrides.batchSize = number
            default: overrides.parallel = min(number, 64)
            }
        }
        return (overrides, ignored)
    }
}
