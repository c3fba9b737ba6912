import Foundation
import LoopbackHTTP

/// Switching models by name (`--models-max 1`): the time from a request naming the other model
/// to its first token (unload, load, first token), with the file dropped from the page cache
/// (cold) and cached (warm); and whether memory comes back: RSS after 20 switch cycles against
/// after the first, and with nothing loaded before and after the cycles.
enum ModelSwitchBenchmark {
    static func report(server: BenchServer, models: (String, String), runs: Int) throws {
        let ids = (
            URL(fileURLWithPath: models.0).deletingPathExtension().lastPathComponent,
            URL(fileURLWithPath: models.1).deletingPathExtension().lastPathComponent
        )
        try unloadAll(server, defaultModel: ids.0)
        let emptyBefore = server.residentBytes()
        var cold: [Double] = []
        var warm: [Double] = []
        for _ in 0..<runs {
            try switchTo(ids.0, server)
            dropFromPageCache(models.1)
            cold.append(try switchTo(ids.1, server))
            try switchTo(ids.0, server)
            warm.append(try switchTo(ids.1, server))
        }
        var afterFirst = 0
        for cycle in 1...20 {
            try switchTo(ids.0, server)
            try switchTo(ids.1, server)
            if cycle == 1 { afterFirst = server.residentBytes() }
        }
        let afterTwenty = server.residentBytes()
        try unloadAll(server, defaultModel: ids.0)
        let emptyAfter = server.residentBytes()
        Report.table(
            header: ["switch models by name (--models-max 1)", "value"],
            rows: [
                ["switch to first token, file not cached: ms (median of \(runs))", Report.number(percentile(cold, 0.5) * 1000)],
                ["switch to first token, file cached: ms (median of \(runs))", Report.number(percentile(warm, 0.5) * 1000)],
                ["RSS after 1 / after 20 switch cycles: MiB", "\(afterFirst >> 20) / \(afterTwenty >> 20) (\(percent(afterTwenty, afterFirst)))"],
                [
                    "RSS with nothing loaded, before / after the cycles: MiB",
                    "\(emptyBefore >> 20) / \(emptyAfter >> 20) (\(percent(emptyAfter, emptyBefore)))",
                ],
            ]
        )
    }

    /// Seconds from sending a one-token chat naming `model` to its first token.
    @discardableResult
    static func switchTo(_ model: String, _ server: BenchServer) throws -> Double {
        let body = #"{"model": "\#(model)", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1, "stream": true}"#
        let sent = now()
        var first: Double?
        let status = try server.client.stream("/v1/chat/completions", body: body) { event in
            if first == nil, event.contains("\"content\":\"") { first = now() }
            return true
        }
        guard status == 200 else { throw BenchError("switching to \(model) failed (status \(status))") }
        return (first ?? now()) - sent
    }

    /// With one model resident, the default one loaded and then unloaded leaves none.
    static func unloadAll(_ server: BenchServer, defaultModel: String) throws {
        try switchTo(defaultModel, server)
        let response = try server.client.request("POST", "/v1/internal/model/unload", body: "{}")
        guard response.status == 200 else { throw BenchError("unload failed (status \(response.status))") }
        Thread.sleep(forTimeInterval: 0.5)
    }

    /// Evicts a file's pages from the page cache (they are clean: no root needed).
    static func dropFromPageCache(_ path: String) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return }
        _ = posix_fadvise(descriptor, 0, 0, Int32(POSIX_FADV_DONTNEED))
        close(descriptor)
    }

    static func percent(_ value: Int, _ base: Int) -> String {
        base > 0 ? String(format: "%+.1f%%", (Double(value) / Double(base) - 1) * 100) : "n/a"
    }
}
