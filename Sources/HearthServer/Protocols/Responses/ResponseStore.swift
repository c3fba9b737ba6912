import Foundation
import Logging
import OrderedJSON
import Synchronization

/// Responses kept for `previous_response_id` and the retrieval endpoints (`store`, OpenAI's
/// default): in memory, the least recently used dropped beyond ``capacity`` (`--responses-max`),
/// and with a ``directory`` (`--responses-dir`) also on disk, one file per response, so that a
/// restarted server continues the same conversations.
public final class ResponseStore: Sendable {
    /// A stored response.
    public struct Entry: Sendable, Equatable {
        /// The response object as it was returned.
        public var response: JSON
        /// The request's input items, with ids.
        public var input: [JSON]
        /// Every item of the conversation up to and including this response's output: what a
        /// request continuing it (`previous_response_id`) is read after.
        public var conversation: [JSON]

        public init(response: JSON, input: [JSON], conversation: [JSON]) {
            self.response = response
            self.input = input
            self.conversation = conversation
        }
    }

    public let capacity: Int
    /// Where each response is written as `<id>.json` (readable by the server's user only);
    /// nil keeps them in memory only.
    public let directory: String?
    private let state = Mutex<(entries: [String: Entry], order: [String])>(([:], []))
    private let logger = Logger(label: "hearth.responses")

    /// Responses in memory only.
    public init(capacity: Int = 1000) {
        self.capacity = capacity
        directory = nil
    }

    /// Responses in memory and in `directory`: reads those already there, the most recently
    /// written last, up to `capacity` of them (older files are deleted).
    /// - Throws: when the directory cannot be created or listed.
    public init(capacity: Int, directory: String) throws {
        self.capacity = capacity
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
        let dated = files.map { name in
            let path = "\(directory)/\(name)"
            let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? .distantPast
            return (name: name, path: path, modified: modified)
        }
        var loaded: [String: Entry] = [:]
        var order: [String] = []
        for file in dated.sorted(by: { $0.modified < $1.modified }) {
            let id = String(file.name.dropLast(".json".count))
            guard let data = FileManager.default.contents(atPath: file.path), let entry = Self.entry(from: data) else {
                logger.warning("A stored response could not be read; it is left out", metadata: ["file": "\(file.path)"])
                continue
            }
            loaded[id] = entry
            order.append(id)
        }
        while order.count > capacity { try? FileManager.default.removeItem(atPath: "\(directory)/\(order.removeFirst()).json") }
        state.withLock { $0 = (loaded.filter { order.contains($0.key) }, order) }
    }

    /// The number of responses held.
    public var count: Int { state.withLock { $0.order.count } }

    /// The entry stored under `id`: from memory, else (with a directory) from its file, which
    /// another replica sharing the folder may have written (a cluster's shared `--responses-dir`).
    public func get(_ id: String) -> Entry? {
        let held = state.withLock { state -> Entry? in
            guard let entry = state.entries[id] else { return nil }
            state.order.removeAll { $0 == id }
            state.order.append(id)
            return entry
        }
        if let held { return held }
        guard let directory, Self.isFileName(id), let data = FileManager.default.contents(atPath: "\(directory)/\(id).json") else { return nil }
        return Self.entry(from: data)
    }

    public func put(_ id: String, _ entry: Entry) {
        put(id, entry, unless: { _ in false })
    }

    /// Stores `entry` unless the entry stored under `id` meets `keep` (checked under the same
    /// lock as the write).
    private func put(_ id: String, _ entry: Entry, unless keep: (Entry) -> Bool) {
        let evicted = state.withLock { state -> [String]? in
            if let current = state.entries[id], keep(current) { return nil }
            state.entries[id] = entry
            state.order.removeAll { $0 == id }
            state.order.append(id)
            var evicted: [String] = []
            while state.order.count > capacity {
                let oldest = state.order.removeFirst()
                state.entries[oldest] = nil
                evicted.append(oldest)
            }
            return evicted
        }
        guard let evicted else { return }
        write(id, entry)
        for old in evicted where Self.isFileName(old) { try? FileManager.default.removeItem(atPath: "\(directory ?? "")/\(old).json") }
    }

    // MARK: Background responses

    /// Tasks of background responses still generating, by id.
    private let tasks = Mutex<[String: Task<Void, Never>]>([:])

    /// Remembers a background response's task, so ``cancel(_:)`` can stop it.
    func track(_ id: String, _ task: Task<Void, Never>) {
        tasks.withLock { $0[id] = task }
    }

    /// Stores a background response's end, unless it was cancelled meanwhile.
    func settle(_ id: String, _ entry: Entry) {
        tasks.withLock { $0[id] = nil }
        put(id, entry, unless: { $0.response["status"] == "cancelled" })
    }

    /// Stops a background response still generating and marks it `cancelled`; one that has
    /// ended stays as it ended.
    /// - Returns: the stored entry after it, nil when none is stored.
    func cancel(_ id: String) -> Entry? {
        tasks.withLock { $0.removeValue(forKey: id) }?.cancel()
        let (entry, changed) = state.withLock { state -> (Entry?, Bool) in
            guard var entry = state.entries[id] else { return (nil, false) }
            guard ["queued", "in_progress"].contains(entry.response["status"]?.string) else { return (entry, false) }
            entry.response = entry.response.setting("status", to: "cancelled")
            state.entries[id] = entry
            return (entry, true)
        }
        if changed, let entry { write(id, entry) }
        return entry
    }

    /// Writes an entry's file (when a directory is set), replacing it whole.
    private func write(_ id: String, _ entry: Entry) {
        guard let directory, Self.isFileName(id) else { return }
        let path = "\(directory)/\(id).json"
        let written = FileManager.default.createFile(
            atPath: path + ".tmp",
            contents: Data(Self.document(entry).serialized.utf8),
            attributes: [.posixPermissions: 0o600]
        )
        if !written || rename(path + ".tmp", path) != 0 {
            logger.warning("A response could not be written; it is kept in memory only", metadata: ["file": "\(path)"])
        }
    }

    /// - Returns: whether it was stored.
    public func remove(_ id: String) -> Bool {
        let removed = state.withLock { state in
            state.order.removeAll { $0 == id }
            return state.entries.removeValue(forKey: id) != nil
        }
        if removed, let directory, Self.isFileName(id) { try? FileManager.default.removeItem(atPath: "\(directory)/\(id).json") }
        return removed
    }

    /// Ids are made by the server (`resp_` and letters), but a file name is checked anyway.
    private static func isFileName(_ id: String) -> Bool {
        !id.isEmpty && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    private static func document(_ entry: Entry) -> JSON {
        ["response": entry.response, "input": .array(entry.input), "conversation": .array(entry.conversation)]
    }

    private static func entry(from data: Data) -> Entry? {
        guard let json = try? JSON(parsing: data), let response = json["response"], case .array(let input)? = json["input"],
            case .array(let conversation)? = json["conversation"]
        else { return nil }
        return Entry(response: response, input: input, conversation: conversation)
    }
}
