import Foundation
import LlamaEngine
import Synchronization

/// Embeddings (issue 12): sentences per second for 256 sentences of about 30 words in batches of
/// 32, both models, beside sentence-transformers on the same machine and threads (when the
/// reference Python of scripts/make_embedding_fixtures.py is installed); and how much a chat
/// stream's decode rate drops while embedding batches run beside it.
enum EmbeddingBenchmark {
    static let models = ["all-MiniLM-L6-v2", "all-mpnet-base-v2"]

    /// 256 sentences of about 30 words, the same every run.
    static var sentences: [String] {
        let words =
            ("the a model server local private fast token vector search document query answer river mountain city "
            + "music science history garden kitchen window engine market winter summer library painter teacher").split(separator: " ")
        var state: UInt64 = 42
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        return (0..<256).map { _ in (0..<30).map { _ in String(words[next() % words.count]) }.joined(separator: " ") + "." }
    }

    static func report(chat: DirectRunner, prompt: String, threads: Int) async throws {
        let sentences = Self.sentences
        var rows: [[String]] = []
        let reference = referenceThroughput(sentences: sentences, threads: threads)
        var mpnet: SentenceEncoder?
        for name in models {
            let encoder = try SentenceEncoder(path: "models/embeddings/\(name)", threads: threads)
            let ids = sentences.map(encoder.folder.tokenize)
            _ = try encoder.embed(Array(ids.prefix(32)))
            var best = Double.infinity
            for _ in 0..<3 {
                let started = now()
                for start in stride(from: 0, to: ids.count, by: 32) {
                    _ = try encoder.embed(Array(ids[start..<min(start + 32, ids.count)]), turns: .shared)
                }
                best = min(best, now() - started)
            }
            let rate = Double(sentences.count) / best
            let peer = reference?[name]
            rows.append([
                name, Report.number(rate), peer.map(Report.number) ?? "not installed",
                peer.map { String(format: "%.2fx (target >= 2x)", rate / $0) } ?? "-",
            ])
            if name == "all-mpnet-base-v2" { mpnet = encoder }
        }
        Report.table(
            header: ["embeddings: 256 sentences of ~30 words, batches of 32", "Hearth sent/s", "sentence-transformers sent/s", "ratio"],
            rows: rows
        )

        // A chat stream alone, then with mpnet batches running beside it, taking turns with the
        // decode loop as the server's embedding passes do.
        guard let mpnet else { return }
        let ids = sentences.map(mpnet.folder.tokenize)
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
                + String(format: "drop %.0f%% (target <= 30%%)", (1 - b / a) * 100)
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
