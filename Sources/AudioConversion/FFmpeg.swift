import Foundation
import Synchronization

/// The `ffmpeg` program, when the machine has one: Hearth's decoder for recordings in containers
/// its own (miniaudio) does not read (Ogg, WebM, MP4/M4A, AAC …), and its AAC encoder. Optional:
/// without it those formats are refused by name. Every call runs a process and blocks; callers
/// run it on a thread of their own.
public enum FFmpeg {
    /// `HEARTH_FFMPEG` if set, else `ffmpeg` on `PATH`; nil when there is none. Looked up once.
    public static let path: String? = {
        let environment = ProcessInfo.processInfo.environment
        if let configured = environment["HEARTH_FFMPEG"] {
            return configured.isEmpty || !FileManager.default.isExecutableFile(atPath: configured) ? nil : configured
        }
        for folder in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/ffmpeg"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    /// Why ffmpeg gave no output.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Decodes the file at `path` to mono 32-bit float samples at `sampleRate`, at most
    /// `maxSeconds` of them (ffmpeg stops there).
    public static func decode(file path: String, sampleRate: Int, maxSeconds: Double) throws(Failure) -> [Float] {
        let output = try run([
            "-nostdin", "-i", path, "-t", String(format: "%.3f", maxSeconds),
            "-vn", "-ac", "1", "-ar", "\(sampleRate)", "-f", "f32le", "pipe:1",
        ])
        return output.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    /// Starts ffmpeg, quiet but for errors, with the given standard streams (each a `Pipe` or
    /// a `FileHandle`).
    fileprivate static func launch(_ arguments: [String], input: Any, output: Any, errors: Any) throws(Failure) -> Process {
        guard let path else { throw Failure(description: "ffmpeg is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-hide_banner", "-loglevel", "error"] + arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw Failure(description: "ffmpeg could not start: \(error)")
        }
        return process
    }

    /// Runs ffmpeg and returns what it wrote to standard output.
    private static func run(_ arguments: [String]) throws(Failure) -> [UInt8] {
        let output = Pipe()
        let errors = Pipe()
        let process = try launch(arguments, input: FileHandle.nullDevice, output: output, errors: errors)
        // Standard error is read on a thread of its own, so that neither pipe fills and stalls ffmpeg.
        let messages = Messages()
        let errorsRead = DispatchSemaphore(value: 0)
        Thread {
            messages.text = errors.fileHandleForReading.readDataToEndOfFile()
            errorsRead.signal()
        }.start()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        errorsRead.wait()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: messages.text, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
            throw Failure(description: "ffmpeg could not decode it (\(text))")
        }
        return Array(bytes)
    }

    /// An encoder fed on standard input: raw samples in, the encoded stream handed to `onOutput`
    /// as ffmpeg writes it.
    public final class Encoder: Sendable {
        private let process: Process
        private let input: FileHandle
        /// Signalled when the output has been read to its end.
        private let outputEnded = DispatchSemaphore(value: 0)

        /// - Parameters:
        ///   - arguments: ffmpeg's options (input format first, output on `pipe:1`).
        ///   - onOutput: called on a thread of the encoder's with each part of the output.
        public init(arguments: [String], onOutput: @escaping @Sendable ([UInt8]) -> Void) throws(Failure) {
            let stdin = Pipe()
            let stdout = Pipe()
            let process = try FFmpeg.launch(arguments, input: stdin, output: stdout, errors: FileHandle.nullDevice)
            let output = stdout.fileHandleForReading
            let ended = outputEnded
            Thread {
                while case let data = output.availableData, !data.isEmpty { onOutput(Array(data)) }
                ended.signal()
            }.start()
            self.process = process
            input = stdin.fileHandleForWriting
        }

        /// Feeds ffmpeg; false once it has gone (it failed or was stopped).
        public func write(_ bytes: [UInt8]) -> Bool {
            do {
                try input.write(contentsOf: bytes)
                return true
            } catch {
                return false
            }
        }

        /// Ends the input and waits until ffmpeg has written everything.
        /// - Returns: whether ffmpeg succeeded.
        public func finish() -> Bool {
            try? input.close()
            process.waitUntilExit()
            outputEnded.wait()
            return process.terminationStatus == 0
        }

        /// Stops ffmpeg at once.
        public func stop() {
            process.terminate()
            try? input.close()
            process.waitUntilExit()
        }
    }
}

/// ffmpeg's standard error, written by its reader thread.
private final class Messages: Sendable {
    private let value = Mutex(Data())
    var text: Data {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
