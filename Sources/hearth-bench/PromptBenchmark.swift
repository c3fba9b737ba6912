import Foundation
import Jinja
import Prompting

/// What building a chat prompt costs a request: a 20-turn chat through the model's own
/// template (parsed once, at load, as the server does), a named instruction template and chat
/// mode with a character.
enum PromptBenchmark {
    static func report(modelTemplate: String?, modelName: String, renders: Int = 500) throws {
        let builder = try ChatPromptBuilder(
            modelTemplate: modelTemplate,
            modelName: modelName,
            bosToken: "<s>",
            eosToken: "</s>",
            library: PromptLibrary()
        )
        let turns = (0..<20).map { index in
            let role = index.isMultiple(of: 2) ? "user" : "assistant"
            let text = String(repeating: "Turn \(index) says something of moderate length. ", count: 6)
            return #"{"role": "\#(role)", "content": "\#(text)"}"#
        }
        guard
            case .array(let messages) = try Value(
                jsonText: #"[{"role": "system", "content": "You are helpful."}, \#(turns.joined(separator: ", "))]"#
            )
        else { return }
        let plain = PromptRequest(messages: messages)
        var alpaca = plain
        alpaca.instructionTemplate = "Alpaca"
        var chat = plain
        chat.mode = .chat
        chat.character = "Example"
        let cases = [("model's own template", plain), ("instruction_template Alpaca", alpaca), ("chat mode, character Example", chat)]
        var rows: [[String]] = []
        for (label, request) in cases {
            _ = try builder.build(request)
            let clock = ContinuousClock()
            var samples: [Double] = []
            for _ in 0..<renders {
                let elapsed = try clock.measure { _ = try builder.build(request) }
                samples.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
            }
            samples.sort()
            rows.append([label, String(format: "%.0f", samples[samples.count / 2]), String(format: "%.0f", samples[samples.count * 99 / 100])])
        }
        Report.table(header: ["20-turn chat prompt", "median µs", "p99 µs"], rows: rows)
        Report.line("")
    }
}
