import Foundation

/// An instruction template in text-generation-webui's pre-Jinja YAML format (`turn_template`
/// with `<|user|>`, `<|user-message|>`, `<|bot|>`, `<|bot-message|>`; `context` with
/// `<|system-message|>`; `system_message`), converted to an equivalent Jinja template.
struct LegacyInstructionTemplate {
    let jinjaSource: String

    init?(fields: [String: Any]) {
        guard let turn = fields["turn_template"] as? String, turn.contains("<|user-message|>"), turn.contains("<|bot-message|>")
        else { return nil }
        let user = fields["user"] as? String ?? ""
        let bot = fields["bot"] as? String ?? ""
        let context = fields["context"] as? String ?? ""
        var (preSystem, postSystem) = ("", "")
        if let marker = context.range(of: "<|system-message|>") {
            preSystem = String(context[..<marker.lowerBound])
            postSystem = String(context[marker.upperBound...])
        }
        let userSplit = turn.components(separatedBy: "<|user-message|>")
        let preUser = userSplit[0].replacingOccurrences(of: "<|user|>", with: user)
        let postUser = userSplit[1].components(separatedBy: "<|bot|>")[0]
        let botPart = turn.components(separatedBy: "<|bot-message|>")
        let beforeBotMessage = botPart[0].components(separatedBy: "<|bot|>")
        let preAssistant = bot + (beforeBotMessage.count > 1 ? beforeBotMessage[1] : "")
        let postAssistant = botPart[1]
        let systemMessage = fields["system_message"] as? String ?? ""
        func literal(_ text: String) -> String {
            "'"
                + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
                .replacingOccurrences(of: "'", with: "\\'") + "'"
        }
        var generationPrefix = preAssistant
        while generationPrefix.hasSuffix(" ") { generationPrefix.removeLast() }
        jinjaSource = """
            {%- set ns = namespace(found=false) -%}
            {%- for message in messages -%}
                {%- if message['role'] == 'system' -%}
                    {%- set ns.found = true -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if not ns.found -%}
                {{- \(literal(preSystem + systemMessage + postSystem)) -}}
            {%- endif %}
            {%- for message in messages %}
                {%- if message['role'] == 'system' -%}
                    {{- \(literal(preSystem)) + message['content'] + \(literal(postSystem)) -}}
                {%- elif message['role'] == 'user' -%}
                    {{- \(literal(preUser)) + message['content'] + \(literal(postUser)) -}}
                {%- else -%}
                    {{- \(literal(preAssistant)) + message['content'] + \(literal(postAssistant)) -}}
                {%- endif -%}
            {%- endfor -%}
            {%- if add_generation_prompt -%}
                {{- \(literal(generationPrefix)) -}}
            {%- endif -%}
            """
    }
}
