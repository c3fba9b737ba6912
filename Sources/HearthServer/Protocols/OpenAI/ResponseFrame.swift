/// What every object of one OpenAI response shares, streamed or not: its id, creation time and
/// model, and whether stream chunks carry `usage` (`stream_options.include_usage`).
struct ResponseFrame: Sendable {
    let id: String
    let created: Int
    let model: String
    let includesUsage: Bool

    /// A new response's frame: a fresh id with OpenAI's `prefix` (`chatcmpl-`, `cmpl-`), now.
    init(prefix: String, model: String, includesUsage: Bool) {
        (id, created, self.model, self.includesUsage) = (ResponseID.make(prefix), ResponseID.now, model, includesUsage)
    }
}
