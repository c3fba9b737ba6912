import Foundation
import OpenAIAPI
import OrderedJSON
import Testing

/// `/v1/embeddings` bodies as OpenAI's clients send them, and the refusals naming the field.
@Suite struct EmbeddingRequestTests {
    private func read(_ text: String) throws -> EmbeddingRequest { try EmbeddingRequest.read(try JSON(parsing: text)) }

    @Test func everyInputShape() throws {
        #expect(try read(#"{"input": "hi"}"#).input == .texts(["hi"]))
        #expect(try read(#"{"input": ["a", "b"], "model": "m"}"#) == EmbeddingRequest(input: .texts(["a", "b"]), model: "m"))
        #expect(try read(#"{"input": [1, 2, 3]}"#).input == .tokens([[1, 2, 3]]))
        #expect(
            try read(#"{"input": [[1], [2, 3]], "encoding_format": "base64"}"#) == EmbeddingRequest(input: .tokens([[1], [2, 3]]), base64: true)
        )
        #expect(try read(#"{"input": "x", "dimensions": 256, "user": "u"}"#).dimensions == 256)
    }

    @Test(arguments: [
        (#"{}"#, "input"), (#"{"input": ""}"#, "input"), (#"{"input": []}"#, "input"), (#"{"input": ["a", ""]}"#, "input[1]"),
        (#"{"input": ["a", 1]}"#, "input[1]"), (#"{"input": [[1], []]}"#, "input[1]"), (#"{"input": [[1], [-2]]}"#, "input[1][0]"),
        (#"{"input": [1, "a"]}"#, "input[1]"), (#"{"input": {"a": 1}}"#, "input"), (#"{"input": "a", "encoding_format": "int8"}"#, "encoding_format"),
        (#"{"input": "a", "model": 5}"#, "model"), (#"{"input": [true]}"#, "input[0]"),
    ])
    func refusalsNameTheField(body: String, param: String) throws {
        let error = #expect(throws: OpenAIError.self) { try read(body) }
        #expect(error?.param == param && error?.status == 400, "\(body)")
    }

    @Test func tooManyInputs() throws {
        let body = "{\"input\": [" + Array(repeating: "\"a\"", count: 2049).joined(separator: ",") + "]}"
        let error = #expect(throws: OpenAIError.self) { try read(body) }
        #expect(error?.param == "input")
    }

    @Test func base64IsLittleEndianFloat32() throws {
        let text = EmbeddingResponse.base64([1, -0.5])
        let bytes = try #require(Data(base64Encoded: text))
        #expect(Array(bytes) == [0, 0, 0x80, 0x3F, 0, 0, 0, 0xBF])
        #expect(EmbeddingResponse.floats([0.1]).serialized == "[0.1]")
    }

    @Test func moderationScoresAreTwiceTheCosine() {
        let result = Moderation.result(input: [1, 0], categories: Moderation.categories.indices.map { $0 == 0 ? [0.2, 0.95] : [0, 1] })
        #expect(result["flagged"] == false)
        #expect(result["category_scores"]?["sexual"] == .double(2 * Double(Float(0.2))))
        let flagged = Moderation.result(input: [1, 0], categories: Moderation.categories.indices.map { $0 == 10 ? [1, 0] : [0, 1] })
        #expect(flagged["flagged"] == true && flagged["categories"]?["violence"] == true)
    }
}
