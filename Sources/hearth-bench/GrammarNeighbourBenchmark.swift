import Foundation
import LoopbackHTTP

/// What a costly grammar costs the streams beside it: a stream's decode rate while another
/// request generates freely, with a 5,000-value `enum` (a trie-shaped grammar), and with the
/// same 5,000 words as one flat GBNF alternation (the costliest shape: every word checked at
/// every token). The sampling share keeps each ratio at or above 1 / 1.2.
enum GrammarNeighbourBenchmark {
    static let words: [String] = {
        var generator = SystemRandomNumberGenerator()
        var words = Set<String>()
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        while words.count < 5_000 {
            words.insert(String((0..<Int.random(in: 4...12, using: &generator)).map { _ in letters.randomElement(using: &generator)! }))
        }
        return words.sorted()
    }()

    enum Neighbour: String, CaseIterable {
        case free = "a free request"
        case trieEnum = "a 5,000-value enum"
        case flatGrammar = "a flat 5,000-word GBNF"

        var body: [String: Any] {
            var body: [String: Any] = ["prompt": "Words:", "max_tokens": 400, "temperature": 0, "ignore_eos": true]
            switch self {
            case .free: break
            case .trieEnum: body["json_schema"] = ["type": "array", "items": ["enum": GrammarNeighbourBenchmark.words], "minItems": 200]
            case .flatGrammar:
                // Few tokens: the share keeps its own decode slow while others stream.
                body["max_tokens"] = 80
                body["grammar_string"] =
                    "root ::= word (\" \" word)*\nword ::= " + GrammarNeighbourBenchmark.words.map { "\"\($0)\"" }.joined(separator: " | ") + "\n"
            }
            return body
        }
    }

    /// Tokens per second of a 60-token stream that starts 1.5 s after the neighbour.
    static func streamRate(client: LoopbackHTTPClient, beside neighbour: Neighbour) throws -> Double {
        let neighbourBody = String(decoding: try JSONSerialization.data(withJSONObject: neighbour.body), as: UTF8.self)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? client.request("POST", "/v1/completions", body: neighbourBody, headers: ["Content-Type": "application/json"])
            done.signal()
        }
        defer { done.wait() }
        usleep(1_500_000)
        let body: [String: Any] = ["prompt": "Count: 1, 2, 3,", "max_tokens": 60, "temperature": 0, "ignore_eos": true, "stream": true]
        var first: Double?
        var last = 0.0
        var tokens = 0
        let status = try client.stream("/v1/completions", body: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)) {
            event in
            guard event != "[DONE]" else { return true }
            last = now()
            if first == nil { first = last }
            tokens += 1
            return true
        }
        guard status == 200, let first, tokens > 1, last > first else { throw BenchError("the neighbour stream failed (status \(status))") }
        return Double(tokens - 1) / (last - first)
    }

    /// The row: medians of `runs` rounds, each measuring the three neighbours in turn.
    static func report(client: LoopbackHTTPClient, runs: Int) throws {
        var rates: [Neighbour: [Double]] = [:]
        for run in 1...max(1, runs) {
            for neighbour in Neighbour.allCases {
                let rate = try streamRate(client: client, beside: neighbour)
                rates[neighbour, default: []].append(rate)
                Report.line("grammar neighbour run \(run): \(Report.number(rate)) tok/s beside \(neighbour.rawValue)")
            }
        }
        let free = percentile(rates[.free] ?? [], 0.5)
        Report.table(
            header: ["a stream beside a costly grammar", "value"],
            rows: [["decode tok/s beside a free request", Report.number(free)]]
                + [Neighbour.trieEnum, .flatGrammar].map { neighbour in
                    let rate = percentile(rates[neighbour] ?? [], 0.5)
                    return [
                        "beside \(neighbour.rawValue) (target >= 80% of free)",
                        "\(Report.number(rate)) (\(String(format: "%.0f%%", rate / free * 100)))",
                    ]
                }
        )
    }
}
