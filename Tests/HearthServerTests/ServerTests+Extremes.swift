import Foundation
import LoopbackHTTP
import OpenAIAPI
import Testing

/// Numeric fields at their extremes, per endpoint.
enum Extremes {
    static let values = ["9223372036854775807", "-9223372036854775808", "1e308", "-1", "0"]

    /// Each endpoint's numeric fields, and a body to put them in. A grammar bounds every
    /// generation that is accepted to a couple of tokens, whatever `max_tokens` says.
    static var endpoints: [(path: String, base: String, fields: [String])] {
        let samplers = SamplerField.allCases.filter {
            switch $0.kind {
            case .number, .integer: true
            default: false
            }
        }.map(\.wireName)
        let bounded = #""grammar_string": "root ::= \"ok\"""#
        return [
            (
                "/v1/completions", #"{"prompt": "x", "max_tokens": 3, \#(bounded)"#,
                ["max_tokens", "n", "logprobs", "seed", "logit_bias.11"] + samplers
            ),
            (
                "/v1/chat/completions",
                #"{"messages": [{"role": "user", "content": "x"}], "max_tokens": 3, \#(bounded)"#,
                ["max_tokens", "max_completion_tokens", "n", "top_logprobs", "seed", "logit_bias.11"] + samplers
            ),
            ("/v1/internal/logits", #"{"prompt": "x""#, ["top_logits", "seed"] + samplers),
            ("/v1/internal/decode", #"{"#, ["tokens.0"]),
        ]
    }

    /// Sends every field of `endpoints` at every extreme: each answer must be a 200 or a 400
    /// naming the field.
    static func check(_ client: TestHTTPClient, _ endpoints: [(path: String, base: String, fields: [String])]) async throws {
        for (path, base, fields) in endpoints {
            for field in fields {
                for extreme in values {
                    let member: String
                    if field.hasSuffix(".11") {
                        member = #""\#(field.dropLast(3))": {"11": \#(extreme)}"#
                    } else if field.hasSuffix(".0") {
                        member = #""\#(field.dropLast(2))": [\#(extreme)]"#
                    } else {
                        member = #""\#(field)": \#(extreme)"#
                    }
                    // A field the base already sets is replaced: a repeated key is itself a 400.
                    let existing = #""\#(field)": 3"#
                    var body =
                        base.contains(existing)
                        ? base.replacingOccurrences(of: existing, with: member) : base + (base.hasSuffix("{") ? "" : ", ") + member
                    if field == "top_logprobs" { body += #", "logprobs": true"# }
                    body += "}"
                    let response = try await client.request("POST", path, body: body)
                    let param = try response.error()?["param"] as? String
                    let expected = field.replacingOccurrences(of: ".11", with: "").replacingOccurrences(of: ".0", with: "[0]")
                    #expect(
                        response.status == 200 || (response.status == 400 && param == expected),
                        "\(path) \(field)=\(extreme): \(response.status) \(param ?? "-")"
                    )
                }
            }
        }
    }
}

extension ScriptedServerTests {
    /// Every numeric field of every endpoint at its extremes, over real HTTP: a 200 or a 400
    /// naming the field, and the server still serves afterwards.
    @Test func numericFieldsAtTheirExtremesAre200sOr400sNamingThem() async throws {
        try await Extremes.check(client(), Extremes.endpoints)
        try await expectServerStillAnswers()
    }
}

extension ServerTests {
    /// The same against the real model: what passes validation reaches llama.cpp's samplers and
    /// must not trap there. The sampler fields are shared by every generating endpoint, so one
    /// endpoint covers them.
    @Test func numericFieldsAtTheirExtremesNeverHarmTheRealEngine() async throws {
        try await Extremes.check(client(), Array(Extremes.endpoints.prefix(1)))
        try await expectServerStillAnswers()
    }
}
