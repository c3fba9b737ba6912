import CLlama
import Foundation

/// A GGUF model loaded through llama.cpp: weights, vocabulary and metadata.
///
/// `@unchecked Sendable` is sound here: the `llama_model` is immutable after loading, and
/// llama.cpp's vocabulary functions used from several threads (tokenize, token_to_piece,
/// metadata reads) only read it. Contexts that mutate state are owned by the decode loop. The
/// one part llama.cpp changes after loading, the model's set of LoRA adapters, is touched only
/// under ``withAdapterLock(_:)``. ``workers`` is immutable, and ``lostWorker`` reads ggml-rpc's
/// table of connections under that library's own mutex.
public final class LlamaModel: @unchecked Sendable {
    let pointer: OpaquePointer
    let vocab: OpaquePointer
    /// Facts read from the GGUF header.
    public let info: ModelInfo
    /// Held while LoRA adapters are loaded or freed and while a context is made or switches
    /// adapters: llama.cpp keeps the model's adapters in a set that all of these touch.
    private let adapterLock = NSLock()

    /// Runs `body` holding the adapter lock.
    func withAdapterLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        adapterLock.lock()
        defer { adapterLock.unlock() }
        return try body()
    }

    /// Loads a GGUF file (memory-mapped), its layers on this machine's CPU or, as `placement`
    /// says, partly on llama.cpp RPC workers.
    /// - Parameter repackWeights: let llama.cpp lay out the weights kept here for this CPU's
    ///   fastest kernels (RPC workers cannot).
    /// - Throws: ``LlamaError/modelLoadFailed(path:)``;
    ///   ``LlamaError/remoteWorkerUnreachable(_:reason:)`` when a worker does not answer.
    public init(path: String, placement: ModelPlacement = .local, repackWeights: Bool = true) throws(LlamaError) {
        LlamaBackend.initialize
        guard FileManager.default.fileExists(atPath: path) else { throw .modelLoadFailed(path: path) }
        var params = llama_model_default_params()
        params.n_gpu_layers = 0
        params.use_extra_bufts = repackWeights
        let loaded = try Self.load(path, params, placement)
        guard let model = loaded, let vocab = llama_model_get_vocab(model) else {
            if let lost = placement.workers.first(where: { ggml_backend_rpc_server_lost($0.description) }) {
                throw .remoteWorkerLost(lost.description)
            }
            throw .modelLoadFailed(path: path)
        }
        pointer = model
        self.vocab = vocab
        workers = placement.isRemote ? placement.workers.map(\.description) : []
        info = ModelInfo(model: model, vocab: vocab, path: path)
        longestPiece = (0..<Int32(clamping: info.vocabularySize)).reduce(1) { longest, token in
            max(longest, Int(llama_token_to_piece(vocab, token, nil, 0, 0, true).magnitude))
        }
    }

    /// The RPC workers holding some of the model's layers (`host:port`), none when it is local.
    public let workers: [String]

    /// The first worker whose connection failed, if any: its layers are gone, so every decode
    /// fails until the model is loaded again (a lock and a table lookup per worker).
    public var lostWorker: String? { workers.first { ggml_backend_rpc_server_lost($0) } }

    /// Throws when a worker's connection failed: what llama.cpp computed with it is void.
    /// - Throws: ``LlamaError/remoteWorkerLost(_:)``.
    func checkWorkers() throws(LlamaError) {
        if let lostWorker { throw .remoteWorkerLost(lostWorker) }
    }

    private static func load(_ path: String, _ params: llama_model_params, _ placement: ModelPlacement) throws(LlamaError)
        -> OpaquePointer?
    {
        var params = params
        guard placement.isRemote else { return llama_model_load_from_file(path, params) }
        var devices = try remoteDevices(placement.workers) + [nil]
        var split = [Float](repeating: 0, count: llama_max_devices())
        for (index, share) in (placement.tensorSplit ?? []).enumerated() where index < split.count { split[index] = share }
        params.n_gpu_layers = Int32(clamping: placement.remoteLayers ?? -1)
        params.split_mode = LLAMA_SPLIT_MODE_LAYER
        return devices.withUnsafeMutableBufferPointer { devices in
            split.withUnsafeBufferPointer { split in
                params.devices = devices.baseAddress
                params.tensor_split = placement.tensorSplit == nil ? nil : split.baseAddress
                return llama_model_load_from_file(path, params)
            }
        }
    }

    /// The llama.cpp devices of the workers, in order, each worker reached first.
    private static func remoteDevices(_ workers: [RPCEndpoint]) throws(LlamaError) -> [OpaquePointer?] {
        var devices: [OpaquePointer?] = []
        for worker in workers {
            do {
                try worker.probe()
            } catch {
                throw .remoteWorkerUnreachable(worker.description, reason: error.reason)
            }
            guard let registry = ggml_backend_rpc_add_server(worker.description), ggml_backend_reg_dev_count(registry) > 0 else {
                throw .remoteWorkerUnreachable(
                    worker.description,
                    reason: "it did not answer llama.cpp's RPC handshake (is it a ggml-rpc-server of the same llama.cpp?)"
                )
            }
            for index in 0..<ggml_backend_reg_dev_count(registry) { devices.append(ggml_backend_reg_dev_get(registry, index)) }
        }
        return devices
    }

    /// The most bytes one token stands for: a text of `n` bytes has at least
    /// `n / longestPiece` tokens, which settles a hopeless prompt without tokenizing it.
    public let longestPiece: Int

    deinit { llama_model_free(pointer) }

    /// Converts text to token ids.
    /// - Parameters:
    ///   - addSpecial: add BOS/EOS if the model asks for them (never a second BOS when the text
    ///     already starts with one).
    ///   - parseSpecial: turn special-token text such as `<|im_start|>` into its token.
    public func tokenize(_ text: String, addSpecial: Bool, parseSpecial: Bool = true) throws(LlamaError) -> [Int32] {
        let utf8 = Array(text.utf8)
        // llama.cpp counts in `int32_t`.
        guard utf8.count < Int(Int32.max) - 8 else { throw .tokenizationFailed }
        var capacity = utf8.count + 8
        for _ in 0..<2 {
            var tokens = [Int32](repeating: 0, count: capacity)
            let count = utf8.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    llama_tokenize(
                        vocab,
                        chars.baseAddress,
                        Int32(clamping: chars.count),
                        &tokens,
                        Int32(clamping: capacity),
                        addSpecial,
                        parseSpecial
                    )
                }
            }
            if count >= 0 {
                tokens.removeSubrange(Int(count)...)
                if addSpecial, tokens.count >= 2, tokens[0] == info.bosToken, tokens[1] == info.bosToken {
                    tokens.removeFirst()
                }
                return tokens
            }
            guard count != Int32.min else { break }
            capacity = Int(-count)
        }
        throw .tokenizationFailed
    }

    /// The raw bytes of one token (special tokens render as empty unless `special`).
    public func piece(of token: Int32, special: Bool = false) -> [UInt8] {
        var buffer = [CChar](repeating: 0, count: 64)
        var count = llama_token_to_piece(vocab, token, &buffer, Int32(buffer.count), 0, special)
        if count < 0 {
            buffer = [CChar](repeating: 0, count: Int(-count))
            count = llama_token_to_piece(vocab, token, &buffer, Int32(buffer.count), 0, special)
        }
        return buffer.prefix(max(0, Int(count))).map { UInt8(bitPattern: $0) }
    }

    /// Decodes token ids to text.
    public func detokenize(_ tokens: [Int32], special: Bool = false) -> String {
        var decoder = UTF8StreamDecoder()
        var text = ""
        for token in tokens { text += decoder.append(piece(of: token, special: special)) }
        return text + decoder.flush()
    }

    /// Parses a GBNF grammar (root rule `root`) against this vocabulary.
    ///
    /// ``GBNFChecker`` reads it first, so llama.cpp only sees grammars its parser accepts (its
    /// parser would print a refused grammar to stderr); llama.cpp's own later checks (left
    /// recursion, no `root` rule) report through its log callback, captured for this thread.
    /// - Throws: ``LlamaError/invalidGrammar(_:)`` with the reason.
    public func validateGrammar(_ grammar: String) throws(LlamaError) {
        do {
            try GBNFChecker.check(grammar) { isSingleToken($0) }
        } catch {
            throw .invalidGrammar(error.message)
        }
        let (accepted, log) = parseGrammarWithLlama(grammar)
        guard !accepted else { return }
        let reason = log.split(separator: "\n").first { !$0.contains("failed to parse grammar") }.map(String.init)
        throw .invalidGrammar(reason ?? "it is not valid GBNF")
    }

    /// Whether llama.cpp builds a grammar sampler for `grammar`, with what it logged meanwhile.
    func parseGrammarWithLlama(_ grammar: String) -> (accepted: Bool, log: String) {
        let (sampler, log) = LlamaBackend.capturingLog { llama_sampler_init_grammar(vocab, grammar, "root") }
        guard let sampler else { return (false, log) }
        llama_sampler_free(sampler)
        return (true, log)
    }

    /// Whether `text` (such as `<|im_end|>`) is exactly one token.
    func isSingleToken(_ text: String) -> Bool {
        (try? tokenize(text, addSpecial: false, parseSpecial: true).count) == 1
    }

    /// Whether the token ends generation (EOS, end-of-turn and similar).
    public func isEndOfGeneration(_ token: Int32) -> Bool {
        llama_vocab_is_eog(vocab, token)
    }
}

/// Metadata of a loaded model.
public struct ModelInfo: Sendable, Equatable {
    /// `general.name`, or the file name.
    public var name: String
    /// `general.architecture`, e.g. `qwen2`.
    public var architecture: String
    /// The context length the model was trained with.
    public var trainedContextLength: Int
    /// The Jinja chat template from `tokenizer.chat_template`, if any.
    public var chatTemplate: String?
    public var bosToken: Int32
    public var eosToken: Int32
    /// The text of the BOS and EOS tokens (for templates).
    public var bosText: String
    public var eosText: String
    public var vocabularySize: Int
    /// Every token that ends generation (EOS, end of turn, …), found once at load.
    public var endOfGenerationTokens: [Int32]
    /// Bytes of KV cache one token of context takes (f16 keys and values in every layer).
    public var kvBytesPerToken: Int

    /// Facts given directly (a test's scripted engine).
    public init(
        name: String,
        architecture: String = "scripted",
        trainedContextLength: Int = 4096,
        chatTemplate: String?,
        bosToken: Int32 = -1,
        eosToken: Int32 = -1,
        bosText: String = "",
        eosText: String = "",
        vocabularySize: Int,
        endOfGenerationTokens: [Int32] = [],
        kvBytesPerToken: Int = 0
    ) {
        self.name = name
        self.architecture = architecture
        self.trainedContextLength = trainedContextLength
        self.chatTemplate = chatTemplate
        self.bosToken = bosToken
        self.eosToken = eosToken
        self.bosText = bosText
        self.eosText = eosText
        self.vocabularySize = vocabularySize
        self.endOfGenerationTokens = endOfGenerationTokens
        self.kvBytesPerToken = kvBytesPerToken
    }

    init(model: OpaquePointer, vocab: OpaquePointer, path: String) {
        let fileName = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        name = Self.metadata(model, "general.name") ?? fileName
        architecture = Self.metadata(model, "general.architecture") ?? "unknown"
        trainedContextLength = Int(llama_model_n_ctx_train(model))
        chatTemplate = llama_model_chat_template(model, nil).map { String(cString: $0) }
        bosToken = llama_vocab_bos(vocab)
        eosToken = llama_vocab_eos(vocab)
        bosText = bosToken >= 0 ? String(cString: llama_vocab_get_text(vocab, bosToken)) : ""
        eosText = eosToken >= 0 ? String(cString: llama_vocab_get_text(vocab, eosToken)) : ""
        vocabularySize = Int(llama_vocab_n_tokens(vocab))
        endOfGenerationTokens = (0..<llama_vocab_n_tokens(vocab)).filter { llama_vocab_is_eog(vocab, $0) }
        let headDimension = Int(llama_model_n_embd(model)) / max(1, Int(llama_model_n_head(model)))
        let keyLength = Self.metadata(model, "\(architecture).attention.key_length").flatMap { Int($0) } ?? headDimension
        let valueLength = Self.metadata(model, "\(architecture).attention.value_length").flatMap { Int($0) } ?? headDimension
        kvBytesPerToken = Int(llama_model_n_layer(model)) * Int(llama_model_n_head_kv(model)) * (keyLength + valueLength) * 2
    }

    private static func metadata(_ model: OpaquePointer, _ key: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 512)
        let length = llama_model_meta_val_str(model, key, &buffer, buffer.count)
        guard length >= 0 else { return nil }
        return String(decoding: buffer.prefix(min(Int(length), buffer.count - 1)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
