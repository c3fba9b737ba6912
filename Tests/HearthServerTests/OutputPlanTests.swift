import LlamaEngine
import OpenAIAPI
import OrderedJSON
import StructuredOutput
import Testing

@testable import HearthServer

/// How a chat body becomes the grammar the engine enforces. No model involved.
@Suite struct OutputPlanTests {
    let tools =
        #"[{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}}}]"#

    func plan(_ extra: String, format: ToolCallFormat = .hermes, reasoningClose: String? = nil) throws -> OutputPlan {
        let body = try RequestDecoder().decode(
            ChatCompletionRequest.self,
            from: Array(#"{"messages": [{"role": "user", "content": "hi"}]\#(extra)}"#.utf8)
        )
        return try OutputPlan(chat: ChatJob(body), format: format, reasoningClose: reasoningClose)
    }

    @Test func noConstraintNoGrammar() throws {
        #expect(try plan("").grammar == nil)
        #expect(try plan(#", "response_format": {"type": "text"}"#).grammar == nil)
    }

    @Test func aSchemaHoldsFromTheFirstToken() throws {
        let grammar = try #require(try plan(#", "response_format": {"type": "json_object"}"#).grammar)
        #expect(grammar.triggers.isEmpty)
        #expect(grammar.text.hasPrefix("root ::= object\n"))
    }

    @Test func afterAnOpenReasoningBlockTheAnswerIsConstrainedFromItsClosingTag() throws {
        let grammar = try #require(try plan(#", "response_format": {"type": "json_object"}"#, reasoningClose: "</think>").grammar)
        #expect(grammar.triggers == ["</think>"])
        #expect(grammar.text.hasPrefix(#"root ::= "</think>" [ \t\n]{0,4} ( object )"#))
    }

    @Test func autoToolsSwitchTheGrammarOnAtACallsOpening() throws {
        let plan = try plan(#", "tools": \#(tools)"#)
        let grammar = try #require(plan.grammar)
        #expect(grammar.triggers == ["<tool_call>"])
        #expect(grammar.triggerPatterns == ToolCallGrammar.leadingJSONPatterns)
        #expect(grammar.text.contains(#"call-f ::= "<tool_call>" space "{" space "\"name\"" space ":" space "\"f\"""#))
        #expect(plan.tools.map(\.name) == ["f"])
    }

    @Test func requiredAndNamedCallsHoldFromTheFirstToken() throws {
        #expect(try plan(#", "tools": \#(tools), "tool_choice": "required""#).grammar?.triggers == [])
        let named = try plan(#", "tools": \#(tools), "tool_choice": {"type": "function", "function": {"name": "f"}}"#)
        #expect(named.grammar?.triggers == [])
        #expect(named.grammar?.text.contains("(space tool-call)*") == false, "a named choice is one call")
    }

    @Test func noneParsesNothingAndBansTheOpener() throws {
        let plan = try plan(#", "tools": \#(tools), "tool_choice": "none""#)
        #expect(plan.grammar == nil && plan.tools.isEmpty)
        #expect(plan.bannedOpeners == ["<tool_call>"])
    }

    @Test func controlTokenMarkupIsRendered() throws {
        #expect(try plan(#", "tools": \#(tools)"#, format: .mistral).rendersSpecialTokens)
        #expect(try !plan(#", "tools": \#(tools)"#, format: .hermes).rendersSpecialTokens)
    }

    @Test func everyFamilysGrammarIsBuilt() throws {
        for format in ToolCallFormat.allCases {
            let grammar = try #require(try plan(#", "tools": \#(tools), "tool_choice": "required""#, format: format).grammar)
            #expect(grammar.text.hasPrefix("root ::= "), "\(format)")
        }
    }
}

extension OutputPlanTests {
    /// A model whose template knows `<think>` may open its reasoning itself; the answer after it
    /// is constrained.
    @Test func aModelMayReasonFreelyBeforeAConstrainedAnswer() throws {
        let body = try RequestDecoder().decode(
            ChatCompletionRequest.self,
            from: Array(#"{"messages": [{"role": "user", "content": "hi"}], "response_format": {"type": "json_object"}}"#.utf8)
        )
        let plan = try OutputPlan(chat: ChatJob(body), format: .hermes, reasoningClose: nil, reasoningTags: ("<think>", "</think>"))
        let grammar = try #require(plan.grammar)
        #expect(grammar.triggers.isEmpty)
        #expect(grammar.text.hasPrefix(#"root ::= ( "<think>" text-without---think- "</think>" [ \t\n]{0,4} )? ( object )"#), "\(grammar.text)")
        #expect(grammar.text.contains(#"text-without---think- ::= ( [^<] | "<" text-without---think--1 )*"#))
        #expect(grammar.text.contains(#"text-without---think--7 ::= [^><] | "<" text-without---think--1"#))
    }
}
