import Foundation
import OrderedJSON
import Testing

@testable import HearthServer

/// Stored Responses in memory and on disk (`--responses-dir`), and background cancellation.
@Suite struct ResponseStoreTests {
    private func entry(_ text: String, status: String = "completed") -> ResponseStore.Entry {
        .init(response: ["id": .string(text), "status": .string(status), "background": true], input: [["text": .string(text)]], conversation: [])
    }

    private func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("hearth-responses-\(UUID().uuidString)").path
    }

    @Test func theLeastRecentlyUsedGoFirst() {
        let store = ResponseStore(capacity: 2)
        store.put("a", entry("a"))
        store.put("b", entry("b"))
        _ = store.get("a")
        store.put("c", entry("c"))
        #expect(store.get("b") == nil && store.get("a") != nil && store.get("c") != nil)
        #expect(store.remove("a") && !store.remove("a"))
    }

    @Test func aRestartedStoreReadsWhatTheLastOneWrote() throws {
        let directory = folder()
        let first = try ResponseStore(capacity: 2, directory: directory)
        for id in ["resp_a", "resp_b", "resp_c"] {
            first.put(id, entry(id))
            Thread.sleep(forTimeInterval: 0.01)  // distinct modification times
        }
        #expect(first.remove("resp_c"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(files == ["resp_b.json"])
        let mode = try FileManager.default.attributesOfItem(atPath: "\(directory)/resp_b.json")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // A damaged file is left out; the rest is read.
        try "{not json".write(toFile: "\(directory)/resp_x.json", atomically: true, encoding: .utf8)
        let second = try ResponseStore(capacity: 2, directory: directory)
        #expect(second.get("resp_b") == entry("resp_b"))
        #expect(second.count == 1)
    }

    @Test func cancellingMarksOnlyWhatIsStillRunning() {
        let store = ResponseStore()
        store.put("run", entry("run", status: "in_progress"))
        store.track("run", Task {})
        #expect(store.cancel("run")?.response["status"] == "cancelled")
        // The task's end does not overwrite the cancellation.
        store.settle("run", entry("run"))
        #expect(store.get("run")?.response["status"] == "cancelled")
        store.put("done", entry("done"))
        #expect(store.cancel("done")?.response["status"] == "completed")
        #expect(store.cancel("none") == nil)
    }
}
