import Foundation
import LlamaEngine
import LoopbackHTTP
import OrderedJSON
import StructuredOutput

/// Decode speed with a typical `json_schema` against the same chat unconstrained, and the time
/// to build that schema's grammar (Hearth's converter, then llama.cpp's parser).
enum StructuredBenchmark {
    /// An object of 6 fields with an array and an enum, as an app asks for.
    static let schema = """
        {"type": "object", "properties": {
          "title": {"type": "string"}, "year": {"type": "integer", "minimum": 1900, "maximum": 2100},
          "rating": {"type": "number"}, "genres": {"type": "array", "items": {"type": "string"}, "maxItems": 4},
          "status": {"enum": ["draft", "published", "archived"]}, "available": {"type": "boolean"}},
         "required": ["title", "year", "rating", "genres", "status", "available"], "additionalProperties": false}
        """

    static let messages: [[String: String]] = [
        ["role": "system", "content": "You answer with one JSON object and nothing else."],
        [
            "role": "user",
            "content":
                "Give a JSON record of the film Alien (1979) with the fields title, year, rating (out of 10), genres (a list), status (published) and available (true).",
        ],
    ]

    /// Median milliseconds to turn the schema into a grammar and have llama.cpp parse it.
    static func compileMilliseconds(model: LlamaModel, runs: Int = 50) throws -> (convert: Double, parse: Double) {
        let value = try JSON(parsing: schema)
        var convert: [Double] = []
        var parse: [Double] = []
        for _ in 0..<runs {
            let start = now()
            let grammar = try JSONSchemaGrammar.grammar(for: value)
            let converted = now()
            try model.validateGrammar(grammar)
            convert.append((converted - start) * 1000)
            parse.append((now() - converted) * 1000)
        }
        return (percentile(convert, 0.5), percentile(parse, 0.5))
    }

    /// One streamed chat, with or without the schema: completion tokens per second after the
    /// first token.
    static func decodeRate(client: LoopbackHTTPClient, constrained: Bool, maxTokens: Int = 120) throws -> Double {
        var body: [String: Any] = [
            "messages": messages, "max_tokens": maxTokens, "temperature": 0, "stream": true, "stream_options": ["include_usage": true],
        ]
        if constrained {
            let parsed = try JSONSerialization.jsonObject(with: Data(schema.utf8))
            body["response_format"] = ["type": "json_schema", "json_schema": ["name": "film", "schema": parsed, "strict": true]]
        }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        var first: Double?
        var last = 0.0
        var tokens = 0
        let status = try client.stream("/v1/chat/completions", body: text) { event in
            guard event != "[DONE]", let chunk = try? JSONSerialization.jsonObject(with: Data(event.utf8)) as? [String: Any] else { return true }
            let delta = (chunk["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any]
            if let piece = delta?["content"] as? String, !piece.isEmpty {
                last = now()
                if first == nil { first = last }
            }
            if let usage = chunk["usage"] as? [String: Int] { tokens = usage["completion_tokens"] ?? tokens }
            return true
        }
        guard status == 200, let first, tokens > 1, last > first else { throw BenchError("the structured-output stream failed (status \(status))") }
        return Double(tokens - 1) / (last - first)
    }

    /// The row: medians of `runs` alternating pairs (after a warm-up pair).
    static func report(client: LoopbackHTTPClient, model: LlamaModel, runs: Int) throws {
        let compile = try compileMilliseconds(model: model)
        var free: [Double] = []
        var constrained: [Double] = []
        for run in 0...runs {
            let pair: (Double, Double)
            if run.isMultiple(of: 2) {
                let a = try decodeRate(client: client, constrained: false)
                usleep(300_000)
                pair = (a, try decodeRate(client: client, constrained: true))
            } else {
                let b = try decodeRate(client: client, constrained: true)
                usleep(300_000)
                pair = (try decodeRate(client: client, constrained: false), b)
            }
            usleep(300_000)
            guard run > 0 else { continue }
            free.append(pair.0)
            constrained.append(pair.1)
            Report.line("structured run \(run): decode \(Report.number(pair.0)) free, \(Report.number(pair.1)) with json_schema")
        }
        let ratio = percentile(constrained, 0.5) / percentile(free, 0.5)
        Report.table(
            header: ["structured output (6-field json_schema)", "value"],
            rows: [
                ["decode tok/s unconstrained", Report.number(percentile(free, 0.5))],
                ["decode tok/s with json_schema", Report.number(percentile(constrained, 0.5))],
                ["constrained / unconstrained (target >= 90%)", String(format: "%.1f%%", ratio * 100)],
                ["grammar build ms: convert + llama.cpp parse (target < 5)", String(format: "%.2f + %.2f", compile.convert, compile.parse)],
            ]
        )
    }
}
