import Foundation

/// A character file's fields, under any of the key spellings text-generation-webui accepts
/// (its own, the `<|bot|>` style, and Pygmalion's `char_name`/`char_persona`/…).
public struct ChatCharacter: Sendable, Equatable {
    /// The character's name (`name2` in requests).
    public var name: String?
    /// The user's name the file suggests (`your_name`); a request's `name1` wins over it.
    public var userName: String?
    public var context: String
    public var greeting: String

    public init(name: String? = nil, userName: String? = nil, context: String = "", greeting: String = "") {
        self.name = name
        self.userName = userName
        self.context = context
        self.greeting = greeting
    }

    init(fields: [String: Any]) {
        func text(_ keys: String...) -> String? {
            for key in keys { if let value = fields[key] { return "\(value)" } }
            return nil
        }
        name = text("name", "bot", "<|bot|>", "char_name")
        userName = text("your_name", "user", "<|user|>")
        greeting = text("greeting", "char_greeting") ?? ""
        if let context = text("context") {
            self.context = context
        } else {
            // Pygmalion's fields, assembled as text-generation-webui does.
            var context = ""
            if let persona = text("char_persona"), !persona.isEmpty { context += "\(name ?? "")'s Persona: \(persona)\n" }
            if let scenario = text("world_scenario"), !scenario.isEmpty { context += "Scenario: \(scenario)\n" }
            if let dialogue = text("example_dialogue"), !dialogue.isEmpty { context += dialogue.trimmingWhitespace + "\n" }
            self.context = context.trimmingWhitespace.isEmpty ? "" : context.trimmingWhitespace + "\n"
        }
    }
}

extension String {
    var trimmingWhitespace: String { String(trimmingWhitespaceSlice) }

    /// Without leading and trailing whitespace, as a view into the string (no copy).
    var trimmingWhitespaceSlice: Substring {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return self[first...last]
    }

    /// text-generation-webui's name substitution in contexts and chat templates.
    func replacingNames(user: String, bot: String) -> String {
        replacing("{{user}}", with: user).replacing("{{char}}", with: bot).replacing("<USER>", with: user)
            .replacing("<BOT>", with: bot)
    }
}
