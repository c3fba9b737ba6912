import Foundation
import LoopbackHTTP

/// Speech recognition (issue 27): the time to transcribe `jfk.wav` (11 s) through Hearth's route
/// beside whisper.cpp's own `whisper-cli` of the same build (greedy as Hearth, the same threads,
/// its model-load time not counted; `scripts/build-whisper-cli.sh`), the server's memory before
/// and after the Whisper model loads, and a chat stream's decode rate alone and beside
/// transcriptions.
enum TranscriptionBenchmark {
    static let recording = ".deps/whisper/samples/jfk.wav"
    static let model = "models/whisper/ggml-base.bin"

    static func report(server: BenchServer, cli: String?, threads: Int, runs: Int, prompt: String, promptTokens: Int, newTokens: Int) throws {
        let audio = Array(try Data(contentsOf: URL(fileURLWithPath: recording)))
        let client = server.client
        /// One request, with `language` set or (nil) detected by the model.
        func viaHearth(language: String?) -> @Sendable () throws -> Double {
            let (body, type) = form(audio, language: language)
            return {
                let started = now()
                let response = try client.request("POST", "/v1/audio/transcriptions", bytes: body, headers: ["Content-Type": type])
                guard response.status == 200 else { throw BenchError("transcription failed: \(response.status) \(response.body)") }
                return now() - started
            }
        }
        let before = server.residentBytes()
        _ = try viaHearth(language: "en")()
        let loaded = server.residentBytes()
        var rows: [[String]] = []
        // The same work on both sides: the language given, then detected (whisper.cpp encodes
        // the first window once more to detect it, in both).
        for language in ["en", "auto"] {
            let ours = viaHearth(language: language == "auto" ? nil : language)
            var hearth: [Double] = []
            var peer: [Double] = []
            for round in 0..<runs {
                // Alternating which goes first, as the other figures do.
                if round.isMultiple(of: 2) { hearth.append(try ours()) }
                if let cli, let seconds = try whisperCLI(cli, threads: threads, language: language) { peer.append(seconds) }
                if !round.isMultiple(of: 2) { hearth.append(try ours()) }
            }
            let (mine, theirs) = (percentile(hearth, 0.5), peer.isEmpty ? nil : percentile(peer, 0.5))
            rows.append([
                language == "auto" ? "language detected" : "language given (en)", String(format: "%.2f (%.3f)", mine, mine / 11),
                theirs.map { String(format: "%.2f (%.3f)", $0, $0 / 11) } ?? "not built: scripts/build-whisper-cli.sh",
                theirs.map { String(format: "%.2fx (target >= 0.97x)", $0 / mine) } ?? "-",
            ])
        }
        Report.table(
            header: [
                "transcription: jfk.wav, 11 s, Whisper base, greedy: seconds (real-time factor)", "Hearth (HTTP)", "whisper-cli (same build)",
                "speed ratio",
            ],
            rows: rows
        )
        Report.line(
            "server memory: \(before >> 20) MiB before the Whisper model loads, \(loaded >> 20) MiB after the first transcription"
        )

        // A chat stream alone, then beside a long transcription (the recording 8 times over, 88 s),
        // sent again whenever it ends.
        let (long, type) = form(repeated(audio, times: 8), language: nil)
        let transcribeLong: @Sendable () throws -> Double = {
            let response = try client.request("POST", "/v1/audio/transcriptions", bytes: long, headers: ["Content-Type": type])
            guard response.status == 200 else { throw BenchError("transcription failed: \(response.status) \(response.body)") }
            return 88
        }
        let chat = HTTPRunner(client: server.client)
        var alone: [Double] = []
        var beside: [Double] = []
        for _ in 0..<3 {
            alone.append(try chat.run(prompt: prompt, promptTokens: promptTokens, newTokens: newTokens).decodePerSecond)
            let running = EmbeddingBenchmark.Running()
            let thread = Thread {
                while !running.stopped { if (try? transcribeLong()) != nil { running.count(1) } }
            }
            thread.start()
            beside.append(try chat.run(prompt: prompt, promptTokens: promptTokens, newTokens: newTokens).decodePerSecond)
            running.stop()
            while !thread.isFinished { usleep(10_000) }
        }
        let (a, b) = (percentile(alone, 0.5), percentile(beside, 0.5))
        Report.line(
            "chat decode alone \(Report.number(a)) tok/s, beside an 88 s transcription \(Report.number(b)) tok/s: "
                + String(format: "drop %.0f%% (target <= 20%%)", (1 - b / a) * 100)
        )
    }

    /// `whisper-cli`'s time for the recording without loading the model, from its own timings.
    static func whisperCLI(_ path: String, threads: Int, language: String) throws -> Double? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-m", model, "-f", recording, "-t", "\(threads)", "-bs", "1", "-bo", "1", "-nt", "-l", language]
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        func milliseconds(_ label: String) -> Double? {
            text.split(separator: "\n").first { $0.contains("\(label) time =") }
                .flatMap { $0.split(separator: "=")[1].split(separator: " ").first }
                .flatMap { Double($0) }
        }
        guard let total = milliseconds("total"), let load = milliseconds("load") else { return nil }
        return (total - load) / 1000
    }

    /// A WAV file's samples `times` over, as one WAV file (its chunks before `data` kept).
    static func repeated(_ wav: [UInt8], times: Int) -> [UInt8] {
        let data = (12..<(wav.count - 8)).first { wav[$0..<($0 + 4)].elementsEqual("data".utf8) }!
        let samples = Array(wav[(data + 8)...])
        func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        let body = Array(wav[8..<data]) + Array("data".utf8) + le32(samples.count * times) + Array(repeating: samples, count: times).flatMap { $0 }
        return Array("RIFF".utf8) + le32(body.count) + body
    }

    /// A `multipart/form-data` upload of `audio`, with `language` when given.
    static func form(_ audio: [UInt8], language: String?) -> ([UInt8], String) {
        let boundary = "hearth-bench-boundary"
        let field = language.map { "--\(boundary)\r\nContent-Disposition: form-data; name=\"language\"\r\n\r\n\($0)\r\n" } ?? ""
        let head = field + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"jfk.wav\"\r\nContent-Type: audio/wav\r\n\r\n"
        return (Array(head.utf8) + audio + Array("\r\n--\(boundary)--\r\n".utf8), "multipart/form-data; boundary=\(boundary)")
    }
}
