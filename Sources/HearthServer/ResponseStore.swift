import OrderedJSON
import Synchronization

/// Responses kept for `previous_response_id` and the retrieval endpoints (`store`, OpenAI's
/// default): in memory, the least recently used dropped beyond ``capacity`` (`--responses-max`).
public final class ResponseStore: Sendable {
    /// A stored response.
    public struct Entry: Sendable {
        /// The response object as it was returned.
        public var response: JSON
        /// The request's input items, with ids.
        public var input: [JSON]
        /// Every item of the conversation up to and including this response's output: what a
        /// request continuing it (`previous_response_id`) is read after.
        public var conversation: [JSON]
    }

    public let capacity: Int
    private let state = Mutex<(entries: [String: Entry], order: [String])>(([:], []))

    public init(capacity: Int = 1000) { self.capacity = capacity }

    public func get(_ id: String) -> Entry? {
        state.withLock { state in
            guard let entry = state.entries[id] else { return nil }
            state.order.removeAll { $0 == id }
            state.order.append(id)
            return entry
        }
    }

    public func put(_ id: String, _ entry: Entry) {
        state.withLock { state in
            state.entries[id] = entry
            state.order.removeAll { $0 == id }
            state.order.append(id)
            while state.order.count > capacity { state.entries[state.order.removeFirst()] = nil }
        }
    }

    /// - Returns: whether it was stored.
    public func remove(_ id: String) -> Bool {
        state.withLock { state in
            state.order.removeAll { $0 == id }
            return state.entries.removeValue(forKey: id) != nil
        }
    }
}
