import ArgumentParser
import Foundation
import LlamaEngine
import LoopbackHTTP

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

    @Option(help: "Also run the HTTP workloads against this OpenAI-compatible server on 127.0.0.1 (e.g. http://127.0.0.1:8000).")
    var against: String?

    @Option(name: .customLong("against-name"), help: "Column title for --against.")
    var againstName = "peer"

    @Flag(name: .customLong("single-only"), help: "Only the single-stream comparison with the engine.")
    var singleOnly = false

    @Flag(name: .customLong("prompts-only"), help: "Only the chat-prompt building figures (Jinja rendering), without a server.")
    var promptsOnly = false

    @Flag(name: .customLong("prefill-only"), help: "Only the row of 4 prompts arriving at once, for Hearth and --against.")
    var prefillOnly = false

    @Flag(
        name: .customLong("deep-only"),
        help: "Only decoding at depth: 4 clients after ~2,000-token prompts each, and 1 client after ~3,500, for Hearth and --against."
    )
    var deepOnly = false

    @Flag(name: .customLong("structured-only"), help: "Only the structured-output row: decode with a json_schema vs unconstrained.")
    var structuredOnly = false

    @Flag(name: .customLong("grammar-neighbour-only"), help: "Only the row of a stream beside a 5,000-value enum and a flat 5,000-word grammar.")
    var grammarNeighbourOnly = false

    @Flag(name: .customLong("responses-only"), help: "Only the Responses figure: a conversation continued through previous_response_id.")
    var responsesOnly = false

    @Flag(
        name: .customLong("embeddings-only"),
        help: "Only the embedding figures: sentences per second beside sentence-transformers, and chat decode beside embedding."
    )
    var embeddingsOnly = false

    @Flag(
        name: .customLong("audio-only"),
        help: "Only the audio figures: jfk.wav through Hearth beside whisper-cli, memory, chat decode beside a transcription, speech synthesis."
    )
    var audioOnly = false

    @Option(name: .customLong("whisper-cli"), help: "whisper.cpp's whisper-cli for the transcription figures (default: the one make bench builds).")
    var whisperCLI = NSString(string: "~/.cache/hearth/whisper-cli-1.8.5/whisper-cli").expandingTildeInPath

    @Flag(
        name: .customLong("speculation-only"),
        help: "Only the speculative-decoding figures: edit, edit with prediction, free text, 4 clients; beside llama-server's n-gram modes."
    )
    var speculationOnly = false

    @Option(name: .customLong("edit-lines"), help: "Lines of the source file the speculation figures' edit workload rewrites.")
    var editLines = 200

    @Option(name: .customLong("speculation-runs"), help: "Rounds of the speculation figures (each takes minutes).")
    var speculationRuns = 2

    @Option(
        name: .customLong("peer-server"),
        help: "llama.cpp's llama-server for the speculation figures' peer columns (default: the one make bench-peer builds, when present)."
    )
    var peerServer = NSString(string: "~/.cache/hearth/llama-server-0.3.36/bin/llama-server").expandingTildeInPath

    @Option(
        name: .customLong("flash-attn"),
        help:
            "Flash attention for every engine and server the benchmark starts, Hearth's and llama-server's alike: on, off or auto (the default of both)."
    )
    var flashAttention = "auto"

    @Flag(name: .customLong("models-only"), help: "Only the model-switching figures: switch time, cold and cached, and RSS over 20 switch cycles.")
    var modelsOnly = false

    @Option(name: .customLong("switch-model"), help: "The model switched to and from (with --model) in the model-switching figures.")
    var switchModel = "models/gemma-3-270m-q4_k_m.gguf"

    @Option(name: .customLong("prefill-new-tokens"), help: "Tokens each of the 4 prompts arriving at once generates.")
    var prefillNewTokens = 4

    @Option(name: .customLong("ubatch-size"))
    var ubatchSize = 512

    @Option
    var threads: Int?

    var modelName: String { URL(fileURLWithPath: model).deletingPathExtension().lastPathComponent }

    func run() async throws {
        let configuration = EngineConfiguration(
            contextLength: ctxSize,
            parallel: parallel,
            microBatchSize: ubatchSize,
            threads: threads,
            flashAttention: flashAttention == "auto" ? nil : flashAttention == "on"
        )
        let workload = try Workload(modelPath: model, promptTokens: promptTokens, newTokens: newTokens, runs: runs)

        Report.line("Hearth benchmark: \(URL(fileURLWithPath: model).lastPathComponent)")
        Report.line(
            "prompt \(promptTokens) tokens, \(newTokens) new tokens, \(runs) runs (median), ctx \(ctxSize) x \(parallel), threads \(configuration.threads)"
        )
        Report.line("")
        if promptsOnly {
            // Only the model's metadata is needed: no context, no decode thread.
            let loaded = try LlamaModel(path: model)
            try PromptBenchmark.report(modelTemplate: loaded.info.chatTemplate, modelName: modelName, renders: 5_000)
            return
        }

        if prefillOnly {
            try simultaneousPromptsOnly()
            return
        }

        if modelsOnly {
            try switchingModels()
            return
        }

        if deepOnly {
            try decodingAtDepth()
            return
        }

        if embeddingsOnly {
            let directRunner = try DirectRunner(modelPath: model, configuration: configuration)
            defer { directRunner.engine.shutdown() }
            try await EmbeddingBenchmark.report(chat: directRunner, prompt: workload.prompts[0], threads: configuration.threads)
            return
        }

        if speculationOnly {
            try speculation(threads: configuration.threads)
            return
        }

        if audioOnly {
            try audio(workload: workload, threads: configuration.threads)
            return
        }

        if responsesOnly {
            try continuedConversation()
            return
        }

        if grammarNeighbourOnly {
            let server = try BenchServer(
                binary: self.server,
                arguments: ["--model", model, "--flash-attn", flashAttention, "--ctx-size", "\(ctxSize)", "--parallel", "\(parallel)"]
            )
            defer { server.stop() }
            try GrammarNeighbourBenchmark.report(client: server.client, runs: runs)
            return
        }

        if structuredOnly {
            let server = try BenchServer(
                binary: self.server,
                arguments: ["--model", model, "--flash-attn", flashAttention, "--ctx-size", "\(ctxSize)", "--parallel", "\(parallel)"]
            )
            defer { server.stop() }
            try StructuredBenchmark.report(client: server.client, model: try LlamaModel(path: model), runs: runs)
            return
        }

        // Both run side by side, one request at a time, alternating which goes first, so that
        // drift in the machine's speed affects both alike. After each run the other process's
        // ggml workers still spin-wait for a moment; a pause keeps that off the next run's clock.
        // Run 0 warms up and is not counted.
        let server = try BenchServer(
            binary: self.server,
            arguments: [
                "--model", model, "--ctx-size", "\(ctxSize)", "--parallel", "\(parallel)", "--ubatch-size", "\(ubatchSize)",
                "--threads", "\(configuration.threads)", "--flash-attn", flashAttention,
            ]
        )
        defer { server.stop() }
        let directRunner = try DirectRunner(modelPath: model, configuration: configuration)
        defer { directRunner.engine.shutdown() }
        try PromptBenchmark.report(
            modelTemplate: directRunner.engine.model.info.chatTemplate,
            modelName: URL(fileURLWithPath: model).deletingPathExtension().lastPathComponent
        )
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
                viaHTTP = try httpRunner.run(prompt: prompt, promptTokens: promptTokens, newTokens: newTokens)
            } else {
                viaHTTP = try httpRunner.run(prompt: prompt, promptTokens: promptTokens, newTokens: newTokens)
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
        guard !singleOnly else { return }
        Report.line("")
        try switchingModels()
        Report.line("")
        try continuedConversation()
        Report.line("")
        try StructuredBenchmark.report(client: server.client, model: directRunner.engine.model, runs: runs)
        Report.line("")
        try GrammarNeighbourBenchmark.report(client: server.client, runs: runs)
        Report.line("")
        try await EmbeddingBenchmark.report(chat: directRunner, prompt: workload.prompts[0], threads: configuration.threads)
        Report.line("")
        try audio(workload: workload, threads: configuration.threads)
        Report.line("")
        try speculation(threads: configuration.threads)

        var targets = [("Hearth", server.client)]
        if let against {
            guard let port = URL(string: against)?.port, ["127.0.0.1", "localhost"].contains(URL(string: against)?.host ?? "") else {
                throw BenchError("--against must be a loopback URL with a port, like http://127.0.0.1:8000")
            }
            targets.append((againstName, LoopbackHTTPClient(port: port)))
            let peer = try (0...runs).map {
                try HTTPRunner(client: targets[1].1).run(prompt: workload.prompts[$0], promptTokens: promptTokens, newTokens: newTokens)
            }
            let figures = StreamFigures(median: Array(peer.dropFirst()))
            Report.line("")
            Report.line(
                "\(againstName), HTTP streaming, same workload: prompt \(Report.number(figures.promptPerSecond)) tok/s, decode \(Report.number(figures.decodePerSecond)) tok/s, TTFT \(Report.number(figures.ttftMilliseconds)) ms"
            )
        }
        Report.line("")
        var rows: [[String]] = []
        var columns: [[String]] = []
        for (_, client) in targets {
            let load = LoadRunner(client: client)
            var column: [String] = []
            rows = []
            for clients in [1, 2, 4, 8] {
                let figures = try load.concurrency(clients: clients, requestsEach: clients <= 4 ? 2 : 1, promptTokens: 128, newTokens: 64)
                rows.append(["\(clients) clients: aggregate decode tok/s"])
                column.append(Report.number(figures.aggregateTokensPerSecond))
                rows.append(["\(clients) clients: TTFT p50 / p95 ms"])
                column.append("\(Report.number(figures.ttftP50)) / \(Report.number(figures.ttftP95))")
                rows.append(["\(clients) clients: inter-token p50 ms"])
                column.append(Report.number(figures.interTokenP50))
            }
            var together: [(median: Double, maximum: Double)] = []
            for _ in 0..<3 { together.append(try load.simultaneousPrompts(clients: 4, promptTokens: 330, newTokens: 4)) }
            rows.append(["4 prompts of ~330 tokens at once: TTFT median / max ms (median of 3 rounds)"])
            column.append("\(Report.number(percentile(together.map(\.median), 0.5))) / \(Report.number(percentile(together.map(\.maximum), 0.5)))")
            let prefix = try load.sharedPrefix(prefixTokens: 1000, requests: 8, coldRequests: 3)
            rows.append(["shared 1,000-token prefix: mean TTFT cold ms"])
            column.append(Report.number(prefix.cold))
            rows.append(["shared 1,000-token prefix: mean TTFT cached ms"])
            column.append("\(Report.number(prefix.cached)) (\(Report.number(prefix.cached / prefix.cold * 100))%)")
            rows.append(["GET /v1/models, 32 connections: req/s"])
            column.append(Report.number(load.modelsRate(connections: 32, seconds: 3)))
            columns.append(column)
        }
        Report.table(
            header: ["workload (128-token prompts, 64 new tokens)"] + targets.map(\.0),
            rows: rows.indices.map { row in rows[row] + columns.map { $0[row] } }
        )
    }

    /// The speech figures, on a server of their own (``TranscriptionBenchmark``,
    /// ``SpeechBenchmark``).
    private func audio(workload: Workload, threads: Int) throws {
        let server = try BenchServer(
            binary: self.server,
            arguments: ["--model", model, "--flash-attn", flashAttention, "--ctx-size", "\(ctxSize)", "--threads", "\(threads)"]
        )
        defer { server.stop() }
        try TranscriptionBenchmark.report(
            server: server,
            cli: FileManager.default.isExecutableFile(atPath: whisperCLI) ? whisperCLI : nil,
            threads: threads,
            runs: runs,
            prompt: workload.prompts[0],
            promptTokens: promptTokens,
            newTokens: newTokens
        )
        try SpeechBenchmark.report(client: server.client, runs: runs)
    }

    /// Decoding with a deep KV cache, Hearth and the `--against` server in turn, `runs` rounds
    /// after a warm-up: 4 clients decoding together after ~2,000-token prompts each, and one
    /// client after ~3,500 tokens. Aggregate tok/s while all streams decode; medians.
    private func decodingAtDepth() throws {
        let server = try BenchServer(
            binary: self.server,
            arguments: ["--model", model, "--flash-attn", flashAttention, "--ctx-size", "\(ctxSize)", "--parallel", "\(parallel)"]
                + (threads.map { ["--threads", "\($0)"] } ?? [])
        )
        defer { server.stop() }
        let targets = comparedTargets(server)
        let workloads = [("4 clients after ~2,000-token prompts", 4, 2_000, 160), ("1 client after ~3,500 tokens", 1, 3_500, 64)]
        var results = [[[Double]]](repeating: [[Double]](repeating: [], count: workloads.count), count: targets.count)
        try alternatingRounds(targets) { round, index in
            for (workload, (name, clients, promptTokens, newTokens)) in workloads.enumerated() {
                let rate = try LoadRunner(client: targets[index].1).deepDecode(clients: clients, promptTokens: promptTokens, newTokens: newTokens)
                usleep(500_000)
                guard round > 0 else { continue }  // warm-up
                results[index][workload].append(rate)
                Report.line("round \(round) \(targets[index].0), \(name): \(Report.number(rate)) tok/s")
            }
        }
        Report.table(
            header: ["decode at depth, tok/s (median of \(runs))"] + targets.map(\.0),
            rows: workloads.indices.map { workload in
                [workloads[workload].0] + targets.indices.map { Report.number(percentile(results[$0][workload], 0.5)) }
            }
        )
    }

    /// Hearth's server, and the `--against` server when one is given, by column title.
    private func comparedTargets(_ server: BenchServer) -> [(String, LoopbackHTTPClient)] {
        var targets = [("Hearth", server.client)]
        if let against, let port = URL(string: against)?.port { targets.append((againstName, LoopbackHTTPClient(port: port))) }
        return targets
    }

    /// Round 0 (a warm-up) then `runs` rounds; each round visits every target, starting with a
    /// different one each time so drift in the machine's speed touches them alike.
    private func alternatingRounds(_ targets: [(String, LoopbackHTTPClient)], _ body: (_ round: Int, _ index: Int) throws -> Void) rethrows {
        for round in 0...runs {
            for offset in targets.indices { try body(round, (round + offset) % targets.count) }
        }
    }

    /// 4 prompts of ~330 tokens arriving at once, Hearth and the `--against` server in turn,
    /// `runs` rounds each: TTFT median and maximum per round, and their medians.
    private func simultaneousPromptsOnly() throws {
        let server = try BenchServer(
            binary: self.server,
            arguments: [
                "--model", model, "--flash-attn", flashAttention, "--ctx-size", "\(ctxSize)", "--parallel", "\(parallel)", "--ubatch-size",
                "\(ubatchSize)",
            ]
                + (threads.map { ["--threads", "\($0)"] } ?? [])
        )
        defer { server.stop() }
        let targets = comparedTargets(server)
        var results = [[(median: Double, maximum: Double)]](repeating: [], count: targets.count)
        try alternatingRounds(targets) { round, index in
            let figures = try LoadRunner(client: targets[index].1).simultaneousPrompts(
                clients: 4,
                promptTokens: 330,
                newTokens: prefillNewTokens
            )
            usleep(500_000)
            guard round > 0 else { return }  // warm-up
            results[index].append(figures)
            Report.line(
                "round \(round) \(targets[index].0): TTFT median \(Report.number(figures.median)) ms, max \(Report.number(figures.maximum)) ms"
            )
        }
        Report.table(
            header: ["4 prompts of ~330 tokens at once", "TTFT median ms", "TTFT max ms"],
            rows: targets.indices.map { index in
                [
                    targets[index].0, Report.number(percentile(results[index].map(\.median), 0.5)),
                    Report.number(percentile(results[index].map(\.maximum), 0.5)),
                ]
            }
        )
    }

    /// A server of its own for the continued Responses conversation.
    func continuedConversation() throws {
        let server = try BenchServer(
            binary: self.server,
            arguments: ["--model", model, "--flash-attn", flashAttention, "--ctx-size", "\(ctxSize)", "--parallel", "\(parallel)"]
        )
        defer { server.stop() }
        try ResponsesBenchmark.report(server: server)
    }

    /// A server of its own (`--models-max 1`, the model folder of `--model`) for the switching
    /// figures.
    func switchingModels() throws {
        let folder = URL(fileURLWithPath: model).deletingLastPathComponent().path
        let server = try BenchServer(
            binary: self.server,
            arguments: [
                "--model", model, "--flash-attn", flashAttention, "--model-dir", folder, "--models-max", "1", "--ctx-size", "\(ctxSize)",
                "--parallel", "\(parallel)",
            ]
        )
        defer { server.stop() }
        try ModelSwitchBenchmark.report(server: server, models: (model, switchModel), runs: max(3, min(runs, 5)))
    }

    /// The speculation figures: Hearth (one server; without speculation by the request's
    /// `speculative: false`) and llama-server with `ngram-simple` and `ngram-mod`, when present.
    private func speculation(threads: Int) throws {
        let server = try BenchServer(
            binary: self.server,
            arguments: [
                "--model", model, "--ctx-size", "\(ctxSize)", "--parallel", "\(parallel)", "--threads", "\(threads)",
                "--flash-attn", flashAttention,
            ]
        )
        defer { server.stop() }
        Report.line("flash attention: \(flashAttention)")
        var columns: [SpeculationBenchmark.Column] = [
            .init(name: "Hearth, no speculation", client: server.client, speculative: false),
            .init(name: "Hearth", client: server.client),
        ]
        var peers: [BenchServer] = []
        defer { peers.forEach { $0.stop() } }
        if FileManager.default.isExecutableFile(atPath: peerServer) {
            for mode in ["ngram-simple", "ngram-mod"] {
                let peer = try BenchServer(
                    binary: peerServer,
                    arguments: [
                        "--model", model, "--host", "127.0.0.1", "--ctx-size", "\(ctxSize * parallel)", "--parallel", "\(parallel)",
                        "--threads", "\(threads)", "--threads-batch", "\(threads)", "--spec-type", mode, "--flash-attn", flashAttention,
                    ],
                    portFlag: "--port"
                )
                peers.append(peer)
                columns.append(.init(name: "llama-server \(mode)", client: peer.client))
            }
        } else {
            Report.line("llama-server not found at \(peerServer) (make bench-peer builds it): its columns are skipped.")
        }
        try SpeculationBenchmark.report(columns: columns, lines: editLines, runs: speculationRuns)
    }
}
