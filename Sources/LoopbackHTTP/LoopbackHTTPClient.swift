import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A deliberately small, blocking HTTP/1.1 client over a real TCP socket to 127.0.0.1, for the
/// tests and the benchmark: they see exactly what goes over the wire, can time every event, and
/// can hang up mid-response. Calls block their thread; never call them on Swift's cooperative
/// pool.
public struct LoopbackHTTPClient: Sendable {
    /// A complete response.
    public struct Response: Sendable {
        public var status: Int
        /// Header names in lower case.
        public var headers: [String: String]
        /// The body's bytes, de-chunked.
        public var bytes: [UInt8]
        /// The body as UTF-8 text.
        public var body: String { String(decoding: bytes, as: UTF8.self) }

        /// The body as a JSON object.
        public func json() throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] ?? [:]
        }

        /// `error` of an OpenAI error envelope.
        public func error() throws -> [String: Any]? { try json()["error"] as? [String: Any] }
    }

    /// A socket-level failure.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let port: Int

    public init(port: Int) { self.port = port }

    /// Sends one request (with `Connection: close`) and reads the whole response.
    public func request(_ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:]) throws -> Response {
        try request(method, path, bytes: body.map { Array($0.utf8) }, headers: headers)
    }

    /// The same with a body of any bytes (an upload; give its `Content-Type` in `headers`).
    public func request(_ method: String, _ path: String, bytes: [UInt8]?, headers: [String: String] = [:]) throws -> Response {
        let socket = try Self.connect(port: port)
        defer { close(socket) }
        try Self.send(socket, Self.requestText(method, path, body: bytes, headers: headers))
        var raw = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { break }
            raw.append(contentsOf: buffer[0..<count])
        }
        return try Self.parse(raw)
    }

    /// POSTs `body` and hands each server-sent event's data to `onEvent` as it arrives; when
    /// `onEvent` returns false the connection is closed at once. Returns the status code.
    @discardableResult
    public func stream(_ path: String, body: String, onEvent: (String) -> Bool) throws -> Int {
        let socket = try Self.connect(port: port)
        defer { close(socket) }
        try Self.send(socket, Self.requestText("POST", path, body: Array(body.utf8), headers: [:]))
        var pending = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var status = 0
        var dechunker: Dechunker?
        var text = ""
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { return status }
            pending.append(contentsOf: buffer[0..<count])
            if dechunker == nil {
                guard let end = Self.headerEnd(pending) else { continue }
                let head = String(decoding: pending[..<end], as: UTF8.self)
                status = Int(head.split(separator: " ")[1]) ?? 0
                pending.removeFirst(end + 4)
                dechunker = Dechunker()
            }
            text += String(decoding: dechunker!.feed(&pending), as: UTF8.self)
            while let range = text.range(of: "\n\n") {
                let event = String(text[..<range.lowerBound])
                text.removeSubrange(..<range.upperBound)
                let data = event.split(separator: "\n").filter { $0.hasPrefix("data: ") }.map { $0.dropFirst(6) }.joined(separator: "\n")
                if !onEvent(data) {
                    shutdown(socket, Int32(SHUT_RDWR))
                    return status
                }
            }
        }
    }

    /// Connects, sends a request and hangs up after `delay` without reading the response.
    public func sendAndHangUp(_ method: String, _ path: String, body: String, after delay: Double = 0.2) throws {
        let socket = try Self.connect(port: port)
        defer { close(socket) }
        try Self.send(socket, Self.requestText(method, path, body: Array(body.utf8), headers: [:]))
        usleep(UInt32(delay * 1_000_000))
    }

    private static func connect(port: Int) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(socket)
            throw Failure(description: "connect() to port \(port) failed")
        }
        return socket
    }

    private static func requestText(_ method: String, _ path: String, body: [UInt8]?, headers: [String: String]) -> [UInt8] {
        let bodyBytes = body ?? []
        // `headers` replace the defaults of the same name (a test may send another Host or type).
        let given = Set(headers.keys.map { $0.lowercased() })
        var text = "\(method) \(path) HTTP/1.1\r\nConnection: close\r\n"
        if !given.contains("host") { text += "Host: 127.0.0.1\r\n" }
        if body != nil && !given.contains("content-type") { text += "Content-Type: application/json\r\n" }
        if body != nil { text += "Content-Length: \(bodyBytes.count)\r\n" }
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        return Array((text + "\r\n").utf8) + bodyBytes
    }

    private static func send(_ socket: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send() failed") }
            offset += sent
        }
    }

    private static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    private static func parse(_ raw: [UInt8]) throws -> Response {
        guard let end = headerEnd(raw) else { throw Failure(description: "no HTTP head in \(raw.count) bytes") }
        let lines = String(decoding: raw[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var rest = Array(raw[(end + 4)...])
        let body: [UInt8]
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            var dechunker = Dechunker()
            body = dechunker.feed(&rest)
        } else {
            body = rest
        }
        return Response(status: status, headers: headers, bytes: body)
    }
}

/// Decodes `Transfer-Encoding: chunked` incrementally.
private struct Dechunker {
    private var remainingInChunk = 0
    private var needsCRLF = false

    mutating func feed(_ input: inout [UInt8]) -> [UInt8] {
        var output = [UInt8]()
        while !input.isEmpty {
            if needsCRLF {
                guard input.count >= 2 else { break }
                input.removeFirst(2)
                needsCRLF = false
            }
            if remainingInChunk == 0 {
                guard let lineEnd = input.firstIndex(of: 10) else { break }
                let sizeText = String(decoding: input[..<lineEnd], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                input.removeFirst(lineEnd + 1)
                remainingInChunk = Int(sizeText.split(separator: ";").first ?? "0", radix: 16) ?? 0
                if remainingInChunk == 0 {
                    input.removeAll()
                    break
                }
            }
            let take = min(remainingInChunk, input.count)
            output.append(contentsOf: input[..<take])
            input.removeFirst(take)
            remainingInChunk -= take
            if remainingInChunk == 0 { needsCRLF = true }
        }
        return output
    }
}
