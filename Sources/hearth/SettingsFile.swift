import ArgumentParser
import Foundation
import Yams

/// `settings.yaml`: every command-line option as a key (`api-port: 5001`, or with underscores,
/// `api_port`), plus text-generation-webui's `openai-*` keys. The file's options come before the
/// command line's, so a flag given there wins; environment variables win over both, as in
/// text-generation-webui.
struct SettingsFile {
    /// What the file set: arguments to put before the command line's, and warnings to log.
    var arguments: [String] = []
    var warnings: [String] = []

    /// A key that cannot be used; the message names it.
    struct Unusable: Error, CustomStringConvertible {
        let description: String
    }

    /// text-generation-webui's keys for its OpenAI extension that have a meaning here.
    static let openAIKeys: Set<String> = ["openai-debug", "openai-embedding_model", "openai-embedding_device", "openai-sd_webui_url"]

    /// Reads `path`; `knownOptions` are the long option names `hearth` accepts.
    init(path: String, knownOptions: Set<String>) throws(Unusable) {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw Unusable(description: "cannot read the settings file '\(path)'")
        }
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            throw Unusable(description: "the settings file '\(path)' is not valid YAML: \(error)")
        }
        guard let document else { return }
        guard let mapping = document as? [String: Any] else {
            throw Unusable(description: "the settings file '\(path)' must be a mapping of keys to values")
        }
        for key in mapping.keys.sorted() {
            let value = mapping[key]!
            if key.hasPrefix("openai-") {
                try openAIKey(key, value)
                continue
            }
            let option = key.replacingOccurrences(of: "_", with: "-")
            guard knownOptions.contains(option), option != "settings", option != "help" else {
                warnings.append("settings file '\(path)': unknown key '\(key)' ignored")
                continue
            }
            switch value {
            case let flag as Bool:
                if flag { arguments.append("--\(option)") }
            case let number as Int:
                arguments += ["--\(option)", String(number)]
            case let number as Double:
                arguments += ["--\(option)", String(number)]
            case let text as String:
                arguments += ["--\(option)", text]
            case let list as [Any] where list.allSatisfy({ $0 is String || $0 is Int || $0 is Double }):
                arguments += ["--\(option)", list.map { "\($0)" }.joined(separator: ",")]
            default:
                throw Unusable(description: "settings file '\(path)': '\(key)' must be a number, a string, true or false")
            }
        }
    }

    /// text-generation-webui's `openai-*` keys: `openai-debug` turns on debug logging (unless
    /// `OPENEDAI_DEBUG` is set), `openai-embedding_model` is `--embedding-model`,
    /// `openai-sd_webui_url` is `--sd-webui-url`; the device key is accepted and has no use here.
    private mutating func openAIKey(_ key: String, _ value: Any) throws(Unusable) {
        guard Self.openAIKeys.contains(key) else {
            warnings.append("settings: unknown key '\(key)' ignored")
            return
        }
        if key == "openai-debug" {
            let on: Bool
            switch value {
            case let flag as Bool: on = flag
            case let number as Int: on = number != 0
            default: throw Unusable(description: "settings: 'openai-debug' must be true, false, 1 or 0")
            }
            if on { setenv("OPENEDAI_DEBUG", "1", 0) }
        }
        if key == "openai-embedding_model" {
            guard let name = value as? String, !name.isEmpty else {
                throw Unusable(description: "settings: 'openai-embedding_model' must be a model name")
            }
            arguments += ["--embedding-model", name]
        }
        if key == "openai-sd_webui_url" {
            guard let url = value as? String else { throw Unusable(description: "settings: 'openai-sd_webui_url' must be an address") }
            if !url.isEmpty { arguments += ["--sd-webui-url", url] }
        }
    }

    /// The file to read: `--settings FILE` from the command line, else `settings.yaml` in the
    /// working directory when there is one.
    static func path(in arguments: [String]) -> String? {
        if let index = arguments.firstIndex(of: "--settings"), index + 1 < arguments.count { return arguments[index + 1] }
        if let inline = arguments.first(where: { $0.hasPrefix("--settings=") }) { return String(inline.dropFirst("--settings=".count)) }
        return FileManager.default.fileExists(atPath: "settings.yaml") ? "settings.yaml" : nil
    }

    /// The long option names in a help text.
    static func options(inHelp help: String) -> Set<String> {
        Set(help.matches(of: /--([a-z0-9][a-z0-9-]*)/).map { String($0.output.1) })
    }
}
