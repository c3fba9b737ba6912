/// The LoRA adapters a generation runs with, each with its scale. Empty: the base model.
///
/// Sequences with different sets cannot share a batch (llama.cpp applies adapters to the whole
/// context), so the scheduler groups them by ``key``; KV computed under one set is reused only
/// by the same set.
public struct AdapterSet: Sendable {
    public struct Entry: Sendable {
        public var adapter: LoraAdapter
        public var scale: Float

        public init(adapter: LoraAdapter, scale: Float) {
            self.adapter = adapter
            self.scale = scale
        }
    }

    /// Adapters with a non-zero scale, in a canonical order.
    public private(set) var entries: [Entry]

    /// A set of adapters; those with scale 0 are left out, as llama.cpp leaves them out.
    public init(_ entries: [Entry] = []) {
        self.entries = entries.filter { $0.scale != 0 }.sorted { $0.adapter.serial < $1.adapter.serial }
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// What identifies the set without holding its adapters.
    public var key: Key { Key(entries.map { Key.Member(serial: $0.adapter.serial, scale: $0.scale) }) }

    /// The identity of an adapter set: adapter serials and scales.
    public struct Key: Hashable, Sendable {
        struct Member: Hashable, Sendable {
            var serial: Int
            var scale: Float
        }

        let members: [Member]

        init(_ members: [Member]) { self.members = members }

        /// The base model, no adapter.
        public static let none = Key([])
    }
}
