/// KV state of prompts that lost their sequence slot, kept in host RAM so that a later request
/// with the same prefix restores it instead of evaluating it again (`--cache-ram`).
///
/// Least recently used entries go first when the byte budget is exceeded. Owned by the decode
/// worker; a value type with no llama.cpp calls of its own, so it is tested without a model.
struct PromptCache {
    struct Entry {
        var tokens: [Int32]
        var state: [UInt8]
        /// The LoRA adapters the tokens were evaluated with.
        var adapters: AdapterSet.Key
        fileprivate var lastUse: UInt64
    }

    /// A stored prefix worth restoring for a prompt.
    struct Match {
        var index: Int
        /// Tokens the entry shares with the prompt.
        var shared: Int
    }

    let capacityBytes: Int
    private(set) var entries: [Entry] = []
    private var clock: UInt64 = 0

    init(capacityBytes: Int) { self.capacityBytes = capacityBytes }

    var isEnabled: Bool { capacityBytes > 0 }
    var usedBytes: Int { entries.reduce(0) { $0 + $1.state.count } }

    /// Stores a sequence's state. Entries whose tokens are a prefix of the new ones (with the
    /// same adapters) are superseded; the least recently used go until the new one fits.
    mutating func insert(tokens: [Int32], state: [UInt8], adapters: AdapterSet.Key = .none) {
        guard isEnabled, state.count <= capacityBytes else { return }
        entries.removeAll { $0.adapters == adapters && tokens.starts(with: $0.tokens) }
        while usedBytes + state.count > capacityBytes, let oldest = entries.indices.min(by: { entries[$0].lastUse < entries[$1].lastUse }) {
            entries.remove(at: oldest)
        }
        clock += 1
        entries.append(Entry(tokens: tokens, state: state, adapters: adapters, lastUse: clock))
    }

    /// The entry evaluated with `adapters` sharing the longest prefix with `prompt`, if any
    /// shares at least `minimum`.
    func bestMatch(for prompt: [Int32], adapters: AdapterSet.Key = .none, minimum: Int) -> Match? {
        var best: Match?
        for (index, entry) in entries.enumerated() where entry.adapters == adapters {
            let shared = entry.tokens.commonPrefixLength(with: prompt)
            if shared >= minimum, shared > (best?.shared ?? 0) { best = Match(index: index, shared: shared) }
        }
        return best
    }

    /// Removes and returns an entry (it moves into a slot).
    mutating func take(_ match: Match) -> Entry {
        entries.remove(at: match.index)
    }
}
