import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A llama.cpp RPC worker (`ggml-rpc-server`) as `--rpc` names it: `HOST:PORT`, the host an
/// IPv4 address or a name that resolves to one (llama.cpp's RPC client speaks IPv4 only).
public struct RPCEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The host as given.
    public let host: String
    public let port: Int

    /// `host:port`, as llama.cpp's RPC backend names the worker.
    public var description: String { "\(host):\(port)" }

    /// Reads `HOST:PORT`.
    /// - Throws: ``RPCEndpointError/malformed(_:)`` naming the text.
    public init(parsing text: String) throws(RPCEndpointError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]), (1...65535).contains(port),
            parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") })
        else { throw .malformed(text) }
        host = String(parts[0])
        self.port = port
    }

    /// Reads a comma-separated list, as `--rpc` takes it; a worker named twice is refused.
    public static func list(_ text: String) throws(RPCEndpointError) -> [RPCEndpoint] {
        var endpoints: [RPCEndpoint] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let endpoint = try RPCEndpoint(parsing: item.trimmingCharacters(in: .whitespaces))
            guard !endpoints.contains(endpoint) else { throw .duplicate(endpoint.description) }
            endpoints.append(endpoint)
        }
        return endpoints
    }

    /// The IPv4 address the host resolves to (the first, as llama.cpp connects to the first).
    /// - Throws: ``RPCEndpointError/unresolvable(_:)``.
    public func address() throws(RPCEndpointError) -> in_addr {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result, let socketAddress = first.pointee.ai_addr else {
            throw .unresolvable(host)
        }
        defer { freeaddrinfo(result) }
        return socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
    }

    /// Whether `address` is on a private network: loopback (127/8), RFC 1918 (10/8,
    /// 172.16/12, 192.168/16), link-local (169.254/16) or carrier-grade NAT space (100.64/10,
    /// which overlay networks such as Tailscale use).
    public static func isPrivate(_ address: in_addr) -> Bool {
        let value = UInt32(bigEndian: address.s_addr)
        func within(_ network: UInt32, _ prefix: UInt32) -> Bool { value >> (32 - prefix) == network >> (32 - prefix) }
        return within(0x7F00_0000, 8) || within(0x0A00_0000, 8) || within(0xAC10_0000, 12) || within(0xC0A8_0000, 16)
            || within(0xA9FE_0000, 16) || within(0x6440_0000, 10)
    }

    /// Dotted-quad text of an address, for messages.
    public static func text(_ address: in_addr) -> String {
        var copy = address
        var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        guard inet_ntop(AF_INET, &copy, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Connects once and closes, within `timeout`: llama.cpp's own connect waits as long as the
    /// kernel does (minutes for a host that drops packets), so a worker that is not there is
    /// found here first.
    /// - Throws: ``RPCEndpointError/unreachable(_:reason:)``.
    public func probe(timeout: Duration = .seconds(5)) throws(RPCEndpointError) {
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(UInt16(port).bigEndian)
        socketAddress.sin_addr = try address()
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .unreachable(description, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        let started = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if started == 0 { return }
        guard errno == EINPROGRESS else { throw .unreachable(description, reason: String(cString: strerror(errno))) }
        var waiting = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&waiting, 1, milliseconds) == 1 else {
            throw .unreachable(description, reason: "no answer within \(timeout.components.seconds) s")
        }
        var failure: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &failure, &length)
        guard failure == 0 else { throw .unreachable(description, reason: String(cString: strerror(failure))) }
    }
}

/// Why an `--rpc` worker cannot be used.
public enum RPCEndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not `HOST:PORT` with a port in 1…65535.
    case malformed(String)
    /// The same worker named twice.
    case duplicate(String)
    /// The host has no IPv4 address.
    case unresolvable(String)
    /// Nothing accepted a connection.
    case unreachable(String, reason: String)

    /// Why, without naming the worker (for messages that name it already).
    public var reason: String {
        if case .unreachable(_, let reason) = self { return reason }
        return description
    }

    public var description: String {
        switch self {
        case .malformed(let text): "'\(text)' is not HOST:PORT (an IPv4 address or a host name, and a port of 1 to 65535)"
        case .duplicate(let text): "\(text) is named twice"
        case .unresolvable(let host): "'\(host)' has no IPv4 address (llama.cpp's RPC client speaks IPv4 only)"
        case .unreachable(let endpoint, let reason): "the RPC worker \(endpoint) cannot be reached: \(reason)"
        }
    }
}
