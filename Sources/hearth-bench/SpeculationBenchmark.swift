import Foundation
import LoopbackHTTP
import Synchronization

/// Speculative decoding's figures (issue 15): decode rates of Hearth with speculation off and
/// on, with a predicted output, and of llama.cpp's `llama-server` with its n-gram speculation,
/// side by side in one run, alternating.
///
/// Workloads: (a) edit: a source file in the prompt, one identifier renamed, the reply is the
/// whole file; (b) the same with `prediction` = the original file; (c) free text, a story;
/// (d) four clients of (a) at once (aggregate rate). Every request is greedy, so each column
/// generates the same tokens.
enum SpeculationBenchmark {
    /// A column: a server, and for Hearth whether its requests speculate.
    struct Column: Sendable {
        var name: String
        var client: LoopbackHTTPClient
        var speculative: Bool?
    }

    /// A deterministic Swift file of `lines` lines in which `accountBalance` recurs.
    static func sourceFile(lines: Int) -> String {
        var text: [String] = ["import Foundation", "", "struct Ledger {", "    var accountBalance = 0", "    var flags: Set<String> = []", "}", ""]
        var index = 0
        while text.count < lines {
            text += [
                "func updateRecord\(index)(_ ledger: inout Ledger, amount: Int) -> Int {",
                "    let previous = ledger.accountBalance",
                "    ledger.accountBalance += amount * \(index % 7 + 1)",
                "    if ledger.accountBalance < \(index * 10) {",
                "        ledger.flags.insert(\"low\(index % 3)\")",
                "    }",
                "    return ledger.accountBalance - previous",
                "}",
                "",
            ]
            index += 1
        }
        return text.prefix(lines).joined(separator: "\n")
    }

    static func editMessages(_ file: String) -> [[String: String]] {
        [
            ["role": "system", "content": "You are a code editor. Reply with the complete edited file in one code block, nothing else."],
            ["role": "user", "content": "Rename `accountBalance` to `currentBalance` in this file:\n```swift\n\(file)\n```"],
        ]
    }

    static let storyMessages: [[String: String]] = [
        [
            "role": "user",
            "content":
                "Continue this story for several paragraphs: The lighthouse keeper had not seen a ship in forty days when the fog rolled in and a bell began to ring somewhere out on the water.",
        ]
    ]

    /// One streamed chat (greedy unless `extra` says otherwise): completion tokens per second
    /// from the first content to the end.
    static func decodeRate(_ column: Column, messages: [[String: String]], maxTokens: Int, extra: [String: Any] = [:]) throws -> (
        rate: Double, tokens: Int
    ) {
        var body: [String: Any] = [
            "messages": messages, "max_tokens": maxTokens, "temperature": 0, "stream": true, "stream_options": ["include_usage": true],
        ]
        if let speculative = column.speculative { body["speculative"] = speculative }
        for (key, value) in extra { body[key] = value }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        var first: Double?
        var last = 0.0
        var tokens = 0
        let status = try column.client.stream("/v1/chat/completions", body: text) { event in
            guard event != "[DONE]", let chunk = try? JSONSerialization.jsonObject(with: Data(event.utf8)) as? [String: Any] else { return true }
            let delta = (chunk["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any]
            if let piece = delta?["content"] as? String, !piece.isEmpty {
                last = now()
                if first == nil { first = last }
            }
            if let usage = chunk["usage"] as? [String: Any], let count = usage["completion_tokens"] as? Int { tokens = count }
            return true
        }
        guard status == 200, let first, tokens > 1, last > first else { throw BenchError("\(column.name): the stream failed (status \(status))") }
        return (Double(tokens - 1) / (last - first), tokens)
    }

    /// Four clients of the same request at once: all completion tokens over the wall time.
    static func aggregateRate(_ column: Column, messages: [[String: String]], maxTokens: Int) throws -> Double {
        let started = now()
        let counts = Mutex([0, 0, 0, 0])
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            let tokens = (try? decodeRate(column, messages: messages, maxTokens: maxTokens).tokens) ?? 0
            counts.withLock { $0[index] = tokens }
        }
        let values = counts.withLock { $0 }
        let total = values.reduce(0, +)
        guard values.allSatisfy({ $0 > 0 }) else { throw BenchError("\(column.name): a concurrent stream failed") }
        return Double(total) / (now() - started)
    }

    /// Runs every workload on every column, `runs` rounds (after a warm-up request), alternating
    /// the order of the columns; prints the medians and the targets.
    static func report(columns: [Column], lines: Int, runs: Int) throws {
        let file = sourceFile(lines: lines)
        let edit = editMessages(file)
        // The reply is about as long as the file (7 tokens a line here); prompt and reply fit
        // a 4,096-token context up to about 220 lines.
        let maxTokens = lines * 10
        let prediction: [String: Any] = ["prediction": ["type": "content", "content": "```swift\n\(file)\n```"]]
        var figures: [String: [String: [Double]]] = [:]
        func record(_ workload: String, _ column: String, _ value: Double) {
            figures[workload, default: [:]][column, default: []].append(value)
        }
        for column in columns { _ = try decodeRate(column, messages: storyMessages, maxTokens: 16) }
        for round in 0..<runs {
            let ordered = round.isMultiple(of: 2) ? columns : columns.reversed()
            for column in ordered {
                Report.progress("round \(round + 1) \(column.name): edit")
                let a = try decodeRate(column, messages: edit, maxTokens: maxTokens)
                record("a", column.name, a.rate)
                if column.name == "Hearth" {
                    record("b", column.name, try decodeRate(column, messages: edit, maxTokens: maxTokens, extra: prediction).rate)
                }
                // Sampled, as stories are: greedy, this small model soon repeats itself, which
                // lookup drafts would turn into a copying workload.
                let story: [String: Any] = ["temperature": 0.8, "top_p": 0.95]
                record("c", column.name, try decodeRate(column, messages: storyMessages, maxTokens: 200, extra: story).rate)
                Report.progress("round \(round + 1) \(column.name): 4 clients")
                record("d", column.name, try aggregateRate(column, messages: edit, maxTokens: maxTokens))
                Report.line(
                    "round \(round + 1) \(column.name): edit \(Report.number(a.rate)) tok/s (\(a.tokens) tokens), free text \(Report.number(figures["c"]![column.name]!.last!)), 4 clients \(Report.number(figures["d"]![column.name]!.last!))"
                )
                usleep(300_000)
            }
        }
        func median(_ workload: String, _ column: String) -> Double? { figures[workload]?[column].map { percentile($0, 0.5) } }
        let names = columns.map(\.name)
        let rows: [[String]] = [
            ("a", "(a) edit, tok/s"), ("b", "(b) edit with prediction"), ("c", "(c) free text"), ("d", "(d) 4 clients of (a), aggregate"),
        ]
        .map { key, title in [title] + names.map { name in median(key, name).map(Report.number) ?? "-" } }
        Report.table(header: ["speculation (\(lines)-line file)"] + names, rows: rows)
        let off = "Hearth, no speculation"
        func ratio(_ workload: String, _ column: String, _ base: String) -> String {
            guard let a = median(workload, column), let b = median(workload, base) else { return "-" }
            return String(format: "%.2fx", a / b)
        }
        Report.line("")
        Report.line("(a) Hearth / no speculation: \(ratio("a", "Hearth", off)) (target >= 2x)")
        for peer in names where peer.hasPrefix("llama-server") {
            Report.line("(a) Hearth / \(peer): \(ratio("a", "Hearth", peer)) (target > 1)")
        }
        let predicted = median("b", "Hearth").flatMap { b in median("a", off).map { String(format: "%.2fx", b / $0) } } ?? "-"
        Report.line("(b) Hearth with prediction / (a) without speculation: \(predicted) (target >= 3x)")
        Report.line("(c) Hearth / no speculation: \(ratio("c", "Hearth", off)) (target >= 0.97x)")
        Report.line("(d) Hearth / no speculation: \(ratio("d", "Hearth", off)) (target >= 1.5x)")
    }
}
