import ArgumentParser
import LlamaEngine

/// Server-wide defaults for sampling fields a request leaves out (text-generation-webui's
/// "API generation defaults"). A request's own values always win.
struct SamplingOptions: ParsableArguments {
    @Option(help: "Default temperature.") var temperature: Double?
    @Option(name: .customLong("top-p"), help: "Default top_p.") var topP: Double?
    @Option(name: .customLong("top-k"), help: "Default top_k (0: off).") var topK: Int?
    @Option(name: .customLong("min-p"), help: "Default min_p (0: off).") var minP: Double?
    @Option(name: .customLong("typical-p"), help: "Default typical_p (1: off).") var typicalP: Double?
    @Option(name: .customLong("repetition-penalty"), help: "Default repetition_penalty (1: off).") var repetitionPenalty: Double?
    @Option(name: .customLong("repetition-penalty-range"), help: "Default repetition_penalty_range.") var repetitionPenaltyRange: Int?
    @Option(name: .customLong("presence-penalty"), help: "Default presence_penalty.") var presencePenalty: Double?
    @Option(name: .customLong("frequency-penalty"), help: "Default frequency_penalty.") var frequencyPenalty: Double?

    func validate() throws {
        if let temperature, !(0...2).contains(temperature) { throw ValidationError("--temperature must be between 0 and 2.") }
        for (name, value) in [("--top-p", topP), ("--min-p", minP), ("--typical-p", typicalP)] {
            if let value, !(0...1).contains(value) { throw ValidationError("\(name) must be between 0 and 1.") }
        }
        if let topK, topK < 0 { throw ValidationError("--top-k must be at least 0.") }
        if let repetitionPenalty, repetitionPenalty <= 0 { throw ValidationError("--repetition-penalty must be positive.") }
    }

    /// text-generation-webui's defaults with these flags applied.
    var parameters: SamplingParameters {
        var parameters = SamplingParameters()
        if let temperature { parameters.temperature = temperature }
        if let topP { parameters.topP = topP }
        if let topK { parameters.topK = topK }
        if let minP { parameters.minP = minP }
        if let typicalP { parameters.typicalP = typicalP }
        if let repetitionPenalty { parameters.repetitionPenalty = repetitionPenalty }
        if let repetitionPenaltyRange { parameters.penaltyLastN = repetitionPenaltyRange }
        if let presencePenalty { parameters.presencePenalty = presencePenalty }
        if let frequencyPenalty { parameters.frequencyPenalty = frequencyPenalty }
        return parameters
    }
}
