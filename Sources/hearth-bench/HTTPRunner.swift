import Foundation
import LlamaEngine
import LoopbackHTTP

/// Streams prompts through a running `hearth` server as a client would.
struct HTTPRunner {
    let client: LoopbackHTTPClient

    func run(prompt: String, promptTokens: Int, newTokens: Int) throws -> StreamFigures {
        let body: [String: Any] = [
            "prompt": prompt, "max_tokens": newTokens, "temperature": 0, "ban_eos_token": true, "stream": true,
            "stream_options": ["include_usage": true],
        ]
        let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        var first: Double?
        var last = 0.0
        var usage: [String: Int] = [:]
        var chunks = 0
        let sent = now()
        let status = try client.stream("/v1/completions", body: text) { event in
            guard event != "[DONE]", let chunk = try? JSONSerialization.jsonObject(with: Data(event.utf8)) as? [String: Any] else {
                return true
            }
            if let piece = (chunk["choices"] as? [[String: Any]])?.first?["text"] as? String, !piece.isEmpty {
                last = now()
                chunks += 1
                if first == nil { first = last }
            }
            if let counts = chunk["usage"] as? [String: Int] { usage = counts }
            return true
        }
        guard status == 200, let first else { throw BenchError("the server's stream failed (status \(status))") }
        // Servers that send no usage while streaming are credited one token per text chunk.
        return StreamFigures(
            promptTokens: usage["prompt_tokens"] ?? promptTokens,
            completionTokens: usage["completion_tokens"] ?? chunks,
            sent: sent,
            firstToken: first,
            lastToken: last
        )
    }
}

/// A `hearth` process on a free port, stopped by ``stop()``.
final class BenchServer {
    let process = Process()
    let client: LoopbackHTTPClient

    /// - Parameter portFlag: the flag that sets the server's port (`--port` for llama-server).
    init(binary: String, arguments: [String], portFlag: String = "--api-port") throws {
        let port = Int.random(in: 20000...60000)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments + [portFlag, "\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        client = LoopbackHTTPClient(port: port)
        let deadline = now() + 120
        while now() < deadline {
            if let response = try? client.request("GET", "/v1/models"), response.status == 200 { return }
            guard process.isRunning else { throw BenchError("\(binary) exited with \(process.terminationStatus)") }
            usleep(100_000)
        }
        stop()
        throw BenchError("\(binary) did not start within 120 s")
    }

    /// VmRSS of the server process.
    func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        else { return 0 }
        return kilobytes * 1024
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
