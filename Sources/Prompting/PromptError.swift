import Jinja

/// Why a chat prompt could not be built. Each case becomes a 400 naming the field at fault.
public enum PromptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A request field has the wrong type or value.
    case invalidField(String, String)
    /// `character` names no file in the character directory.
    case unknownCharacter(String)
    /// `instruction_template` names no file in the instruction-template directory.
    case unknownInstructionTemplate(String)
    /// A character or template file exists but cannot be read.
    case unreadableFile(String, String)
    /// A template failed to parse or render (or called `raise_exception`); `field` is the
    /// request field that chose it.
    case template(JinjaError, field: String)

    public var description: String {
        switch self {
        case .invalidField(let field, let message): "\(field): \(message)"
        case .unknownCharacter(let name): "character '\(name)' was not found"
        case .unknownInstructionTemplate(let name): "instruction template '\(name)' was not found"
        case .unreadableFile(let path, let reason): "\(path) could not be read: \(reason)"
        case .template(let error, _): "the chat template failed: \(error)"
        }
    }

    /// The request field the error is about.
    public var field: String {
        switch self {
        case .invalidField(let field, _): field
        case .unknownCharacter: "character"
        case .unknownInstructionTemplate: "instruction_template"
        case .unreadableFile: "character"
        case .template(_, let field): field
        }
    }
}
