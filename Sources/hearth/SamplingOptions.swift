import ArgumentParser
import Foundation
import OpenAIAPI

/// Server-wide defaults for sampler fields a request leaves out (text-generation-webui's "API
/// generation defaults"): one flag per field of ``SamplerField``, `--top-p 0.9` for `top_p`,
/// checked against the same ranges as requests. A request's own values always win.
///
/// The flags are not declared one by one: they come from the sampler table, so a field added
/// there is a flag too. ArgumentParser hands over what it does not recognise, and this parses it.
struct SamplingOptions: ParsableArguments {
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var arguments: [String] = []

    /// The defaults the flags set.
    private(set) var settings = SamplerSettings()

    private enum CodingKeys: CodingKey { case arguments }

    mutating func validate() throws {
        settings = try Self.parse(arguments)
    }

    /// `--name value` or `--name=value` pairs; a flag field may stand alone (`--ban-eos-token`).
    static func parse(_ arguments: [String]) throws -> SamplerSettings {
        var settings = SamplerSettings()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            var name = argument
            var text: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                text = String(argument[argument.index(after: equals)...])
            }
            guard let field = SamplerField.allCases.first(where: { $0.flagName == name }) else {
                throw ValidationError(name.hasPrefix("-") ? "Unknown option '\(name)'." : "Unexpected argument '\(name)'.")
            }
            if text == nil {
                if field.kind == .flag, index == arguments.count || arguments[index].hasPrefix("--") {
                    text = "true"
                } else if index < arguments.count {
                    text = arguments[index]
                    index += 1
                } else {
                    throw ValidationError("Missing value for '\(name)'.")
                }
            }
            do {
                try settings.set(field, field.parse(text!))
            } catch {
                throw ValidationError("\(name): \(error.message.replacingOccurrences(of: "Invalid '\(field.wireName)': ", with: ""))")
            }
        }
        return settings
    }

    /// The flag list for `hearth --help`.
    static var helpText: String {
        SamplerField.allCases.map { field in
            "  \(field.flagName) \(field.kind.rangeText) (default \(field.defaultValue))"
        }.joined(separator: "\n")
    }
}
