import Foundation
import Logging
import ServiceLifecycle

/// `--public-api`: a Cloudflare quick tunnel to the local port, run as `cloudflared` (which the
/// user installs; Hearth never downloads it), its public URL logged when cloudflared reports
/// it, and the tunnel stopped with the server.
struct TunnelService: Service {
    let executable: URL
    let localURL: String
    let logger: Logger

    /// Why a tunnel cannot start; the message says what to do.
    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    /// Finds `cloudflared` on `PATH`.
    static func locate(environment: [String: String]) throws(Refusal) -> URL {
        for folder in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("cloudflared")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw Refusal(
            description:
                "--public-api needs cloudflared on PATH; install it from https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/downloads/ (Debian: the cloudflared .deb), then start Hearth again."
        )
    }

    func run() async throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["tunnel", "--no-autoupdate", "--url", localURL] + (localURL.hasPrefix("https") ? ["--no-tls-verify"] : [])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        logger.info("Starting a public tunnel (cloudflared)", metadata: ["tunnel.pid": "\(process.processIdentifier)"])
        // cloudflared reports the quick tunnel's address in its log, in a box of `|` lines. Its
        // output is read on a thread of its own (reads block) until the pipe closes.
        let logger = self.logger
        let handle = output.fileHandleForReading
        Thread.detachNewThread {
            var pending = ""
            var reported = false
            while case let data = handle.availableData, !data.isEmpty {
                pending += String(decoding: data, as: UTF8.self)
                while let newline = pending.firstIndex(of: "\n") {
                    let line = pending[..<newline]
                    pending = String(pending[pending.index(after: newline)...])
                    guard !reported, let start = line.firstRange(of: "https://") else { continue }
                    let url = line[start.lowerBound...].prefix { !$0.isWhitespace && $0 != "|" }
                    guard url.contains(".trycloudflare.com") else { continue }
                    logger.notice("Public API", metadata: ["url": "\(url)/v1"])
                    reported = true
                }
            }
        }
        await withGracefulShutdownHandler {
            while process.isRunning && !Task.isShuttingDownGracefully { try? await Task.sleep(for: .milliseconds(100)) }
        } onGracefulShutdown: {
        }
        if process.isRunning {
            // The child inherits SIGTERM ignored (the service group handles it in this process),
            // so it may not stop on one: SIGKILL follows after 3 seconds.
            process.terminate()
            for _ in 0..<30 where process.isRunning { try? await Task.sleep(for: .milliseconds(100)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        if !Task.isShuttingDownGracefully {
            // The tunnel ended on its own: the local server goes on.
            logger.warning("The public tunnel ended (cloudflared exited)", metadata: ["tunnel.status": "\(process.terminationStatus)"])
            try? await gracefulShutdown()
        }
        logger.info("Public tunnel stopped")
    }
}
