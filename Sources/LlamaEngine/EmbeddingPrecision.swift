/// How a sentence encoder computes its matrix products: the operator's choice between
/// sentence-transformers' vectors and half the time per text.
public enum EmbeddingPrecision: String, Sendable, CaseIterable {
    /// float32 weights and products (OpenBLAS): sentence-transformers' vectors to float rounding,
    /// cosine ≥ 0.9999 with them on every reference text.
    case exact
    /// The layers' weights in bfloat16, each product's input rounded to bfloat16 and summed in
    /// float32 (Hearth's AVX-512 BF16 kernel where the build has it, else ggml's). Embeddings,
    /// layer norms, attention and pooling stay float32. Within cosine 0.999 of sentence-transformers on every
    /// reference text, and each reference query finds the same nearest document.
    case fast
}
