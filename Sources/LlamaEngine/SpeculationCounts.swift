/// What speculative decoding did for one generation: drafted tokens and how many the model
/// accepted, and of them those drafted from the request's predicted output.
public struct SpeculationCounts: Sendable, Equatable {
    public var drafted = 0
    public var accepted = 0
    /// Predicted-output tokens verified and kept (OpenAI's `accepted_prediction_tokens`).
    public var predictionAccepted = 0
    /// Predicted-output tokens verified and discarded (OpenAI's `rejected_prediction_tokens`).
    public var predictionRejected = 0

    public init(drafted: Int = 0, accepted: Int = 0, predictionAccepted: Int = 0, predictionRejected: Int = 0) {
        self.drafted = drafted
        self.accepted = accepted
        self.predictionAccepted = predictionAccepted
        self.predictionRejected = predictionRejected
    }
}
