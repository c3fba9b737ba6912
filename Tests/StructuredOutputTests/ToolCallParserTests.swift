import Foundation
import OrderedJSON
import StructuredOutput
import Testing

/// Each family's parser against replies written in its format: whole, and streamed in every
/// way of cutting (character by character, and in pieces of 2 to 7), which must give the same
/// calls and content, with no markup in the content at any point.
@Suite struct ToolCallParserTests {
    static let tools = [
        ToolDeclaration(
            name: "get_weather",
            parameters: try! JSON(parsing: #"{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}}}"#)
        ),
        ToolDeclaration(name: "search", parameters: try! JSON(parsing: #"{"type":"object","properties":{"query":{"type":"string"}}}"#)),
    ]

    struct Case: Sendable, CustomTestStringConvertible {
        var format: ToolCallFormat
        var reply: String
        var content: String
        var calls: [String]  // "name arguments"
        var testDescription: String { "\(format.rawValue): \(reply.prefix(40))" }
    }

    static let cases: [Case] = [
        Case(
            format: .hermes,
            reply: "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 2}}\n</tool_call>",
            content: "",
            calls: [#"get_weather {"city": "Paris", "days": 2}"#]
        ),
        Case(
            format: .hermes,
            reply:
                "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>\n<tool_call>\n{\"arguments\": {\"query\": \"a<b\"}, \"name\": \"search\"}\n</tool_call>",
            content: "Let me check.",
            calls: [#"get_weather {"city": "Oslo"}"#, #"search {"query": "a<b"}"#]
        ),
        Case(format: .hermes, reply: "No tools needed: 1 < 2 and <tool is fine.", content: "No tools needed: 1 < 2 and <tool is fine.", calls: []),
        Case(
            format: .hermes,
            reply: "```json\n{\"name\": \"search\", \"arguments\": {\"query\": \"swift\"}}\n```",
            content: "",
            calls: [#"search {"query": "swift"}"#]
        ),
        Case(format: .hermes, reply: "{\"name\": \"unknown\", \"arguments\": {}}", content: "{\"name\": \"unknown\", \"arguments\": {}}", calls: []),
        Case(
            format: .qwen3Coder,
            reply:
                "<tool_call>\n<function=get_weather>\n<parameter=city>\nNew York\n</parameter>\n<parameter=days>\n3\n</parameter>\n</function>\n</tool_call>",
            content: "",
            calls: [#"get_weather {"city": "New York", "days": 3}"#]
        ),
        Case(
            format: .glm,
            reply:
                "Checking.<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Rome</arg_value>\n<arg_key>days</arg_key>\n<arg_value>1</arg_value>\n</tool_call>",
            content: "Checking.",
            calls: [#"get_weather {"city": "Rome", "days": 1}"#]
        ),
        Case(
            format: .llama3,
            reply: "{\"name\": \"search\", \"parameters\": {\"query\": \"llamas\"}}",
            content: "",
            calls: [#"search {"query": "llamas"}"#]
        ),
        Case(
            format: .llama3,
            reply: "<|python_tag|>{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Lima\"}}",
            content: "",
            calls: [#"get_weather {"city": "Lima"}"#]
        ),
        Case(
            format: .mistral,
            reply:
                "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Nice\"}, \"id\": \"abc123def\"}, {\"name\": \"search\", \"arguments\": {\"query\": \"x\"}}]",
            content: "",
            calls: [#"get_weather {"city": "Nice"}"#, #"search {"query": "x"}"#]
        ),
        Case(
            format: .mistralNamed,
            reply: "[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Lyon\"}[TOOL_CALLS]search[ARGS]{\"query\": \"q\"}",
            content: "",
            calls: [#"get_weather {"city": "Lyon"}"#, #"search {"query": "q"}"#]
        ),
        Case(
            format: .deepseek,
            reply:
                "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{\"city\": \"Kyiv\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
            content: "",
            calls: [#"get_weather {"city": "Kyiv"}"#]
        ),
        Case(
            format: .deepseek,
            reply:
                "Sure.<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>search<｜tool▁sep｜>{\"query\": \"v3\"}<｜tool▁call▁end｜><｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{\"city\": \"Pune\"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
            content: "Sure.",
            calls: [#"search {"query": "v3"}"#, #"get_weather {"city": "Pune"}"#]
        ),
        Case(
            format: .kimi,
            reply:
                "<|tool_calls_section_begin|><|tool_call_begin|>functions.get_weather:0<|tool_call_argument_begin|>{\"city\": \"Seoul\"}<|tool_call_end|><|tool_calls_section_end|>",
            content: "",
            calls: [#"get_weather {"city": "Seoul"}"#]
        ),
        Case(
            format: .gemma,
            reply: "<|tool_call>call:get_weather{city:<|\"|>Accra<|\"|>,days:2}<tool_call|>",
            content: "",
            calls: [#"get_weather {"city":"Accra","days":2}"#]
        ),
        Case(
            format: .harmony,
            reply: "<|channel|>commentary to=functions.search <|constrain|>json<|message|>{\"query\": \"oss\"}<|call|>",
            content: "",
            calls: [#"search {"query": "oss"}"#]
        ),
        Case(format: .generic, reply: "  {\"name\": \"search\", \"arguments\": {\"query\": \"z\"}}", content: "", calls: [#"search {"query": "z"}"#]),
        Case(format: .generic, reply: "The answer is 4.", content: "The answer is 4.", calls: []),
    ]

    static func run(_ parser: inout ToolCallParser, pieces: [String]) -> (content: String, calls: [String], events: [ToolCallEvent]) {
        var events: [ToolCallEvent] = []
        for piece in pieces { events += parser.feed(piece) }
        events += parser.finish()
        var content = ""
        var calls: [(String, String)] = []
        for event in events {
            switch event {
            case .content(let text): content += text
            case .begin(let index, let name):
                #expect(index == calls.count)
                calls.append((name, ""))
            case .arguments(let index, let fragment): calls[index].1 += fragment
            }
        }
        return (content, calls.map { "\($0.0) \($0.1)" }, events)
    }

    @Test(arguments: cases)
    func aReplyParsesTheSameWholeAndInEveryCutting(_ example: Case) {
        let whole = ToolCallParser.whole(example.reply, format: example.format, tools: Self.tools)
        #expect(whole.content == example.content)
        #expect(whole.calls.map { "\($0.name) \($0.arguments)" } == example.calls)
        let characters = example.reply.map(String.init)
        for size in 1...7 {
            var parser = ToolCallParser(format: example.format, tools: Self.tools)
            let pieces = stride(from: 0, to: characters.count, by: size).map { characters[$0..<min($0 + size, characters.count)].joined() }
            let streamed = Self.run(&parser, pieces: pieces)
            #expect(streamed.content == example.content, "pieces of \(size)")
            #expect(streamed.calls == example.calls, "pieces of \(size)")
            for case .content(let text) in streamed.events {
                for marker in ["<tool_call", "[TOOL_CALLS", "<｜tool", "<|tool", "<|python_tag", "<|channel|>", "<function="]
                where example.calls.count > 0 {
                    #expect(!text.contains(marker), "markup in content: \(text)")
                }
            }
        }
    }

    @Test func argumentsStreamAsTheyAreGenerated() {
        var parser = ToolCallParser(format: .hermes, tools: Self.tools)
        var events: [ToolCallEvent] = []
        for piece in ["<tool_call>\n{\"name\": \"get_weather\", ", "\"arguments\": {\"city\": ", "\"Par", "is\"}}\n</tool_call>"] {
            events += parser.feed(piece)
        }
        #expect(
            events == [
                .begin(index: 0, name: "get_weather"), .arguments(index: 0, "{\"city\": "), .arguments(index: 0, "\"Par"),
                .arguments(index: 0, "is\"}"),
            ]
        )
    }

    @Test func oneCallWhenParallelCallsAreOff() {
        let reply =
            "<tool_call>{\"name\": \"search\", \"arguments\": {}}</tool_call><tool_call>{\"name\": \"search\", \"arguments\": {\"query\": \"b\"}}</tool_call>"
        #expect(ToolCallParser.whole(reply, format: .hermes, tools: Self.tools, parallel: false).calls.count == 1)
        #expect(ToolCallParser.whole(reply, format: .hermes, tools: Self.tools).calls.count == 2)
    }

    @Test(
        .enabled(if: FileManager.default.fileExists(atPath: templates), "../shared/chat-templates is absent"),
        arguments: [
            ("Qwen-Qwen2.5-7B-Instruct", ToolCallFormat.hermes), ("Qwen3-Coder", .qwen3Coder), ("GLM-4.6", .glm),
            ("meta-llama-Llama-3.1-8B-Instruct", .llama3), ("mistralai-Mistral-Nemo-Instruct-2407", .mistral),
            ("unsloth-mistral-Devstral-Small-2507", .mistralNamed), ("deepseek-ai-DeepSeek-V3.1", .deepseek), ("Kimi-K2-Instruct", .kimi),
            ("google-gemma-4-31B-it", .gemma), ("openai-gpt-oss-120b", .harmony), ("microsoft-Phi-3.5-mini-instruct", .generic),
        ]
    )
    func theFormatIsReadFromTheTemplate(file: String, format: ToolCallFormat) throws {
        let source = try String(contentsOfFile: "\(Self.templates)/\(file).jinja", encoding: .utf8)
        #expect(ToolCallFormat.detect(template: source) == format)
    }

    static let templates: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3)
        parts.removeLast()  // the checkout's parent holds shared/
        return parts.joined(separator: "/") + "/shared/chat-templates"
    }()
}
