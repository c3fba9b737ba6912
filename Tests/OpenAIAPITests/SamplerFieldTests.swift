import Foundation
import Testing

@testable import OpenAIAPI

@Suite struct SamplerFieldTests {
    private func decode(_ json: String) throws -> GenerationOptions {
        try RequestDecoder().decode(CompletionRequest.self, from: Data(json.utf8)).options
    }

    private func error(_ json: String) -> OpenAIError? {
        do {
            _ = try decode(json)
            return nil
        } catch { return error as? OpenAIError }
    }

    /// A value inside the field's range that is not its default, as JSON.
    static func sample(_ field: SamplerField) -> (json: String, value: SamplerValue) {
        switch field.kind {
        case .number(let range):
            let value = range.lowerBound + (range.upperBound - range.lowerBound) / 4
            return ("\(value)", .number(value))
        case .integer(let range):
            let value = range.lowerBound + 2
            return ("\(value)", .integer(value))
        case .flag: return ("true", .flag(true))
        case .breakers: return (#""\"a\", \"b\"""#, .list(["a", "b"]))
        case .stages: return (#"["top_k", "temperature"]"#, .list(["top_k", "temperature"]))
        }
    }

    @Test(arguments: SamplerField.allCases)
    func everyFieldDecodesFromItsWireName(field: SamplerField) throws {
        let (json, value) = Self.sample(field)
        let options = try decode(#"{"prompt": "x", "\#(field.wireName)": \#(json)}"#)
        #expect(options.sampling[field] == value)
        #expect(options.sampling.values.count == 1)
        #expect(value != field.defaultValue)
    }

    @Test(arguments: SamplerField.allCases)
    func extremeNumbersAre400sNamingTheField(field: SamplerField) {
        let extremes: [String]
        switch field.kind {
        case .number: extremes = ["9223372036854775807", "-9223372036854775808", "1e308", "-1e308"]
        case .integer: extremes = ["9223372036854775807", "-9223372036854775808", "1e308", "-1e308", "1.5"]
        case .flag, .breakers, .stages: extremes = ["12"]
        }
        for extreme in extremes {
            #expect(error(#"{"prompt": "x", "\#(field.wireName)": \#(extreme)}"#)?.param == field.wireName, "\(extreme)")
        }
    }

    @Test func wholeNumbersAreIntegersAndNullIsAbsent() throws {
        #expect(try decode(#"{"prompt": "x", "top_k": 40.0}"#).sampling[.topK] == .integer(40))
        #expect(try decode(#"{"prompt": "x", "top_k": null}"#).sampling[.topK] == nil)
        #expect(error(#"{"prompt": "x", "top_k": "40"}"#)?.param == "top_k")
    }

    @Test func samplerPriorityTakesAListOrAStringAndRefusesUnknownNames() throws {
        #expect(
            try decode(#"{"prompt": "x", "sampler_priority": "top_k\ntemperature, min_p"}"#).sampling[.samplerPriority]
                == .list(["top_k", "temperature", "min_p"])
        )
        #expect(error(#"{"prompt": "x", "sampler_priority": ["top_kk"]}"#)?.param == "sampler_priority")
    }

    @Test func laterLayersFillOnlyWhatEarlierOnesLeaveOut() throws {
        var request = SamplerSettings()
        try request.set(.temperature, .number(0.5))
        var preset = SamplerSettings()
        try preset.set(.temperature, .number(1.5))
        try preset.set(.topK, .integer(20))
        let merged = request.over(preset)
        #expect(merged[.temperature] == .number(0.5))
        #expect(merged[.topK] == .integer(20))
    }

    @Test func textValuesParseAsFlagsAndPresetsWriteThem() throws {
        #expect(try SamplerField.topP.parse("0.9") == .number(0.9))
        #expect(try SamplerField.banEOSToken.parse("true") == .flag(true))
        #expect(try SamplerField.drySequenceBreakers.parse(#""\n", ":""#) == .list(["\n", ":"]))
        #expect(throws: OpenAIError.self) { try SamplerField.topK.parse("many") }
    }

    /// docs/api.md lists the sampler fields exactly as the table has them.
    @Test func theAPIPageListsTheTable() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let page = try String(contentsOf: root.appendingPathComponent("docs/api.md"), encoding: .utf8)
        let table = SamplerField.documentationTable
        if !page.contains(table) {
            // The table to paste into the page, where a failure can be read whole.
            try table.write(to: root.appendingPathComponent(".build/sampler-fields.md"), atomically: true, encoding: .utf8)
        }
        #expect(page.contains(table), "docs/api.md must contain the table written to .build/sampler-fields.md")
    }
}
