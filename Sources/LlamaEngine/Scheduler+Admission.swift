extension Scheduler {
    /// Puts a job (and the further choices that share its prompt) on free slots.
    ///
    /// The job takes the free slot whose cached tokens share the longest prefix with its prompt
    /// (among slots of which it keeps at least half; else the slot holding the least), so that
    /// only the new suffix is evaluated and a long conversation is not discarded for a shared
    /// system prompt; with a prompt cache, a stored prefix longer than
    /// any slot's is restored first, and a slot about to lose most of its cached tokens is
    /// stored before they go. Followers take the free slots holding the least and wait for the
    /// leader's prompt.
    /// - Precondition: `1 + followers.count` slots are free.
    /// - Returns: the KV steps to carry out, in order, and the slot of each job (leader first).
    mutating func admit(_ job: Job, followers: [Job] = []) -> (steps: [CacheStep], slots: [Int]) {
        var steps: [CacheStep] = []
        let prompt = job.prompt
        let free = slots.indices.filter { slots[$0].phase == .idle }
        func shared(_ index: Int) -> Int {
            guard job.reusesCache, slots[index].cachedAdapters == job.adapters else { return 0 }
            return slots[index].cachedTokens.commonPrefixLength(with: prompt)
        }
        // A slot is worth reusing when the job keeps at least half of what it holds; taking one
        // for a short shared head (a system prompt) would discard a long conversation that its
        // next turn could have reused. Otherwise the job takes the free slot holding the least.
        let keepers = free.filter { shared($0) > 0 && shared($0) * 2 >= slots[$0].cachedTokens.count }
        var best =
            keepers.max { shared($0) < shared($1) }
            ?? free.min { (slots[$0].cachedTokens.count, -shared($0)) < (slots[$1].cachedTokens.count, -shared($1)) }!
        if job.reusesCache,
            let match = promptCache.bestMatch(for: prompt, adapters: job.adapters, minimum: shared(best) + configuration.minimumCachedPrefix)
        {
            // Restore into the free slot holding the least, after storing what it holds.
            best = free.min { slots[$0].cachedTokens.count < slots[$1].cachedTokens.count }!
            let entry = promptCache.take(match)
            steps += stash(best)
            steps.append(.restore(slot: best, tokens: entry.tokens, state: entry.state))
            slots[best].cachedTokens = entry.tokens
            slots[best].cachedAdapters = entry.adapters
        }
        // At least the last prompt token is evaluated again: its logits give the first token.
        let reused = min(shared(best), prompt.count - 1)
        if reused < slots[best].cachedTokens.count / 2 { steps += stash(best) }
        steps.append(.trim(slot: best, keep: reused))
        start(job, on: best, reusing: reused)
        var taken = [best]
        for follower in followers {
            let index = slots.indices.filter { slots[$0].phase == .idle }.min {
                slots[$0].cachedTokens.count < slots[$1].cachedTokens.count
            }!
            steps += stash(index)
            steps.append(.trim(slot: index, keep: 0))
            start(follower, on: index, reusing: 0)
            slots[index].phase = .waitingForLeader(best)
            taken.append(index)
        }
        return (steps, taken)
    }

    private mutating func start(_ job: Job, on index: Int, reusing reused: Int) {
        arrivals += 1
        slots[index].job = job
        slots[index].phase = reused < job.prompt.count ? .evaluatingPrompt : .generating
        slots[index].cachedTokens.removeSubrange(min(reused, slots[index].cachedTokens.count)...)
        slots[index].cachedAdapters = job.adapters
        slots[index].cursor = reused
        slots[index].reused = reused
        slots[index].lastToken = -1
        slots[index].passedOver = 0
        slots[index].arrival = arrivals
        slots[index].lastServed = 0
        slots[index].speculator =
            job.speculation.isEnabled && !job.wantsPromptLogits ? Speculator(settings: job.speculation, prediction: job.prediction) : nil
    }

    /// A stash step for the slot, when the cache is on and it holds enough to be worth storing.
    private func stash(_ index: Int) -> [CacheStep] {
        let tokens = slots[index].cachedTokens
        guard promptCache.isEnabled, tokens.count >= configuration.minimumCachedPrefix else { return [] }
        return [.stash(slot: index, tokens: tokens, adapters: slots[index].cachedAdapters)]
    }

    /// Records the state a ``CacheStep/stash(slot:tokens:adapters:)`` step read.
    mutating func store(tokens: [Int32], state: [UInt8], adapters: AdapterSet.Key = .none) {
        promptCache.insert(tokens: tokens, state: state, adapters: adapters)
    }

    /// A restore or trim failed and the slot's KV was dropped: it holds nothing, and its job
    /// evaluates its whole prompt.
    mutating func forget(_ index: Int) {
        slots[index].cachedTokens = []
        if slots[index].phase == .evaluatingPrompt || slots[index].phase == .generating, let job = slots[index].job {
            slots[index].cursor = 0
            slots[index].reused = 0
            slots[index].phase = job.prompt.isEmpty ? .generating : .evaluatingPrompt
        }
    }

    /// Frees a slot whose job ended. The slot keeps its KV for prefix reuse.
    mutating func release(_ index: Int) {
        slots[index].phase = .idle
        slots[index].job = nil
        slots[index].cursor = 0
        slots[index].lastToken = -1
        slots[index].samplingDebt = 0
    }

    /// Followers still waiting for the leader on `index`.
    func followers(of index: Int) -> [Int] {
        slots.indices.filter { slots[$0].phase == .waitingForLeader(index) }
    }
}

extension Array where Element: Equatable {
    func commonPrefixLength(with other: [Element]) -> Int {
        var length = 0
        while length < count, length < other.count, self[length] == other[length] { length += 1 }
        return length
    }
}
