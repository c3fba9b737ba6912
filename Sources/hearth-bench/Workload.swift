import Foundation
import LlamaEngine

/// The prompts of a benchmark: one per run, each with a different first line so that no run
/// reuses another's cached prefix, each `promptTokens` long.
struct Workload {
    let prompts: [String]
    let newTokens: Int
    let modelFileBytes: Int
    let kvBytesPerToken: Int

    init(modelPath: String, promptTokens: Int, newTokens: Int, runs: Int) throws {
        let model = try LlamaModel(path: modelPath)
        let paragraph = """
            The history of bread begins with wild grains ground between stones and baked on hot \
            embers. Over thousands of years bakers learned to keep a piece of fermented dough, to \
            build ovens of clay and brick, and to sift flour ever finer. 
            """
        var prompts: [String] = []
        for run in 0...runs {
            let body = String(repeating: paragraph, count: promptTokens / 40 + 2)
            var tokens = try model.tokenize("Sample \(run + 1) of \(runs + 1). " + body, addSpecial: false)
            tokens = Array(tokens.prefix(promptTokens))
            prompts.append(model.detokenize(tokens))
        }
        self.prompts = prompts
        self.newTokens = newTokens
        let attributes = try FileManager.default.attributesOfItem(atPath: modelPath)
        modelFileBytes = (attributes[.size] as? Int) ?? 0
        kvBytesPerToken = model.info.kvBytesPerToken
    }
}

/// Figures of one run, or the medians of several.
struct StreamFigures {
    var promptPerSecond: Double
    var decodePerSecond: Double
    var ttftMilliseconds: Double

    /// Figures from the time a request was sent, the arrival of its first and last token, and
    /// its token counts.
    init(promptTokens: Int, completionTokens: Int, sent: Double, firstToken: Double, lastToken: Double) {
        ttftMilliseconds = (firstToken - sent) * 1000
        promptPerSecond = Double(promptTokens) / (firstToken - sent)
        decodePerSecond = Double(completionTokens - 1) / (lastToken - firstToken)
    }

    init(median runs: [StreamFigures]) {
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        promptPerSecond = median(runs.map(\.promptPerSecond))
        decodePerSecond = median(runs.map(\.decodePerSecond))
        ttftMilliseconds = median(runs.map(\.ttftMilliseconds))
    }
}

/// Seconds on a monotonic clock.
func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
