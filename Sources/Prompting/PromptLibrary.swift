import Foundation
import Synchronization
import Yams

/// The files prompt building reads: instruction templates, characters, and the per-model
/// settings that guess a template from a model's name.
public struct PromptLibrary: Sendable {
    /// `--instruction-template-dir`: `<name>.yaml`, `.yml`, `.jinja` or `.jinja2` files.
    public var instructionTemplateDirectory: String
    /// `--character-dir`: `<name>.yaml`, `.yml` or `.json` files.
    public var characterDirectory: String
    /// Holds `config.yaml` (shipped rules) and `config-user.yaml` (the user's overrides).
    public var modelConfigDirectory: String
    /// `--chat-template-file`: a Jinja file (or YAML with `instruction_template`) that replaces
    /// the model's own template.
    public var chatTemplateFile: String?

    public init(
        instructionTemplateDirectory: String = "instruction-templates",
        characterDirectory: String = "characters",
        modelConfigDirectory: String = "model-config",
        chatTemplateFile: String? = nil
    ) {
        self.instructionTemplateDirectory = instructionTemplateDirectory
        self.characterDirectory = characterDirectory
        self.modelConfigDirectory = modelConfigDirectory
        self.chatTemplateFile = chatTemplateFile
    }

    /// The Jinja source of the instruction template `name`. text-generation-webui's `"None"`
    /// means Alpaca.
    public func instructionTemplate(named name: String) throws(PromptError) -> String {
        let name = name == "None" ? "Alpaca" : name
        guard Self.isPlainName(name),
            let path = Self.firstFile(in: instructionTemplateDirectory, named: name, extensions: ["yaml", "yml", "jinja", "jinja2"])
        else { throw .unknownInstructionTemplate(name) }
        return try Self.templateSource(at: path)
    }

    /// Reads a template file: Jinja as is, or YAML with `instruction_template` (or the legacy
    /// `turn_template` format, converted). Read once until the file changes.
    static func templateSource(at path: String) throws(PromptError) -> String {
        try templateSources.value(at: path) { () throws(PromptError) in try readTemplateSource(at: path) }
    }

    private static let templateSources = FileCache<String>()
    private static let characters = FileCache<ChatCharacter>()

    private static func readTemplateSource(at path: String) throws(PromptError) -> String {
        guard path.hasSuffix(".yaml") || path.hasSuffix(".yml") else { return try read(path) }
        let fields = try mapping(at: path)
        if let source = fields["instruction_template"] as? String { return source }
        if let legacy = LegacyInstructionTemplate(fields: fields) { return legacy.jinjaSource }
        throw .unreadableFile(path, "no instruction_template key")
    }

    /// The names a request's `instruction_template` may take: the directory's template files
    /// without their extensions, sorted.
    public func instructionTemplateNames() -> [String] {
        Self.names(in: instructionTemplateDirectory, extensions: ["yaml", "yml", "jinja", "jinja2"])
    }

    /// The names a request's `character` may take, sorted.
    public func characterNames() -> [String] {
        Self.names(in: characterDirectory, extensions: ["yaml", "yml", "json"])
    }

    /// Plain names of the files in `directory` with one of `extensions` (a missing directory
    /// has none).
    public static func names(in directory: String, extensions: Set<String>) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let names = files.compactMap { file -> String? in
            let url = URL(fileURLWithPath: file)
            guard extensions.contains(url.pathExtension.lowercased()) else { return nil }
            let name = url.deletingPathExtension().lastPathComponent
            return isPlainName(name) ? name : nil
        }
        return Set(names).sorted { $0.localizedStandardCompare($1) == .orderedAscending }
    }

    /// The character `name`.
    public func character(named name: String) throws(PromptError) -> ChatCharacter {
        guard Self.isPlainName(name), let path = Self.firstFile(in: characterDirectory, named: name, extensions: ["yaml", "yml", "json"])
        else { throw .unknownCharacter(name) }
        return try Self.characters.value(at: path) { () throws(PromptError) in try Self.readCharacter(at: path) }
    }

    private static func readCharacter(at path: String) throws(PromptError) -> ChatCharacter {
        ChatCharacter(fields: try mapping(at: path))
    }

    /// The top-level mapping of a YAML (or JSON) file.
    private static func mapping(at path: String) throws(PromptError) -> [String: Any] {
        let text = try read(path)
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            throw .unreadableFile(path, "\(error)")
        }
        guard let fields = document as? [String: Any] else { throw .unreadableFile(path, "expected a mapping") }
        return fields
    }

    /// The instruction template the settings files name for a model: the user's
    /// `config-user.yaml` first when `userOnly`, else the shipped `config.yaml`.
    public func configuredTemplateName(forModel modelName: String, userOnly: Bool) -> String? {
        configuredSettings(forModel: modelName, userOnly: userOnly)["instruction_template"]
    }

    /// Every scalar setting the matching rules of a settings file give a model (`ctx_size`,
    /// `threads`, `instruction_template`, …), later rules winning, as text-generation-webui
    /// applies every matching rule in order. Patterns are matched, as Python's `re.match` does,
    /// at the start of the lowercased model name.
    public func configuredSettings(forModel modelName: String, userOnly: Bool) -> [String: String] {
        let file = modelConfigDirectory + (userOnly ? "/config-user.yaml" : "/config.yaml")
        guard let text = try? Self.read(file), let rules = (try? Yams.compose(yaml: text))??.mapping else { return [:] }
        let name = modelName.lowercased()
        var chosen: [String: String] = [:]
        for (pattern, settings) in rules {
            guard let pattern = pattern.string, let settings = settings.mapping,
                let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
            else { continue }
            let range = NSRange(name.startIndex..., in: name)
            guard let match = regex.firstMatch(in: name, options: [.anchored], range: range), match.range.location == 0 else { continue }
            for (key, value) in settings {
                if let key = key.string, let value = value.scalar?.string { chosen[key] = value }
            }
        }
        return chosen
    }

    static func read(_ path: String) throws(PromptError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadableFile(path, error.localizedDescription)
        }
    }

    /// Names are file names, never paths: `../` cannot reach outside the directory.
    private static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && !name.contains("\\") && !name.hasPrefix(".")
    }

    private static func firstFile(in directory: String, named name: String, extensions: [String]) -> String? {
        extensions.lazy.map { "\(directory)/\(name).\($0)" }.first { FileManager.default.fileExists(atPath: $0) }
    }
}

/// What was read from files, kept until a file's modification time changes (a stat per use
/// instead of a read and a parse).
public final class FileCache<Item: Sendable>: Sendable {
    private let entries = Mutex<[String: (modified: Date, item: Item)]>([:])

    public init() {}

    /// The item read from `path`, read again only when the file changed.
    public func value<Failure: Error>(at path: String, read: () throws(Failure) -> Item) throws(Failure) -> Item {
        let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? .distantPast
        if let entry = entries.withLock({ $0[path] }), entry.modified == modified { return entry.item }
        let item = try read()
        entries.withLock { $0[path] = (modified, item) }
        return item
    }
}
