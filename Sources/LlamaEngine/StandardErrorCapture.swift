import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Captures what C code writes to file descriptor 2 during a call. llama.cpp's grammar parser
/// reports errors (quoting the whole grammar, which is user input) with `fprintf(stderr)`
/// instead of its log callback; this turns that report into a value and keeps it out of the log.
enum StandardErrorCapture {
    private static let lock = Mutex(())

    /// Runs `body` with fd 2 pointed at a pipe. Returns the captured text; lines written in that
    /// moment by Hearth's own loggers (they start with a timestamp) go on to the real stderr.
    static func capturing<T>(_ body: () -> T) -> (result: T, output: String) {
        lock.withLock { _ in
            var pipeEnds: [Int32] = [0, 0]
            fflush(nil)  // all C streams; stderr itself is unbuffered
            guard pipe(&pipeEnds) == 0 else { return (body(), "") }
            // A full pipe must never block the caller: excess output is dropped.
            _ = fcntl(pipeEnds[1], F_SETFL, fcntl(pipeEnds[1], F_GETFL) | O_NONBLOCK)
            _ = fcntl(pipeEnds[0], F_SETFL, fcntl(pipeEnds[0], F_GETFL) | O_NONBLOCK)
            let saved = dup(2)
            dup2(pipeEnds[1], 2)
            close(pipeEnds[1])
            let result = body()
            fflush(nil)  // all C streams; stderr itself is unbuffered
            dup2(saved, 2)
            close(saved)
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(pipeEnds[0], &buffer, buffer.count)
                if count <= 0 { break }
                bytes += buffer[0..<count]
            }
            close(pipeEnds[0])
            let output = String(decoding: bytes, as: UTF8.self)
            for line in output.split(separator: "\n") where line.first?.isNumber == true {
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
            return (result, output)
        }
    }
}
