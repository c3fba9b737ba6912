import Foundation

/// The models installed in `--model-dir`: every GGUF file is a model whose id is its name
/// without `.gguf`; a split GGUF (`name-00001-of-00003.gguf` …) counts once, as `name`, by its
/// first part; a folder holding one GGUF model counts as that model, named after the folder.
public struct ModelCatalog: Sendable {
    /// One installed model.
    public struct Entry: Sendable, Equatable {
        /// The id clients name it by.
        public var id: String
        /// The GGUF file llama.cpp opens (the first part of a split model).
        public var path: String
        /// Unix time of the file's last change (`created` in the model object).
        public var modified: Int

        public init(id: String, path: String, modified: Int) {
            self.id = id
            self.path = path
            self.modified = modified
        }
    }

    /// Sorted by id.
    public private(set) var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries.sorted { $0.id < $1.id } }

    /// The models in `directory` (none if it does not exist), plus `extra` (a model started from
    /// a path elsewhere).
    public static func scan(directory: String, adding extra: Entry? = nil) -> ModelCatalog {
        let fileManager = FileManager.default
        var entries: [Entry] = []
        for name in (try? fileManager.contentsOfDirectory(atPath: directory)) ?? [] where !name.hasPrefix(".") {
            let path = directory + "/" + name
            var isFolder: ObjCBool = false
            guard fileManager.fileExists(atPath: path, isDirectory: &isFolder) else { continue }
            if isFolder.boolValue {
                let inside = ((try? fileManager.contentsOfDirectory(atPath: path)) ?? []).compactMap(Self.model(file:))
                if inside.count == 1, let only = inside.first {
                    entries.append(Entry(id: name, path: path + "/" + only.file, modified: modified(path + "/" + only.file)))
                }
            } else if let model = Self.model(file: name) {
                entries.append(Entry(id: model.id, path: path, modified: modified(path)))
            }
        }
        if let extra, !entries.contains(where: { $0.id == extra.id }) { entries.append(extra) }
        return ModelCatalog(entries: entries)
    }

    /// The entry a client's name means: its id, or its file name (`id.gguf`).
    public func entry(named name: String) -> Entry? {
        entries.first { $0.id == name } ?? entries.first { URL(fileURLWithPath: $0.path).lastPathComponent == name }
    }

    /// A GGUF file that starts a model: its id and file name; nil for other files and for the
    /// second and later parts of a split model.
    static func model(file: String) -> (id: String, file: String)? {
        guard file.lowercased().hasSuffix(".gguf"), !file.hasPrefix(".") else { return nil }
        let stem = String(file.dropLast(5))
        // name-00001-of-00003
        let parts = stem.split(separator: "-")
        if parts.count >= 4, parts[parts.count - 2] == "of", let index = Int(parts[parts.count - 3]), Int(parts[parts.count - 1]) != nil,
            parts[parts.count - 3].count == 5
        {
            guard index == 1 else { return nil }
            return (parts.dropLast(3).joined(separator: "-"), file)
        }
        return (stem, file)
    }

    private static func modified(_ path: String) -> Int {
        let date = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? Date()
        return Int(date.timeIntervalSince1970)
    }
}
