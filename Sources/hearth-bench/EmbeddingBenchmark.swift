import Foundation
import LlamaEngine
import Synchronization

/// Embeddings (issues 12 and 28): sentences per second for both models at both precisions,
/// beside sentence-transformers on the same machine, threads and texts (when the reference
/// Python of scripts/make_embedding_fixtures.py is installed): 256 texts of about 30 words, and
/// 64 texts of 5 to 300 words (padding costs the most there), in batches of 32; and how much a
/// chat stream's decode rate drops while embedding batches run beside it.
enum EmbeddingBenchmark {
    static let models = ["all-MiniLM-L6-v2", "all-mpnet-base-v2"]

    /// `count` texts of `words` words each (a range: lengths spread evenly in it, shuffled), the
    /// same every run.
    static func texts(_ count: Int, words: ClosedRange<Int>) -> [String] {
        let vocabulary =
            ("the a model server local private fast token vector search document query answer river mountain city "
            + "music science history garden kitchen window engine market winter summer library painter teacher").split(separator: " ")
        var state: UInt64 = 42
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        return (0..<count).map { index in
            let length = words.lowerBound + (words.count - 1) * ((index * 37) % count) / max(1, count - 1)
            return (0..<length).map { _ in String(vocabulary[next() % vocabulary.count]) }.joined(separator: " ") + "."
        }
    }

    /// The workloads: a name, the texts, and how many timed rounds (the best counts).
    static let workloads: [(name: String, texts: [String], rounds: Int)] = [
        ("256 texts of ~30 words", texts(256, words: 30...30), 3),
        ("64 texts of 5-300 words", texts(64, words: 5...300), 2),
    ]

    static func report(chat: DirectRunner, prompt: String, threads: Int) async throws {
        var rows: [[String]] = []
        var mpnet: SentenceEncoder?
        for workload in workloads {
            let reference = referenceThroughput(sentences: workload.texts, threads: threads)
            for name in models {
                var rates: [EmbeddingPrecision: Double] = [:]
                for precision in EmbeddingPrecision.allCases {
                    let encoder = try SentenceEncoder(path: "models/embeddings/\(name)", threads: threads, precision: precision)
                    let ids = workload.texts.map(encoder.folder.tokenize)
                    _ = try encoder.embed(Array(ids.prefix(32)))
                    var best = Double.infinity
                    for _ in 0..<workload.rounds {
                        let started = now()
                        for start in stride(from: 0, to: ids.count, by: 32) {
                            _ = try encoder.embed(Array(ids[start..<min(start + 32, ids.count)]), turns: .shared)
                        }
                        best = min(best, now() - started)
                    }
                    rates[precision] = Double(ids.count) / best
                    if name == "all-mpnet-base-v2", precision == .exact { mpnet = encoder }
                }
                let (exact, fast, peer) = (rates[.exact] ?? 0, rates[.fast] ?? 0, reference?[name])
                rows.append([
                    name, workload.name, Report.number(exact), Report.number(fast), peer.map(Report.number) ?? "not installed",
                    peer.map { String(format: "%.2fx", exact / $0) } ?? "-", peer.map { String(format: "%.2fx", fast / $0) } ?? "-",
                ])
            }
        }
        Report.table(
            header: [
                "embeddings, batches of 32", "texts", "Hearth exact sent/s", "Hearth fast sent/s", "sentence-transformers sent/s",
                "exact ratio (target >= 1x)", "fast ratio (target >= 2x)",
            ],
            rows: rows
        )

        // A chat stream alone, then with mpnet batches running beside it, taking turns with the
        // decode loop as the server's embedding passes do.
        guard let mpnet else { return }
        let ids = workloads[0].texts.map(mpnet.folder.tokenize)
        var alone: [Double] = []
        var beside: [Double] = []
        var embeddedBeside: [Double] = []
        for _ in 0..<3 {
            alone.append(try await chat.run(prompt: prompt, newTokens: 128).decodePerSecond)
            let running = Running()
            let thread = Thread {
                while !running.stopped {
                    if (try? mpnet.embed(Array(ids.prefix(4)), turns: .shared)) != nil { running.count(4) }
                }
            }
            let started = now()
            thread.start()
            beside.append(try await chat.run(prompt: prompt, newTokens: 128).decodePerSecond)
            embeddedBeside.append(Double(running.counted) / (now() - started))
            running.stop()
            while !thread.isFinished { usleep(10_000) }
        }
        let (a, b) = (percentile(alone, 0.5), percentile(beside, 0.5))
        Report.line("")
        Report.line(
            "chat decode alone \(Report.number(a)) tok/s, beside mpnet batches \(Report.number(b)) tok/s: "
                + String(format: "drop %.0f%% (target <= 20%%)", (1 - b / a) * 100)
                + "; mpnet beside the stream \(Report.number(percentile(embeddedBeside, 0.5))) sent/s (requests of 4)"
        )
    }

    /// sentence-transformers' sentences per second, by model, from
    /// scripts/bench_sentence_transformers.py run with the reference Python; nil when absent.
    static func referenceThroughput(sentences: [String], threads: Int) -> [String: Double]? {
        let python =
            ProcessInfo.processInfo.environment["HEARTH_REFERENCE_PYTHON"]
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/hearth/reference-venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Report.line("sentence-transformers: not installed (scripts/make_embedding_fixtures.py says how); its column is empty")
            return nil
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-bench-sentences.json")
        guard let data = try? JSONSerialization.data(withJSONObject: sentences), (try? data.write(to: file)) != nil else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["scripts/bench_sentence_transformers.py", file.path, "\(threads)"] + models.map { "models/embeddings/\($0)" }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Double]
    }

    /// A flag the benchmark sets and the embedding thread reads, and what that thread embedded.
    final class Running: Sendable {
        private let flag = Atomic<Bool>(false)
        private let done = Atomic<Int>(0)
        var counted: Int { done.load(ordering: .relaxed) }
        func count(_ sentences: Int) { done.add(sentences, ordering: .relaxed) }
        var stopped: Bool { flag.load(ordering: .relaxed) }
        func stop() { flag.store(true, ordering: .relaxed) }
    }
}
