import ArgumentParser
import Foundation
import LlamaEngine

/// `make bench`: single-stream figures of the engine called directly, next to the same workload
/// through a real `hearth` server over HTTP streaming.
@main
struct HearthBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearth-bench",
        abstract: "Measure prompt speed, decode speed and time to first token, in-process and over HTTP."
    )

    @Option(help: "The GGUF model.")
    var model = "models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"

    @Option(help: "The hearth binary to start for the HTTP figures.")
    var server = ".build/release/hearth"

    @Option(name: .customLong("prompt-tokens"), help: "Prompt length.")
    var promptTokens = 512

    @Option(name: .customLong("new-tokens"), help: "Tokens generated per run.")
    var newTokens = 128

    @Option(help: "Measured runs per mode (after one warm-up run); medians are reported.")
    var runs = 5

    @Option(name: .customLong("ctx-size"))
    var ctxSize = 4096

    @Option
    var parallel = 4

    @Option(name: .customLong("ubatch-size"))
    var ubatchSize = 512

    @Option
    var threads: Int?

    func run() async throws {
        let configuration = EngineConfiguration(
            contextLength: ctxSize,
            parallel: parallel,
            microBatchSize: ubatchSize,
            threads: threads
        )
        let workload = try Workload(modelPath: model, promptTokens: promptTokens, newTokens: newTokens, runs: runs)

        Report.line("Hearth benchmark: \(URL(fileURLWithPath: model).lastPathComponent)")
        Report.line(
            "prompt \(promptTokens) tokens, \(newTokens) new tokens, \(runs) runs (median), ctx \(ctxSize) x \(parallel), threads \(configuration.threads)"
        )
        Report.line("")

        // Both run side by side, one request at a time, alternating which goes first, so that
        // drift in the machine's speed affects both alike. After each run the other process's
        // ggml workers still spin-wait for a moment; a pause keeps that off the next run's clock.
        // Run 0 warms up and is not counted.
        let server = try BenchServer(
            binary: self.server,
            arguments: [
                "--model", model, "--ctx-size", "\(ctxSize)", "--parallel", "\(parallel)", "--ubatch-size", "\(ubatchSize)",
                "--threads", "\(configuration.threads)",
            ]
        )
        defer { server.stop() }
        let directRunner = try DirectRunner(modelPath: model, configuration: configuration)
        defer { directRunner.engine.shutdown() }
        let httpRunner = HTTPRunner(client: server.client)
        var directRuns: [StreamFigures] = []
        var httpRuns: [StreamFigures] = []
        for (index, prompt) in workload.prompts.enumerated() {
            let pause: UInt32 = 500_000
            var viaEngine: StreamFigures
            var viaHTTP: StreamFigures
            if index.isMultiple(of: 2) {
                viaEngine = try await directRunner.run(prompt: prompt, newTokens: newTokens)
                usleep(pause)
                viaHTTP = try httpRunner.run(prompt: prompt, newTokens: newTokens)
            } else {
                viaHTTP = try httpRunner.run(prompt: prompt, newTokens: newTokens)
                usleep(pause)
                viaEngine = try await directRunner.run(prompt: prompt, newTokens: newTokens)
            }
            usleep(pause)
            if index > 0 {
                directRuns.append(viaEngine)
                httpRuns.append(viaHTTP)
            }
        }
        for (index, (viaEngine, viaHTTP)) in zip(directRuns, httpRuns).enumerated() {
            Report.line(
                "run \(index + 1): decode \(Report.number(viaEngine.decodePerSecond)) direct, \(Report.number(viaHTTP.decodePerSecond)) HTTP; "
                    + "prompt \(Report.number(viaEngine.promptPerSecond)) direct, \(Report.number(viaHTTP.promptPerSecond)) HTTP"
            )
        }
        Report.line("")
        let direct = StreamFigures(median: directRuns)
        let http = (stream: StreamFigures(median: httpRuns), residentBytes: server.residentBytes())

        let ceiling = workload.modelFileBytes + workload.kvBytesPerToken * ctxSize * parallel + 60 << 20
        Report.table(
            header: ["single stream", "prompt tok/s", "decode tok/s", "TTFT ms"],
            rows: [
                [
                    "engine (direct)", Report.number(direct.promptPerSecond), Report.number(direct.decodePerSecond),
                    Report.number(direct.ttftMilliseconds),
                ],
                [
                    "HTTP streaming", Report.number(http.stream.promptPerSecond), Report.number(http.stream.decodePerSecond),
                    Report.number(http.stream.ttftMilliseconds),
                ],
            ]
        )
        let ratio = http.stream.decodePerSecond / direct.decodePerSecond
        Report.line("")
        Report.line(String(format: "HTTP decode / direct decode: %.1f%% (target >= 97%%)", ratio * 100))
        Report.line(
            "server RSS: \(http.residentBytes >> 20) MiB (ceiling: model \(workload.modelFileBytes >> 20) MiB + KV \((workload.kvBytesPerToken * ctxSize * parallel) >> 20) MiB + 60 MiB = \(ceiling >> 20) MiB)"
        )
    }
}
