import Foundation
import LoopbackHTTP

/// A Responses conversation continued through `previous_response_id`: after a first turn of
/// about 1,500 tokens, 8 short turns, each timed to its first token beside the same short input
/// sent as a new conversation. When the history's KV is reused, a continued turn evaluates only
/// what is new and starts about as fast (target: within 20%).
enum ResponsesBenchmark {
    static func report(server: BenchServer) throws {
        let sentence = "The lighthouse keeper logged the wind, the swell and the colour of the sky every hour of the night. "
        let opening = String(repeating: sentence, count: 75) + "Reply with OK."
        var (_, id) = try turn(server, input: opening, previous: nil)
        var continued: [Double] = []
        var fresh: [Double] = []
        for number in 1...8 {
            let question = "Question \(number): in one word, what did the keeper log first?"
            // Alternate which goes first, so that drift affects both alike.
            if number % 2 == 0 { fresh.append(try turn(server, input: question, previous: nil, store: false).seconds) }
            let next = try turn(server, input: question, previous: id)
            continued.append(next.seconds)
            id = next.id
            if number % 2 == 1 { fresh.append(try turn(server, input: question, previous: nil, store: false).seconds) }
        }
        let (continuedMedian, freshMedian) = (median(continued), median(fresh))
        Report.table(
            header: ["Responses: continued conversation (8 turns after ~1,500 tokens)", "value"],
            rows: [
                ["time to first token, continued turn: ms (median of 8)", Report.number(continuedMedian * 1000)],
                ["time to first token, same input as a new conversation: ms (median of 8)", Report.number(freshMedian * 1000)],
                ["continued / new (target <= 120%)", String(format: "%.0f%%", continuedMedian / freshMedian * 100)],
            ]
        )
    }

    /// One streamed turn: seconds to its first text, and its response id.
    static func turn(_ server: BenchServer, input: String, previous: String?, store: Bool = true) throws -> (seconds: Double, id: String) {
        var body: [String: Any] = ["model": "bench", "input": input, "max_output_tokens": 4, "temperature": 0, "stream": true, "store": store]
        if let previous { body["previous_response_id"] = previous }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let sent = now()
        var first: Double?
        var id = ""
        let status = try server.client.stream("/v1/responses", body: text) { data in
            if id.isEmpty, let range = data.range(of: #""id":"resp_"#) {
                id = String(data[range.upperBound...].prefix { $0 != "\"" })
                id = "resp_" + id
            }
            if first == nil, data.contains("\"response.output_text.delta\"") { first = now() }
            return true
        }
        guard status == 200, !id.isEmpty else { throw BenchError("a Responses turn failed (status \(status))") }
        return ((first ?? now()) - sent, id)
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
}
