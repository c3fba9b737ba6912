import Foundation

/// A sentence-transformers model folder as `scripts/fetch_models.py` installs it
/// (`models/embeddings/<name>/`): the transformer's `config.json`, its tokenizer's files, the
/// maximum sequence length (`sentence_bert_config.json`) and the pooling (`1_Pooling/config.json`,
/// mean pooling is the one supported), with the weights in `model.safetensors`.
public struct SentenceModelFolder: Sendable {
    /// The transformer families Hearth computes.
    public enum Architecture: String, Sendable {
        case bert
        case mpnet
    }

    public let path: String
    public let architecture: Architecture
    public let hiddenSize: Int
    public let layers: Int
    public let heads: Int
    public let intermediateSize: Int
    public let layerNormEpsilon: Float
    /// Tokens per text, special tokens included (longer texts are truncated).
    public let maxSequenceLength: Int
    /// MPNet's relative position buckets (0 for BERT).
    public let relativeBuckets: Int
    public let tokenizer: WordPieceTokenizer

    /// Reads and checks the folder's configuration files (not the weights).
    public init(path: String) throws(EmbeddingError) {
        self.path = path
        let config = try Self.object(path, "config.json")
        guard let type = config["model_type"] as? String, let architecture = Architecture(rawValue: type) else {
            throw .badModel("\(path)/config.json names model_type '\(config["model_type"] ?? "none")'; BERT and MPNet are supported")
        }
        self.architecture = architecture
        func integer(_ key: String) throws(EmbeddingError) -> Int {
            guard let value = config[key] as? Int, value > 0 else { throw .badModel("\(path)/config.json has no \(key)") }
            return value
        }
        hiddenSize = try integer("hidden_size")
        layers = try integer("num_hidden_layers")
        heads = try integer("num_attention_heads")
        intermediateSize = try integer("intermediate_size")
        guard hiddenSize % heads == 0 else { throw .badModel("hidden_size is not a multiple of num_attention_heads") }
        layerNormEpsilon = Float((config["layer_norm_eps"] as? Double) ?? 1e-12)
        relativeBuckets = architecture == .mpnet ? try integer("relative_attention_num_buckets") : 0
        guard (config["hidden_act"] as? String) == "gelu" else { throw .badModel("only the gelu activation is supported") }

        let sentence = try Self.object(path, "sentence_bert_config.json")
        let positions = try integer("max_position_embeddings") - (architecture == .mpnet ? 2 : 0)
        maxSequenceLength = min((sentence["max_seq_length"] as? Int) ?? 512, positions)
        let pooling = try Self.object(path, "1_Pooling/config.json")
        guard pooling["pooling_mode_mean_tokens"] as? Bool == true else { throw .badModel("only mean pooling is supported") }

        let tokenizerConfig = try Self.object(path, "tokenizer_config.json")
        var vocabulary = try Self.text(path, "vocab.txt").split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.hasSuffix("\r") ? $0.dropLast() : $0)
        }
        if vocabulary.last == "" { vocabulary.removeLast() }  // the file's final newline
        let (start, end) = architecture == .mpnet ? ("<s>", "</s>") : ("[CLS]", "[SEP]")
        tokenizer = try WordPieceTokenizer(
            vocabulary: vocabulary,
            lowercases: (tokenizerConfig["do_lower_case"] as? Bool) ?? true,
            start: (tokenizerConfig["cls_token"] as? String) ?? start,
            end: (tokenizerConfig["sep_token"] as? String) ?? end,
            unknown: (tokenizerConfig["unk_token"] as? String) ?? "[UNK]"
        )
    }

    /// The ids a text is embedded from: its pieces between the start and end tokens, truncated
    /// to ``maxSequenceLength``.
    public func tokenize(_ text: String) -> [Int32] { tokenizer.encode(text, maxLength: maxSequenceLength) }

    private static func text(_ folder: String, _ name: String) throws(EmbeddingError) -> String {
        guard let data = FileManager.default.contents(atPath: "\(folder)/\(name)"), let text = String(data: data, encoding: .utf8) else {
            throw .badModel("cannot read \(folder)/\(name)")
        }
        return text
    }

    private static func object(_ folder: String, _ name: String) throws(EmbeddingError) -> [String: Any] {
        let text = try text(folder, name)
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw .badModel("\(folder)/\(name) is not a JSON object")
        }
        return object
    }
}
