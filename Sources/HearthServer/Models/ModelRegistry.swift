import LlamaEngine
import Logging
import OpenAIAPI

/// Which models are loaded, and which one serves a request.
///
/// A request's `model` that names an installed model (``ModelCatalog``) is served by it, loaded
/// if needed; any other name is served by the default model (as text-generation-webui does, so
/// clients hard-wired to `gpt-4o-mini` keep working), or is a 404 with `strictNames`. At most
/// `maxResident` models stay loaded: to load another, the least recently used idle one is
/// unloaded. A model is idle when no request holds a lease on it and its engine runs and queues
/// nothing, so a model is never unloaded under a running generation; a request that finds every
/// resident model busy waits (up to `waitLimit`, then 503 with `Retry-After`).
///
/// Requests hold a lease from choosing the model until their generation is queued in its
/// engine; from then on the engine's own count keeps the model busy.
public actor ModelRegistry {
    /// How many models stay loaded, for how long, and how names are read.
    public struct Policy: Sendable {
        /// Models resident at once (`--models-max`).
        public var maxResident = 1
        /// Unload a model idle for this long (`--model-ttl`); nil keeps it.
        public var idleTTL: Duration?
        /// A name that is no installed model is a 404 (`--strict-model-names`).
        public var strictNames = false
        /// How long a request waits for a busy model to become unloadable.
        public var waitLimit: Duration = .seconds(120)

        public init() {}
    }

    /// Loads a model (blocking work belongs off the cooperative pool; the loader's business).
    public typealias Loader = @Sendable (ModelCatalog.Entry, LoadOverrides) async throws -> ServedModel

    private struct Resident {
        var model: ServedModel
        var lastUse: ContinuousClock.Instant
        var leases = 0
        /// Set by an Ollama request's `keep_alive`, over the policy's TTL.
        var keepAlive: OllamaKeepAlive?
        var isIdle: Bool { leases == 0 && model.engine.activeGenerations == 0 }
    }

    private let directory: String
    private let extra: ModelCatalog.Entry?
    private let policy: Policy
    private let loader: Loader
    private let logger: Logger
    /// The model that serves names of no installed model (text-generation-webui's loaded model).
    public private(set) var defaultID: String
    private var resident: [String: Resident] = [:]
    private var loading: [String: Task<ServedModel, any Error>] = [:]
    private var scanned: (catalog: ModelCatalog, at: ContinuousClock.Instant)?
    /// Settings a `model/load` gave a model, kept for reloads.
    private var overrides: [String: LoadOverrides] = [:]
    /// Models being unloaded to make way for a load: new leases of them wait, so that a load
    /// under steady traffic gets its turn once the running generations end.
    private var closing: Set<String> = []
    /// Requests waiting for a model to stop closing.
    private var closingWaiters: [CheckedContinuation<Void, Never>] = []
    /// Signalled when a model may have become idle: its last lease ended, or its engine ran out
    /// of generations (each resident engine's ``GenerationEngine/becameIdle`` relays here).
    private let changes = ChangeSignal()
    /// Why the default model is not loaded, after a `model/load` failed and the previous model
    /// could not be loaded back either; `/health` reports it.
    public private(set) var defaultLoadFailure: String?
    /// The RPC worker (`--rpc`) that kept the last load from succeeding, until a load succeeds.
    private var unreachableWorker: (worker: String, reason: String)?

    /// - Parameters:
    ///   - directory: `--model-dir`, scanned again whenever a name is not found.
    ///   - initial: the default model, already loaded (start-up fails on a bad default model).
    ///   - entry: the default model's catalog entry (added when it lives outside `directory`).
    public init(
        directory: String,
        initial: ServedModel,
        entry: ModelCatalog.Entry,
        policy: Policy = Policy(),
        logger: Logger,
        loader: @escaping Loader
    ) {
        self.directory = directory
        self.extra = entry
        self.policy = policy
        self.loader = loader
        self.logger = logger
        defaultID = initial.id
        resident[initial.id] = Resident(model: initial, lastUse: .now)
        initial.engine.becameIdle.relay(to: changes)
    }

    /// A registry of one model, which serves every name (tests, scripted engines).
    public init(serving model: ServedModel, logger: Logger) {
        self.init(
            directory: "",
            initial: model,
            entry: ModelCatalog.Entry(id: model.id, path: "", modified: model.created),
            logger: logger,
            loader: { entry, _ in throw OpenAIError.modelNotFound(entry.id) }
        )
    }

    /// The installed models, loaded ones first (most recently used first), then by id.
    public func installed() -> (loaded: [ModelCatalog.Entry], available: [ModelCatalog.Entry]) {
        let catalog = currentCatalog()
        let loaded = loadedIDs.compactMap { id in catalog.entries.first { $0.id == id } }
        return (loaded, catalog.entries.filter { resident[$0.id] == nil })
    }

    /// The ids of the loaded models.
    public var loadedIDs: [String] { resident.sorted { $0.value.lastUse > $1.value.lastUse }.map(\.key) }

    /// The engines' load, summed over the loaded models.
    public func statistics() -> EngineStatistics {
        resident.values.map(\.model.engine.statistics).reduce(EngineStatistics(), +)
    }

    /// The model `name` means, loaded and leased to the caller, who must ``release(_:)`` it.
    /// - Throws: 404 for an unknown name with `strictNames`; 503 when every resident model stays
    ///   busy past the wait limit; the loader's failure as a 500 naming the file.
    public func lease(_ name: String?) async throws -> ServedModel {
        if draining { throw OpenAIError.draining }
        var entry = try resolve(name)
        while closing.contains(entry.id) {
            await withCheckedContinuation { closingWaiters.append($0) }
            entry = try resolve(name)
        }
        let model = try await loaded(entry)
        resident[model.id]?.leases += 1
        resident[model.id]?.lastUse = .now
        return model
    }

    /// Ends a lease (after the request's generation is queued, or the request failed).
    public func release(_ model: ServedModel) {
        guard resident[model.id]?.model.serial == model.serial else { return }
        resident[model.id]?.leases -= 1
        resident[model.id]?.lastUse = .now
        if resident[model.id]?.leases == 0 { changes.signal() }
    }

    /// text-generation-webui's `model/load`: makes `name` the default model and loads it with
    /// `overrides` (reloading it if it is loaded); the previous default is unloaded once idle.
    public func load(_ name: String, overrides: LoadOverrides) async throws -> ServedModel {
        let catalog = currentCatalog()
        guard let entry = catalog.entry(named: name) else { throw OpenAIError.modelNotFound(name).with(param: "model_name") }
        let previousOverrides = self.overrides[entry.id]
        self.overrides[entry.id] = overrides
        let wasResident = resident[entry.id] != nil
        closing.insert(entry.id)
        defer { reopen(entry.id) }
        if wasResident { await unload(entry.id) }
        let model: ServedModel
        do {
            model = try await loaded(entry)
        } catch {
            // A failed load changes nothing: the default model stays the default, loaded again
            // as it was if the load had unloaded it.
            self.overrides[entry.id] = previousOverrides
            if wasResident {
                do {
                    _ = try await loaded(entry)
                } catch {
                    defaultLoadFailure = "'\(entry.id)' failed to load and could not be loaded back as it was"
                }
            }
            throw error
        }
        let previous = defaultID
        defaultID = entry.id
        defaultLoadFailure = nil
        if previous != entry.id, resident[previous] != nil { await unload(previous) }
        return model
    }

    /// Lets leases of `id` through again.
    private func reopen(_ id: String) {
        closing.remove(id)
        let waiters = closingWaiters
        closingWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    /// The id of a loaded model a client's name means (its id or file name), if it is loaded.
    public func loadedID(named name: String) -> String? {
        if resident[name] != nil { return name }
        return currentCatalog().entry(named: name).map(\.id).flatMap { resident[$0] != nil ? $0 : nil }
    }

    /// Why the server cannot serve now, for `/health`: the default model is missing after a
    /// failed `model/load`, or an RPC worker of a model is lost or was unreachable at its last
    /// load and still refuses connections (once it accepts them, the next request loads the
    /// model again, so the answer is ok).
    ///
    /// The worker is probed off the registry's actor: a silent host costs the probe's timeout,
    /// and requests that need the registry do not wait on it.
    public nonisolated func healthProblem() async -> String? {
        switch await healthSuspect() {
        case nil:
            return nil
        case .failure(let message)?:
            return message
        case .worker(let worker, let reason)?:
            // A refused connection answers at once; a silent host costs the timeout, once per check.
            if (try? RPCEndpoint(parsing: worker).probe(timeout: .milliseconds(200))) != nil { return nil }
            return "the RPC worker \(worker) holding some of the model's layers cannot be reached: \(reason)"
        }
    }

    /// What `/health` has to report or check: a failed default load, or a worker to probe.
    private enum HealthSuspect {
        case failure(String)
        case worker(String, reason: String)
    }

    private func healthSuspect() -> HealthSuspect? {
        if let defaultLoadFailure { return .failure(defaultLoadFailure) }
        let lost = resident.values.lazy.compactMap { $0.model.engine.lostWorker }.first
        guard let (worker, reason) = lost.map({ ($0, "it stopped answering") }) ?? unreachableWorker else { return nil }
        return .worker(worker, reason: reason)
    }

    /// Unloads a model (the default one when `id` is nil) once its running generations end.
    public func unload(_ id: String? = nil) async {
        let id = id ?? defaultID
        if resident[id]?.isIdle == false {
            logger.info("Waiting for running generations before unloading", metadata: ["model": "\(id)"])
        }
        while resident[id]?.isIdle == false {
            // The ticket comes before the check: a change in between still wakes the wait.
            let ticket = changes.ticket()
            guard resident[id]?.isIdle == false else { break }
            await changes.wait(ticket)
        }
        guard Self.stop(resident.removeValue(forKey: id)) else { return }
        // The model's last reference went with `stop`: its memory is free; give it back.
        MemoryRelease.trim()
        logger.info("Model unloaded", metadata: ["model": "\(id)"])
    }

    /// Stops a removed model's engine (its decode thread exits), dropping the reference.
    private static func stop(_ removed: Resident?) -> Bool {
        guard let removed else { return false }
        removed.model.engine.shutdown()
        return true
    }

    /// Unloads every model idle for longer than its TTL: its `keep_alive`, else `--model-ttl`
    /// (called every second).
    public func unloadExpired(now: ContinuousClock.Instant = .now) async {
        for (id, model) in resident where model.isIdle {
            guard let expiry = expiry(of: model), expiry <= now else { continue }
            await unload(id)
        }
    }

    /// Sets how long a loaded model stays loaded once idle (Ollama's `keep_alive`), replacing
    /// `--model-ttl` for it until another request sets it again.
    public func keepAlive(_ id: String, _ value: OllamaKeepAlive) {
        resident[id]?.keepAlive = value
    }

    /// The context each sequence of a loaded model has (`--ctx-size`, or its `model/load`
    /// setting); nil when it is not loaded.
    public func contextLength(of id: String) -> Int? {
        resident[id]?.model.engine.contextLength
    }

    /// When a loaded model will be unloaded if no request comes: nil for never.
    public func expiry(of id: String) -> ContinuousClock.Instant? {
        resident[id].flatMap(expiry(of:))
    }

    private func expiry(of model: Resident) -> ContinuousClock.Instant? {
        switch model.keepAlive {
        case .forever?: nil
        case .idle(let ttl)?: model.lastUse + ttl
        case nil: policy.idleTTL.map { model.lastUse + $0 }
        }
    }

    /// Ends every running and waiting generation of every loaded model (`stop-generation`).
    public func stopAll() {
        for model in resident.values { model.model.engine.stopAll() }
    }

    /// Graceful shutdown of every loaded model's engine.
    /// Set once SIGTERM has arrived and the server lets running generations finish
    /// (`--drain-seconds`): `/health` answers 503 and new requests are refused with 503, which a
    /// load balancer retries on another replica (nothing was generated).
    public private(set) var draining = false

    /// Refuses new requests from now on (see ``draining``).
    public func beginDraining() { draining = true }

    /// Waits until no loaded model has a request holding it or a generation running or
    /// queued, or until `deadline`.
    public func waitUntilIdle(until deadline: ContinuousClock.Instant) async {
        while !resident.values.allSatisfy(\.isIdle), ContinuousClock.now < deadline {
            // The ticket comes before the check: a change in between still wakes the wait.
            let ticket = changes.ticket()
            guard !resident.values.allSatisfy(\.isIdle) else { return }
            await changes.wait(ticket, until: deadline)
        }
    }

    public func drainAll() async {
        for model in resident.values { await model.model.engine.drain() }
    }

    // MARK: Choosing and loading

    /// The installed models, scanned at most once a second (every request resolves its name
    /// here; a model copied into the folder is found within a second).
    private func currentCatalog() -> ModelCatalog {
        if let scanned, scanned.at.duration(to: .now) < .seconds(1) { return scanned.catalog }
        let catalog = ModelCatalog.scan(directory: directory, adding: extra)
        scanned = (catalog, .now)
        return catalog
    }

    private func resolve(_ name: String?) throws -> ModelCatalog.Entry {
        let catalog = currentCatalog()
        if let name, !name.isEmpty, let entry = catalog.entry(named: name) { return entry }
        if let name, !name.isEmpty, policy.strictNames { throw OpenAIError.modelNotFound(name) }
        if let entry = catalog.entry(named: defaultID) { return entry }
        // The default model's file went away: the loaded copy still serves.
        if let model = resident[defaultID]?.model { return ModelCatalog.Entry(id: defaultID, path: "", modified: model.created) }
        throw OpenAIError.modelNotFound(name ?? defaultID)
    }

    private func loaded(_ entry: ModelCatalog.Entry) async throws -> ServedModel {
        while true {
            if let model = resident[entry.id]?.model {
                guard let worker = model.engine.lostWorker else { return model }
                // Its layers on that worker are gone: load it again (connecting afresh), once
                // the generations on it have failed.
                logger.warning("An RPC worker was lost; loading the model again", metadata: ["model": "\(entry.id)", "rpc.worker": "\(worker)"])
                await unload(entry.id)
                continue
            }
            if let pending = loading[entry.id] {
                _ = try? await pending.value
                if resident[entry.id] == nil, let failure = await pending.result.failure { throw loadFailure(entry, failure, logged: true) }
                continue
            }
            try await makeRoom()
            if resident[entry.id] != nil || loading[entry.id] != nil { continue }
            let task = Task { [loader, overrides] in try await loader(entry, overrides[entry.id] ?? LoadOverrides()) }
            loading[entry.id] = task
            defer { loading[entry.id] = nil }
            do {
                let model = try await task.value
                unreachableWorker = nil
                resident[entry.id] = Resident(model: model, lastUse: .now)
                model.engine.becameIdle.relay(to: changes)
                return model
            } catch {
                throw loadFailure(entry, error, logged: false)
            }
        }
    }

    /// A failed load as the client sees it: the file's name, not its path (the log has the
    /// details, once).
    private func loadFailure(_ entry: ModelCatalog.Entry, _ error: any Error, logged: Bool) -> OpenAIError {
        if let error = error as? OpenAIError { return error }
        if !logged { logger.error("Model failed to load", metadata: ["model": "\(entry.id)", "error": "\(error)"]) }
        switch error as? LlamaError {
        case .remoteWorkerUnreachable(let worker, let reason)?:
            unreachableWorker = (worker, reason)
            return .rpcWorkerUnreachable(worker, reason: reason)
        case .remoteWorkerLost(let worker)?:
            unreachableWorker = (worker, "it stopped answering while the model loaded")
            return .rpcWorkerUnreachable(worker, reason: "it stopped answering while the model loaded")
        default: break
        }
        return OpenAIError(
            status: 500,
            message: "The model '\(entry.id)' could not be loaded from '\(entry.path.split(separator: "/").last ?? "")': "
                + "llama.cpp could not load it (the server log says why).",
            type: "server_error",
            param: "model",
            code: "model_load_failed"
        )
    }

    /// Unloads least recently used idle models until one more fits, waiting (up to the wait
    /// limit) for one to become idle when all are busy. The least recently used model takes no
    /// new leases meanwhile: steady traffic on it would otherwise keep it busy for ever.
    private func makeRoom() async throws {
        let deadline = ContinuousClock.now + policy.waitLimit
        var closedHere: [String] = []
        defer { for id in closedHere { reopen(id) } }
        while resident.count + loading.count >= policy.maxResident {
            let ticket = changes.ticket()
            if let (id, _) = resident.filter({ $0.value.isIdle }).min(by: { $0.value.lastUse < $1.value.lastUse }) {
                await unload(id)
                continue
            }
            if closedHere.isEmpty,
                let (id, _) = resident.filter({ !closing.contains($0.key) }).min(by: { $0.value.lastUse < $1.value.lastUse })
            {
                closing.insert(id)
                closedHere.append(id)
            }
            guard ContinuousClock.now < deadline else {
                throw OpenAIError.unavailable(
                    "Every loaded model is busy (--models-max \(policy.maxResident)); another cannot be loaded now. Retry later.",
                    code: "model_busy",
                    retryAfter: 10
                )
            }
            await changes.wait(ticket, until: deadline)
            try Task.checkCancellation()
        }
    }
}

/// Loader settings a `model/load` request (or `config-user.yaml`) gives one model.
public struct LoadOverrides: Sendable, Equatable {
    public var contextLength: Int?
    public var threads: Int?
    public var batchSize: Int?
    public var parallel: Int?
    public var instructionTemplate: String?
    public var instructionTemplateSource: String?

    public init() {}
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

extension OpenAIError {
    /// The same error naming another field.
    func with(param: String) -> OpenAIError {
        var copy = self
        copy.param = param
        return copy
    }
}

extension ModelRegistry {
    /// Runs `body` with the model `name` means, leased for the call.
    nonisolated public func withModel<Result: Sendable>(
        _ name: String?,
        _ body: @Sendable (ServedModel) async throws -> Result
    ) async throws -> Result {
        let model = try await lease(name)
        do {
            let result = try await body(model)
            await release(model)
            return result
        } catch {
            await release(model)
            throw error
        }
    }
}
