import Foundation
import HearthServer
import Logging
import OpenAIAPI
import Synchronization
import Testing

/// Which model serves a request, and which stay loaded, with a scripted loader.
@Suite struct ModelRegistryTests {
    /// A model folder: two single-file models, a split one, a folder model and files that are
    /// no models.
    static func folder() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-models-\(UUID().uuidString)").path
        let fileManager = FileManager.default
        try fileManager.createDirectory(atPath: root + "/folded", withIntermediateDirectories: true)
        for name in ["a.gguf", "b.GGUF", "big-00001-of-00002.gguf", "big-00002-of-00002.gguf", "folded/inner.gguf", "notes.txt", ".hidden.gguf"] {
            fileManager.createFile(atPath: root + "/" + name, contents: Data("GGUF".utf8))
        }
        return root
    }

    @Test func theCatalogCountsSplitModelsAndFoldersOnce() throws {
        let catalog = ModelCatalog.scan(directory: try Self.folder())
        #expect(catalog.entries.map(\.id) == ["a", "b", "big", "folded"])
        #expect(catalog.entries.first { $0.id == "big" }?.path.hasSuffix("big-00001-of-00002.gguf") == true)
        #expect(catalog.entries.first { $0.id == "folded" }?.path.hasSuffix("folded/inner.gguf") == true)
        #expect(catalog.entry(named: "a.gguf")?.id == "a")
    }

    /// A registry over the folder whose default model `a` is loaded; `loads` counts loads.
    static func registry(_ policy: ModelRegistry.Policy) throws -> (ModelRegistry, LoadCounter) {
        let directory = try folder()
        let loads = LoadCounter()
        let load: @Sendable (ModelCatalog.Entry) throws -> ServedModel = { entry in
            try ServedModel(path: entry.path, id: entry.id, engine: ScriptedEngine())
        }
        let initial = try load(ModelCatalog.Entry(id: "a", path: directory + "/a.gguf", modified: 0))
        let registry = ModelRegistry(
            directory: directory,
            initial: initial,
            entry: ModelCatalog.Entry(id: "a", path: directory + "/a.gguf", modified: 0),
            policy: policy,
            logger: Logger(label: "test")
        ) { entry, _ in
            loads.count.add(1, ordering: .relaxed)
            return try load(entry)
        }
        return (registry, loads)
    }

    @Test func aNamedModelIsLoadedAndTheIdleOneUnloaded() async throws {
        let (registry, loads) = try Self.registry(ModelRegistry.Policy())
        let b = try await registry.lease("b")
        #expect(b.id == "b")
        await registry.release(b)
        #expect(await registry.loadedIDs == ["b"])
        // Unknown names go to the default model, which loads again.
        let fallback = try await registry.lease("gpt-4o-mini")
        #expect(fallback.id == "a")
        await registry.release(fallback)
        #expect(loads.count.load(ordering: .relaxed) == 2)
    }

    @Test func aBusyModelIsNeverUnloadedUnderItsRequest() async throws {
        var policy = ModelRegistry.Policy()
        policy.waitLimit = .milliseconds(300)
        let (registry, _) = try Self.registry(policy)
        let held = try await registry.lease("a")
        await #expect(throws: OpenAIError.self) { _ = try await registry.lease("b") }
        #expect(await registry.loadedIDs == ["a"])
        await registry.release(held)
        let b = try await registry.lease("b")
        #expect(b.id == "b")
        await registry.release(b)
    }

    @Test func twoStayResidentAndTheLeastRecentlyUsedGoes() async throws {
        var policy = ModelRegistry.Policy()
        policy.maxResident = 2
        let (registry, _) = try Self.registry(policy)
        for name in ["b", "a", "big"] {
            let model = try await registry.lease(name)
            await registry.release(model)
        }
        #expect(Set(await registry.loadedIDs) == ["a", "big"])
    }

    @Test func strictNamesMakeUnknownModelsA404() async throws {
        var policy = ModelRegistry.Policy()
        policy.strictNames = true
        let (registry, _) = try Self.registry(policy)
        do {
            _ = try await registry.lease("gpt-4o-mini")
            Issue.record("an unknown name was served")
        } catch let error as OpenAIError {
            #expect(error.status == 404 && error.code == "model_not_found")
        }
    }

    @Test func anIdleModelIsUnloadedAfterItsTTL() async throws {
        var policy = ModelRegistry.Policy()
        policy.idleTTL = .milliseconds(50)
        let (registry, loads) = try Self.registry(policy)
        try await Task.sleep(for: .milliseconds(100))
        await registry.unloadExpired()
        #expect(await registry.loadedIDs.isEmpty)
        let again = try await registry.lease(nil)
        #expect(again.id == "a" && loads.count.load(ordering: .relaxed) == 1)
        await registry.release(again)
    }
}

final class LoadCounter: Sendable {
    let count = Atomic<Int>(0)
}

/// A `model/load` that fails leaves the previous model serving, or says why nothing serves.
@Suite struct FailedModelLoadTests {
    static func registry(failing: @escaping @Sendable (LoadOverrides) -> Bool) throws -> ModelRegistry {
        let directory = try ModelRegistryTests.folder()
        let entry = ModelCatalog.Entry(id: "a", path: directory + "/a.gguf", modified: 0)
        let initial = try ServedModel(path: entry.path, id: "a", engine: ScriptedEngine())
        return ModelRegistry(directory: directory, initial: initial, entry: entry, logger: Logger(label: "test")) { entry, overrides in
            if failing(overrides) { throw OpenAIError(status: 500, message: "no", type: "server_error") }
            return try ServedModel(path: entry.path, id: entry.id, engine: ScriptedEngine())
        }
    }

    @Test func theModelComesBackAsItWasAfterAFailedReload() async throws {
        let registry = try Self.registry { $0.contextLength == 99 }
        var overrides = LoadOverrides()
        overrides.contextLength = 99
        await #expect(throws: OpenAIError.self) { try await registry.load("a", overrides: overrides) }
        #expect(await registry.loadedIDs == ["a"])
        #expect(await registry.defaultLoadFailure == nil)
    }

    @Test func healthSaysWhyWhenNothingCouldBeLoadedBack() async throws {
        let registry = try Self.registry { _ in true }
        await #expect(throws: OpenAIError.self) { try await registry.load("a", overrides: LoadOverrides()) }
        #expect(await registry.loadedIDs == [])
        #expect(await registry.defaultLoadFailure?.contains("'a'") == true)
    }
}
