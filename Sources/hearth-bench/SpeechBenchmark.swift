import Foundation
import LoopbackHTTP

/// Speech synthesis (issue 27): how many characters a second `/v1/audio/speech` speaks with
/// each kind of voice, how much audio that is, and how soon the first audio arrives (streamed
/// as server-sent events, so the first event is the first audio).
enum SpeechBenchmark {
    /// About 1,000 characters of ordinary prose.
    static let text = Array(
        repeating: "The committee met on Tuesday to review the budget, and after a long discussion it agreed to fund the library, "
            + "repair the old bridge near the river, and hire two more teachers for the autumn term.",
        count: 5
    ).joined(separator: " ")

    static func report(client: LoopbackHTTPClient, runs: Int) throws {
        var rows: [[String]] = []
        for (voice, kind) in [("alloy", "slt, unit selection"), ("kal16", "kal16, diphone")] {
            var seconds: [Double] = []
            var firstAudio: [Double] = []
            var audioSeconds = 0.0
            for _ in 0..<max(runs, 3) {
                let body = #"{"model": "tts-1", "voice": "\#(voice)", "response_format": "pcm", "input": "\#(text)"}"#
                let started = now()
                let response = try client.request("POST", "/v1/audio/speech", body: body, headers: ["Content-Type": "application/json"])
                guard response.status == 200 else { throw BenchError("speech failed: \(response.status)") }
                seconds.append(now() - started)
                audioSeconds = Double(response.bytes.count / 2) / 24_000
                var first: Double?
                let sse = #"{"model": "tts-1", "voice": "\#(voice)", "stream_format": "sse", "input": "\#(text)"}"#
                let opened = now()
                try client.stream("/v1/audio/speech", body: sse) { _ in
                    first = first ?? now() - opened
                    return false
                }
                if let first { firstAudio.append(first) }
            }
            let median = percentile(seconds, 0.5)
            rows.append([
                "\(voice) (\(kind))", Report.number(Double(text.count) / median), String(format: "%.0fx", audioSeconds / median),
                String(format: "%.0f ms", percentile(firstAudio, 0.5) * 1000),
            ])
        }
        Report.table(
            header: ["speech: \(text.count) characters, pcm", "characters/s", "audio seconds per second", "first audio (sse)"],
            rows: rows
        )
    }
}
