/// The ways model families write tool calls, chosen from the chat template.
public enum ToolCallFormat: String, Sendable, CaseIterable {
    /// Hermes, Qwen 2.5/3: `<tool_call>{"name": …, "arguments": {…}}</tool_call>`.
    case hermes
    /// Qwen3-Coder: `<tool_call><function=NAME><parameter=KEY>value</parameter></function></tool_call>`.
    case qwen3Coder
    /// GLM-4.5/4.6: `<tool_call>NAME<arg_key>KEY</arg_key><arg_value>value</arg_value></tool_call>`.
    case glm
    /// Llama 3.x: `{"name": …, "parameters": {…}}`, optionally after `<|python_tag|>`.
    case llama3
    /// Mistral (Nemo): `[TOOL_CALLS][{"name": …, "arguments": {…}}, …]`.
    case mistral
    /// Mistral since v11 (Devstral, Ministral 3): `[TOOL_CALLS]NAME[ARGS]{…}`.
    case mistralNamed
    /// DeepSeek V3/R1/V3.1: `<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>…<｜tool▁sep｜>…<｜tool▁call▁end｜><｜tool▁calls▁end｜>`.
    case deepseek
    /// Kimi K2: `<|tool_calls_section_begin|><|tool_call_begin|>functions.NAME:0<|tool_call_argument_begin|>{…}<|tool_call_end|>…`.
    case kimi
    /// Gemma 4: `<|tool_call>call:NAME{key:<|"|>text<|"|>,n:1}<tool_call|>`.
    case gemma
    /// GPT-OSS (harmony): `<|channel|>commentary to=functions.NAME <|constrain|>json<|message|>{…}<|call|>`.
    case harmony
    /// No known markup: a bare or fenced `{"name": …, "arguments": {…}}` naming a declared tool.
    case generic

    /// The format a chat template teaches its model, read from the markup the template writes.
    public static func detect(template: String) -> ToolCallFormat {
        func has(_ text: String) -> Bool { template.contains(text) }
        if has("<function=") && has("<parameter=") { return .qwen3Coder }
        if has("<arg_key>") { return .glm }
        if has("<tool_call>") { return .hermes }
        if has("[TOOL_CALLS]") { return has("[ARGS]") ? .mistralNamed : .mistral }
        if has("<｜tool▁calls▁begin｜>") { return .deepseek }
        if has("<|tool_calls_section_begin|>") { return .kimi }
        if has("<|tool_call>") { return .gemma }
        if has("<|channel|>") && has("<|call|>") { return .harmony }
        if has("<|python_tag|>") || (has("<|start_header_id|>") && has("\"parameters\"")) { return .llama3 }
        return .generic
    }

    /// Texts that open tool-call markup anywhere in a reply. Text before them is content; they
    /// themselves never reach the content.
    var openers: [String] {
        switch self {
        case .hermes, .qwen3Coder, .glm: ["<tool_call>"]
        case .llama3: ["<|python_tag|>"]
        case .mistral, .mistralNamed: ["[TOOL_CALLS]"]
        case .deepseek: ["<｜tool▁calls▁begin｜>", "<｜tool▁call▁begin｜>"]
        case .kimi: ["<|tool_calls_section_begin|>", "<|tool_call_begin|>"]
        case .gemma: ["<|tool_call>"]
        case .harmony: ["<|start|>assistant<|channel|>commentary to=functions.", "<|channel|>commentary to=functions.", " to=functions."]
        case .generic: []
        }
    }

    /// Whether the format's markup is made of control tokens, which a reply shows only when
    /// special tokens are rendered.
    public var needsSpecialTokens: Bool {
        switch self {
        case .mistral, .mistralNamed, .deepseek, .kimi, .gemma, .harmony, .llama3: true
        case .hermes, .qwen3Coder, .glm, .generic: false
        }
    }
}
