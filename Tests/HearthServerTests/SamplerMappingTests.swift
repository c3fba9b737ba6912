import Foundation
import LlamaEngine
import OpenAIAPI
import Testing

@testable import HearthServer

/// The sampler table reaches the engine: every field, from JSON to `SamplingParameters`, with no
/// model involved.
@Suite struct SamplerMappingTests {
    private func parameters(_ json: String) throws -> SamplingParameters {
        let body = try RequestDecoder().decode(CompletionRequest.self, from: Data(json.utf8))
        return SamplingParameters(body.options, defaults: SamplingParameters())
    }

    /// A value inside the field's range that is not its default, as JSON.
    private static func sample(_ field: SamplerField) -> String {
        switch field.kind {
        case .number(let range): "\(range.lowerBound + (range.upperBound - range.lowerBound) / 4)"
        case .integer(let range): "\(range.lowerBound + 2)"
        case .flag: "true"
        case .breakers: #""\"a\", \"b\"""#
        case .stages: #"["top_k", "temperature"]"#
        }
    }

    /// A field that is decoded but does not change the engine's parameters would be a sampler
    /// silently switched off. Only `max_tokens_second` is not the sampler's: it paces the stream.
    @Test(arguments: SamplerField.allCases.filter { $0 != .maxTokensSecond })
    func everyFieldChangesTheEngineParameters(field: SamplerField) throws {
        let changed = try parameters(#"{"prompt": "x", "\#(field.wireName)": \#(Self.sample(field))}"#)
        #expect(changed != SamplingParameters(), "\(field.wireName) does not reach the engine")
    }

    /// The table's defaults are the engine's defaults.
    @Test func theTableDefaultsAreTheEngineDefaults() throws {
        var settings = SamplerSettings()
        for field in SamplerField.allCases { try settings.set(field, field.defaultValue) }
        #expect(SamplingParameters(settings, over: SamplingParameters()) == SamplingParameters())
    }

    @Test func fieldsMapToTheirParameters() throws {
        let mapped = try parameters(
            #"{"prompt": "x", "temperature": 0.3, "top_k": 7, "repetition_penalty_range": -1, "dry_allowed_length": 3, "mirostat_mode": 2, "temperature_last": true, "sampler_priority": ["temperature", "top_k"], "seed": -5, "logit_bias": {"11": -100}}"#
        )
        #expect(mapped.temperature == 0.3)
        #expect(mapped.topK == 7)
        #expect(mapped.penaltyLastN == -1)
        #expect(mapped.dryAllowedLength == 3)
        #expect(mapped.mirostatMode == 2)
        #expect(mapped.stageOrder == [.topK, .temperature])
        #expect(mapped.seed == nil)
        #expect(mapped.logitBias[11] == -.infinity)
    }
}
