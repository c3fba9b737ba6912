import OpenAIAPI
import OrderedJSON
import Testing

@Suite struct SchemaRecorderTests {
    @Test func chatRequestFieldsAreRecordedFromItsDecoder() throws {
        let schema = try SchemaRecorder.schema(of: ChatCompletionRequest.self)
        let properties = try #require(schema["properties"])
        // Required because the decoder reads it with `decode`.
        #expect(schema["required"] == ["messages"])
        let message = try #require(properties["messages"]?["items"])
        #expect(message["required"] == ["role"])
        #expect(message["properties"]?["content"]?["anyOf"] != nil)
        // Fields from every part of the decoding: the request, text-generation-webui's prompt
        // fields, generation options, the sampler table, structured output.
        for name in [
            "model", "max_tokens", "max_completion_tokens", "stream_options", "mode", "name1", "chat_template_kwargs", "seed", "stop", "top_p",
            "response_format", "guided_json", "tools",
        ] {
            #expect(properties[name] != nil, "\(name)")
        }
        #expect(properties["top_p"]?["maximum"] == .double(1))
        #expect(properties["stream_options"]?["properties"]?["include_usage"] == ["type": "boolean"])
        #expect(properties["logit_bias"]?["additionalProperties"] == ["type": "number"])
        #expect(properties["stop"]?["anyOf"] == [["type": "string"], ["type": "array", "items": ["type": "string"]]])
    }

    @Test func completionPromptIsRequired() throws {
        let schema = try SchemaRecorder.schema(of: CompletionRequest.self)
        #expect(schema["required"] == ["prompt"])
        #expect(try SchemaRecorder.schema(of: LogitsRequest.self)["required"] == ["prompt"])
        #expect(
            try SchemaRecorder.schema(of: TokensRequest.self) == [
                "type": "object", "properties": ["tokens": ["type": "array", "items": ["type": "integer"]]], "required": ["tokens"],
            ]
        )
    }
}

@Suite struct SchemaInferenceTests {
    @Test func membersMissingOrNullInSomeExamplesAreOptionalOrNullable() {
        let schema = SchemaInference.schema(of: [["a": 1, "b": "x", "c": 0.5], ["a": 2, "b": .null]])
        #expect(schema["required"] == ["a", "b"])
        #expect(schema["properties"]?["b"] == ["type": ["string", "null"]])
        #expect(schema["properties"]?["c"] == ["type": "number"])
        #expect(schema["properties"]?["a"] == ["type": "integer"])
    }

    @Test func objectsKeyedByTokenTextAreMaps() {
        let schema = SchemaInference.schema(of: [["Hello": -0.5, " world": -1.25]])
        #expect(schema == ["type": "object", "additionalProperties": ["type": "number"]])
    }
}
