import Foundation
import LoopbackHTTP
import Synchronization

/// Workloads that need many clients at once, run against any OpenAI-compatible server on
/// 127.0.0.1. Each client is a thread with its own connection; requests are greedy streamed
/// completions whose prompts ask the model to count, so that no server stops early.
struct LoadRunner {
    let client: LoopbackHTTPClient

    /// What one streamed request saw.
    struct Trace: Sendable {
        var sent = 0.0
        var tokenTimes: [Double] = []
        var ttft: Double? { tokenTimes.first.map { $0 - sent } }
        var gaps: [Double] { zip(tokenTimes.dropFirst(), tokenTimes).map { $0 - $1 } }
    }

    struct ConcurrencyFigures {
        var aggregateTokensPerSecond: Double
        var ttftP50: Double
        var ttftP95: Double
        var interTokenP50: Double
    }

    /// A prompt of about `tokens` tokens that starts with `tag` (so that prompts with different
    /// tags share no prefix) and ends by asking for a long count.
    static func countingPrompt(tag: String, tokens: Int) -> String {
        let filler = String(repeating: "Numbers are written with digits and separated by commas. ", count: max(0, tokens - 20) / 10)
        return "[\(tag)] \(filler)\nCount from 1 to 500: 1, 2, 3,"
    }

    /// Streams one completion and records when each non-empty text chunk arrived.
    func stream(prompt: String, newTokens: Int) throws -> Trace {
        let body: [String: Any] = ["prompt": prompt, "max_tokens": newTokens, "temperature": 0, "stream": true]
        let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        var trace = Trace()
        trace.sent = now()
        let status = try client.stream("/v1/completions", body: text) { event in
            guard event != "[DONE]", let chunk = try? JSONSerialization.jsonObject(with: Data(event.utf8)) as? [String: Any] else {
                return true
            }
            if let piece = (chunk["choices"] as? [[String: Any]])?.first?["text"] as? String, !piece.isEmpty {
                trace.tokenTimes.append(now())
            }
            return true
        }
        guard status == 200, !trace.tokenTimes.isEmpty else { throw BenchError("a streamed request failed (status \(status))") }
        return trace
    }

    /// `clients` threads each send `requestsEach` requests one after another.
    func concurrency(clients: Int, requestsEach: Int, promptTokens: Int, newTokens: Int) throws -> ConcurrencyFigures {
        let traces = Mutex<[Trace]>([])
        let failures = Mutex<[String]>([])
        let start = now()
        runThreads(clients) { clientIndex in
            for request in 0..<requestsEach {
                do {
                    let prompt = Self.countingPrompt(
                        tag: "c\(clients)-\(clientIndex)-\(request)-\(UUID().uuidString.prefix(6))",
                        tokens: promptTokens
                    )
                    let trace = try stream(prompt: prompt, newTokens: newTokens)
                    traces.withLock { $0.append(trace) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        let elapsed = now() - start
        if let failure = failures.withLock({ $0.first }) { throw BenchError(failure) }
        let all = traces.withLock { $0 }
        let tokens = all.reduce(0) { $0 + $1.tokenTimes.count }
        return ConcurrencyFigures(
            aggregateTokensPerSecond: Double(tokens) / elapsed,
            ttftP50: percentile(all.compactMap(\.ttft), 0.5) * 1000,
            ttftP95: percentile(all.compactMap(\.ttft), 0.95) * 1000,
            interTokenP50: percentile(all.flatMap(\.gaps), 0.5) * 1000
        )
    }

    /// Median and longest TTFT (ms) when `clients` prompts of about `promptTokens` tokens, none
    /// sharing a prefix, arrive together: how a server orders prompt evaluation. Evaluating them
    /// all in one batch makes every client wait for all of them; finishing them one after
    /// another answers the first after its own evaluation.
    func simultaneousPrompts(clients: Int, promptTokens: Int, newTokens: Int) throws -> (median: Double, maximum: Double) {
        let traces = try streamsAtOnce(clients: clients, newTokens: newTokens) { index in
            Self.countingPrompt(tag: "together-\(index)-\(UUID().uuidString.prefix(8))", tokens: promptTokens)
        }
        let all = traces.compactMap(\.ttft).sorted()
        let median = all.count.isMultiple(of: 2) ? (all[all.count / 2 - 1] + all[all.count / 2]) / 2 : all[all.count / 2]
        return (median * 1000, (all.last ?? 0) * 1000)
    }

    /// Mean TTFT (ms) of `requests` questions behind one shared system prompt of about
    /// `prefixTokens` tokens, sent one at a time after a warm-up request with that prefix;
    /// and of `coldRequests` requests whose prefixes are all new.
    func sharedPrefix(prefixTokens: Int, requests: Int, coldRequests: Int) throws -> (cached: Double, cold: Double) {
        func prompt(_ prefix: String, _ question: Int) -> String {
            Self.countingPrompt(tag: prefix, tokens: prefixTokens) + "\nQuestion \(question): what comes after 7?"
        }
        let shared = "system-\(UUID().uuidString.prefix(8))"
        _ = try stream(prompt: prompt(shared, 0), newTokens: 4)
        var cached: [Double] = []
        for question in 1...requests { cached.append(try stream(prompt: prompt(shared, question), newTokens: 4).ttft ?? 0) }
        var cold: [Double] = []
        for question in 1...coldRequests {
            cold.append(try stream(prompt: prompt("cold-\(UUID().uuidString.prefix(8))", question), newTokens: 4).ttft ?? 0)
        }
        return (cached.reduce(0, +) / Double(cached.count) * 1000, cold.reduce(0, +) / Double(cold.count) * 1000)
    }

    /// Aggregate decode tokens per second of `clients` streams whose prompts of about
    /// `promptTokens` tokens (none sharing a prefix) were sent at once: tokens that arrived
    /// while every stream was decoding, over that window. This is where the KV cache is deep
    /// for every sequence of a batch, so attention's cost per cached token shows.
    func deepDecode(clients: Int, promptTokens: Int, newTokens: Int) throws -> Double {
        let all = try streamsAtOnce(clients: clients, newTokens: newTokens) { index in
            Self.countingPrompt(tag: "deep-\(index)-\(UUID().uuidString.prefix(8))", tokens: promptTokens)
        }
        let start = all.compactMap(\.tokenTimes.first).max() ?? 0
        let end = all.compactMap(\.tokenTimes.last).min() ?? 0
        guard end - start > 0.5 else { throw BenchError("the streams did not decode together; raise the new tokens") }
        let tokens = all.reduce(0) { $0 + $1.tokenTimes.filter { $0 > start && $0 <= end }.count }
        return Double(tokens) / (end - start)
    }

    /// `GET /v1/models` responses per second with `connections` clients for `seconds`.
    func modelsRate(connections: Int, seconds: Double) -> Double {
        let count = Atomic<Int>(0)
        let deadline = now() + seconds
        let start = now()
        runThreads(connections) { _ in
            while now() < deadline {
                if let response = try? client.request("GET", "/v1/models"), response.status == 200 {
                    count.add(1, ordering: .relaxed)
                }
            }
        }
        return Double(count.load(ordering: .relaxed)) / (now() - start)
    }

    /// One streamed request per client, all sent at once; the first failure is thrown.
    private func streamsAtOnce(clients: Int, newTokens: Int, prompt: @escaping @Sendable (Int) -> String) throws -> [Trace] {
        let traces = Mutex<[Trace]>([])
        let failures = Mutex<[String]>([])
        runThreads(clients) { index in
            do {
                let trace = try stream(prompt: prompt(index), newTokens: newTokens)
                traces.withLock { $0.append(trace) }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        if let failure = failures.withLock({ $0.first }) { throw BenchError(failure) }
        return traces.withLock { $0 }
    }

    private func runThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread {
                body(index)
                group.leave()
            }.start()
        }
        group.wait()
    }
}

func percentile(_ values: [Double], _ fraction: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
}
