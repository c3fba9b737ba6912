extension Scheduler {
    /// The next batch: the last sampled token of every generating slot, then prompt chunks.
    ///
    /// Prompts share at most ``Configuration/prefillChunk`` tokens per tick, shortest remaining
    /// prompt first, and after the first only prompts that finish within the tick, so with
    /// several prompts waiting they finish (and start streaming) one after another instead of
    /// all at the end; a prompt passed over ``Configuration/starvationLimit`` times goes first. Generating slots get their token in
    /// every tick. Prompts that need every token's logits (prompt logprobs) come last and take
    /// only the logit rows left. Sequences with other LoRA adapters than the tick's wait for a
    /// tick of their own: the set whose sequence was served longest ago goes next.
    /// - Returns: nil when no slot has work.
    mutating func planTick() -> Tick? {
        guard let adapters = nextAdapters() else { return nil }
        ticks += 1
        var tick = Tick(adapters: adapters)
        var budget = configuration.batchSize
        var generating = slots.indices.filter { slots[$0].phase == .generating && slots[$0].job!.adapters == adapters }
        let evaluating = slots.indices.filter { slots[$0].phase == .evaluatingPrompt && slots[$0].job!.adapters == adapters }
        // Sequences whose sampling ran past their share sit out while others have work.
        let settled = generating.filter { slots[$0].samplingDebt <= 0 }
        if !settled.isEmpty || !evaluating.isEmpty { generating = settled }
        // Logit rows left for drafts once every sequence has its own.
        var draftRows = min(configuration.outputLimit - generating.count - evaluating.count, budget - generating.count - evaluating.count)
        for index in generating {
            let position = slots[index].cachedTokens.count
            let draft = draftRows > 0 ? self.draft(index, limit: draftRows, sequences: generating.count) : []
            tick.decoding.append(Logits(slot: index, batchIndex: tick.tokens.count, draft: draft))
            tick.tokens.append(BatchToken(slot: index, token: slots[index].lastToken, position: position, wantsLogits: true))
            for (offset, token) in draft.enumerated() {
                tick.tokens.append(BatchToken(slot: index, token: token, position: position + 1 + offset, wantsLogits: true))
            }
            draftRows -= draft.count
            budget -= 1 + draft.count
        }
        var prefill = min(budget, configuration.prefillChunk)
        // Every prompt being evaluated may need one logit row for its last token.
        var outputs = tick.tokens.count + evaluating.count
        for index in prefillOrder(evaluating) where prefill > 0 {
            let allLogits = slots[index].job!.wantsPromptLogits
            // This slot's own reserved row is part of what it may use.
            let limit = allLogits ? min(prefill, configuration.outputLimit - outputs + 1) : prefill
            guard limit > 0 else { continue }
            // After the first prompt of the tick, only prompts that finish in it join: a second
            // prompt's partial chunk would delay the first's answer without bringing its own.
            // (Prompts that want every logit advance by a few rows a tick whatever comes first.)
            guard tick.chunks.isEmpty || allLogits || slots[index].remainingPrompt <= limit else { continue }
            let slot = slots[index]
            let prompt = slot.job!.prompt
            let count = min(slot.remainingPrompt, limit)
            let endsPrompt = slot.cursor + count == prompt.count
            tick.chunks.append(Tick.Chunk(slot: index, start: slot.cursor, count: count, batchStart: tick.tokens.count, endsPrompt: endsPrompt))
            for offset in 0..<count {
                let isLast = endsPrompt && offset == count - 1
                tick.tokens.append(
                    BatchToken(
                        slot: index,
                        token: prompt[slot.cursor + offset],
                        position: slot.cachedTokens.count + offset,
                        wantsLogits: allLogits || isLast
                    )
                )
            }
            if allLogits { outputs += count - 1 }
            prefill -= count
        }
        let served = Set(tick.chunks.map(\.slot))
        for index in evaluating {
            slots[index].passedOver = served.contains(index) ? 0 : slots[index].passedOver + 1
        }
        for token in tick.tokens { slots[token.slot].lastServed = ticks }
        return tick.tokens.isEmpty ? nil : tick
    }

    /// The slot's draft for this tick: at most `limit` tokens, none past its context or its
    /// token limit (the verified tokens plus the one sampled after them must fit), priced at
    /// what drafts cost in a tick of `sequences` sequences.
    private mutating func draft(_ index: Int, limit: Int, sequences: Int) -> [Int32] {
        guard slots[index].speculator != nil, let job = slots[index].job else { return [] }
        let position = slots[index].cachedTokens.count
        var room = min(limit, configuration.contextLength - position - 2)
        if let maxTokens = job.maxTokens {
            // Tokens generated so far, the last sampled one (not yet in the cache) included.
            let generated = position + 1 - job.prompt.count
            room = min(room, maxTokens - generated - 1)
        }
        guard room > 0 else { return [] }
        let history = slots[index].cachedTokens + [slots[index].lastToken]
        return slots[index].speculator!.draft(
            history: history,
            outputStart: job.prompt.count,
            limit: room,
            costPerToken: verifyCost.perToken(sequences: sequences)
        )
    }

    /// The adapter set of the sequence with work that was served longest ago (first admitted
    /// on a tie); nil when no sequence has work.
    private func nextAdapters() -> AdapterSet.Key? {
        let working = slots.filter { $0.phase == .generating || $0.phase == .evaluatingPrompt }
        let first = working.min { ($0.lastServed, $0.arrival) < ($1.lastServed, $1.arrival) }
        return first?.job?.adapters
    }

    /// Starved prompts first (oldest first), then the shortest remaining, then by arrival;
    /// prompts that want all their logits after the others.
    private func prefillOrder(_ evaluating: [Int]) -> [Int] {
        evaluating.sorted { a, b in
            let (left, right) = (slots[a], slots[b])
            let (leftLogits, rightLogits) = (left.job!.wantsPromptLogits, right.job!.wantsPromptLogits)
            if leftLogits != rightLogits { return !leftLogits }
            let leftStarved = left.passedOver >= configuration.starvationLimit
            let rightStarved = right.passedOver >= configuration.starvationLimit
            if leftStarved != rightStarved { return leftStarved }
            if !leftStarved, left.remainingPrompt != right.remainingPrompt { return left.remainingPrompt < right.remainingPrompt }
            return left.arrival < right.arrival
        }
    }

    /// Records that a tick's batch was decoded: prompt chunks and decoded tokens are in the KV
    /// cache now. A leader that finished its prompt hands it to its followers.
    /// - Returns: the copies to make and the slots that sample.
    mutating func commit(_ tick: Tick) -> Outcome {
        var outcome = Outcome()
        for decoded in tick.decoding where slots[decoded.slot].phase == .generating {
            slots[decoded.slot].cachedTokens.append(slots[decoded.slot].lastToken)
            slots[decoded.slot].cachedTokens += decoded.draft
            outcome.samples.append(.init(slot: decoded.slot, batchIndex: decoded.batchIndex, promptDone: false, draft: decoded.draft))
        }
        for chunk in tick.chunks where slots[chunk.slot].phase == .evaluatingPrompt {
            let prompt = slots[chunk.slot].job!.prompt
            slots[chunk.slot].cachedTokens += prompt[chunk.start..<chunk.start + chunk.count]
            slots[chunk.slot].cursor += chunk.count
            guard chunk.endsPrompt else { continue }
            slots[chunk.slot].phase = .generating
            let batchIndex = chunk.batchStart + chunk.count - 1
            outcome.samples.append(.init(slot: chunk.slot, batchIndex: batchIndex, promptDone: true))
            for follower in followers(of: chunk.slot) {
                outcome.copies.append(.init(from: chunk.slot, to: follower))
                slots[follower].cachedTokens = slots[chunk.slot].cachedTokens
                slots[follower].cursor = prompt.count
                slots[follower].phase = .generating
                outcome.samples.append(.init(slot: follower, batchIndex: batchIndex, promptDone: true))
            }
        }
        return outcome
    }

    /// Records how many tokens of the slot's last draft were accepted (a prefix of it). The
    /// rejected ones leave the slot's cached tokens.
    /// - Returns: the position from which the slot's KV cells must be removed, when some were
    ///   rejected.
    mutating func verified(_ index: Int, draft: [Int32], accepted: Int) -> Int? {
        slots[index].speculator?.verified(accepted: accepted)
        let rejected = draft.count - accepted
        guard rejected > 0 else { return nil }
        slots[index].cachedTokens.removeLast(rejected)
        return slots[index].cachedTokens.count
    }

    /// Records how long a decoded tick took, to learn what verifying a draft costs. Ticks with
    /// prompt chunks say nothing about it and are not counted.
    mutating func timed(_ tick: Tick, seconds: Double) {
        // Every generating slot earns its share of the tick against its sampling debt; none
        // saves up more than one tick's share.
        let earned = configuration.samplingShare * seconds
        for index in slots.indices where slots[index].phase == .generating {
            slots[index].samplingDebt = max(slots[index].samplingDebt - earned, -earned)
        }
        guard tick.chunks.isEmpty else { return }
        verifyCost.observe(tokens: tick.tokens.count, sequences: tick.decoding.count, seconds: seconds)
    }

    /// How long a slot's sampling took after a tick (its grammar, its samplers): charged
    /// against its share of the decode loop's time.
    mutating func sampled(_ index: Int, seconds: Double) {
        slots[index].samplingDebt += seconds
    }

    /// The token a slot sampled; it goes into the next tick's batch.
    mutating func sampled(_ index: Int, token: Int32) {
        slots[index].lastToken = token
    }

    /// A tick's decode failed: the slots that had tokens in it (and followers waiting for
    /// them) lose their KV and their jobs.
    /// - Returns: the slots whose jobs fail.
    mutating func fail(_ tick: Tick) -> [Int] {
        let inBatch = Set(tick.tokens.map(\.slot))
        let failed = slots.indices.filter { index in
            if inBatch.contains(index) { return true }
            if case .waitingForLeader(let leader) = slots[index].phase { return inBatch.contains(leader) }
            return false
        }
        for index in failed {
            release(index)
            slots[index].cachedTokens = []
        }
        return failed
    }
}
