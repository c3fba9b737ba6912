/// The decode loop's policy, as a value: which sequence slot a job takes, what is stored in or
/// restored from the prompt cache, which tokens and prompt chunks go into each tick's batch, and
/// which slots sample afterwards.
///
/// It makes no llama.cpp call. Each method returns what to do; ``DecodeLoop`` does it with
/// llama.cpp and reports back (``commit(_:)``, ``sampled(_:token:)``, ``release(_:)``), so the
/// whole policy is tested without a model.
struct Scheduler {
    struct Configuration: Equatable {
        var slotCount: Int
        /// Most tokens in one batch (`--batch-size`).
        var batchSize: Int
        /// Most prompt tokens evaluated per tick, so that a tick holding a prompt still ends
        /// soon and prompts finish one after another (llama.cpp computes a micro-batch of this
        /// size in one pass anyway).
        var prefillChunk: Int
        /// Logit rows one batch may ask for (llama.cpp's `n_outputs_max`).
        var outputLimit: Int
        /// Prefixes shorter than this are cheaper to evaluate again than to store and restore.
        var minimumCachedPrefix = 64
        /// Ticks a prompt may be passed over for shorter ones before it goes first.
        var starvationLimit = 4
        /// Bytes of host RAM for the prompt cache (0: off).
        var promptCacheBytes = 0
        /// Tokens of context each sequence has: drafts never run past it.
        var contextLength = Int.max
        /// The share of the decode loop's time that one sequence's sampling may take beyond the
        /// decode itself. A sequence whose grammar costs more a token (a long `enum` checked
        /// against the whole vocabulary) decodes in fewer ticks, so the others keep at least
        /// 1 / (1 + share) of their speed.
        var samplingShare = 0.2
    }

    /// What scheduling needs to know of a job.
    struct Job: Equatable {
        var id: Int
        var prompt: [Int32]
        /// A cached prefix may be reused (no prompt logprobs, no seed; see ``DecodeLoop``).
        var reusesCache: Bool
        /// Every prompt token needs its logits (prompt logprobs).
        var wantsPromptLogits: Bool
        /// The LoRA adapters it runs with: only jobs with the same set share a tick.
        var adapters = AdapterSet.Key.none
        /// Speculative decoding (``SpeculationSettings/off``: none).
        var speculation = SpeculationSettings.off
        /// The predicted output's tokens, drafted from first.
        var prediction: [Int32] = []
        /// Tokens it may generate at most: drafts never run past it.
        var maxTokens: Int?
    }

    /// Where a slot's job is.
    enum Phase: Equatable {
        case idle
        /// A further choice of a multi-choice job, waiting for the leader on that slot to
        /// evaluate the shared prompt.
        case waitingForLeader(Int)
        case evaluatingPrompt
        case generating
    }

    /// One KV sequence (its `seq_id` is its index).
    struct Slot: Equatable {
        var phase = Phase.idle
        var job: Job?
        /// Tokens whose keys and values are in the KV cache, in position order; kept after the
        /// job ends so the next job can reuse a shared prefix.
        var cachedTokens: [Int32] = []
        /// The adapters ``cachedTokens`` were evaluated with.
        var cachedAdapters = AdapterSet.Key.none
        /// Index of the next prompt token to evaluate.
        var cursor = 0
        /// Prompt tokens that were already in the KV cache when the job started.
        var reused = 0
        /// The last sampled token, decoded in the next tick.
        var lastToken: Int32 = -1
        /// Ticks this prompt got no tokens while others did.
        var passedOver = 0
        /// Admission order, for ties.
        var arrival = 0
        /// Drafting for a generating job that speculates.
        var speculator: Speculator?
        /// The last tick that had tokens of this slot, so that adapter sets take turns.
        var lastServed = 0
        /// Seconds of sampling this slot took beyond its share of the ticks (see
        /// ``Scheduler/samplingShare``): while positive, it sits out ticks that others decode in.
        var samplingDebt = 0.0

        var remainingPrompt: Int { (job?.prompt.count ?? 0) - cursor }
    }

    /// A step of admission for the decode loop to carry out, in order.
    enum CacheStep: Equatable {
        /// Store the slot's KV state, which holds `tokens` evaluated with `adapters`, in the
        /// prompt cache (then call ``store(tokens:state:adapters:)``).
        case stash(slot: Int, tokens: [Int32], adapters: AdapterSet.Key = .none)
        /// Load a stored prefix into the slot, replacing what it held; on failure call
        /// ``forget(_:)``.
        case restore(slot: Int, tokens: [Int32], state: [UInt8])
        /// Drop the slot's KV from position `keep` on; on failure drop all and call
        /// ``forget(_:)``.
        case trim(slot: Int, keep: Int)
    }

    /// One token of a tick's batch.
    struct BatchToken: Equatable {
        var slot: Int
        var token: Int32
        var position: Int
        var wantsLogits: Bool
    }

    /// A tick's batch and what it means.
    struct Tick: Equatable {
        /// The adapters every sequence in the batch runs with.
        var adapters = AdapterSet.Key.none
        var tokens: [BatchToken] = []
        /// Prompt chunks in the batch: `count` prompt tokens from `start`, at batch index
        /// `batchStart` onwards.
        var chunks: [Chunk] = []
        /// Generating slots and where their logits are.
        var decoding: [Logits] = []

        struct Chunk: Equatable {
            var slot: Int
            var start: Int
            var count: Int
            var batchStart: Int
            /// The chunk ends the prompt: its last token's logits give the first sampled token.
            var endsPrompt: Bool
        }
    }

    /// Where a slot's logits are in the batch: its last sampled token's at `batchIndex`, then
    /// one row for each drafted token after it.
    struct Logits: Equatable {
        var slot: Int
        var batchIndex: Int
        /// Drafted tokens, in the batch right after the slot's last sampled token.
        var draft: [Int32] = []
    }

    /// What a decoded tick leaves to do.
    struct Outcome: Equatable {
        /// Copy the leader's KV cells to a follower (`llama_memory_seq_cp`), before sampling.
        var copies: [Copy] = []
        /// Slots that sample now; `promptDone` when the prompt was just evaluated (or copied).
        var samples: [Sample] = []

        struct Copy: Equatable {
            var from: Int
            var to: Int
        }

        /// Sample at `batchIndex`; while the sampled token equals the next drafted token, it is
        /// accepted and the next row is sampled (``Scheduler/verified(_:accepted:)``).
        struct Sample: Equatable {
            var slot: Int
            var batchIndex: Int
            var promptDone: Bool
            var draft: [Int32] = []
        }
    }

    let configuration: Configuration
    // Changed only by the scheduler's own methods (in its extensions); the decode loop reads them.
    var slots: [Slot]
    var promptCache: PromptCache
    var arrivals = 0
    var ticks = 0
    /// What a drafted token costs, learnt from timed ticks.
    var verifyCost = VerifyCost()

    init(_ configuration: Configuration) {
        self.configuration = configuration
        slots = Array(repeating: Slot(), count: configuration.slotCount)
        promptCache = PromptCache(capacityBytes: configuration.promptCacheBytes)
    }

    var freeSlots: Int { slots.count { $0.phase == .idle } }
    var busySlots: Int { slots.count - freeSlots }
    var isIdle: Bool { freeSlots == slots.count }
}
