import Glibc

/// Checks, before the model loads, that the address can be bound: a busy port is an error that
/// names it (text-generation-webui silently moves to another port; Hearth does not).
enum PortProbe {
    struct Busy: Error, CustomStringConvertible {
        let host: String
        let port: Int
        var description: String {
            "port \(port) on \(host) is already in use (another Hearth or another server?); stop it or choose another port with --api-port."
        }
    }

    /// Throws ``Busy`` when `host:port` is taken. Host names other than numeric addresses and
    /// port 0 are left to the server's own bind.
    static func ensureFree(host: String, port: Int) throws {
        guard port > 0 else { return }
        var ipv4 = sockaddr_in()
        var ipv6 = sockaddr_in6()
        let family: Int32
        if inet_pton(AF_INET, host, &ipv4.sin_addr) == 1 {
            family = AF_INET
            ipv4.sin_family = sa_family_t(AF_INET)
            ipv4.sin_port = in_port_t(UInt16(port).bigEndian)
        } else if inet_pton(AF_INET6, host, &ipv6.sin6_addr) == 1 {
            family = AF_INET6
            ipv6.sin6_family = sa_family_t(AF_INET6)
            ipv6.sin6_port = in_port_t(UInt16(port).bigEndian)
        } else {
            return
        }
        let socket = Glibc.socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return }
        defer { close(socket) }
        // As the server binds: with SO_REUSEADDR, so only a listening socket makes it fail.
        var one: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let result =
            family == AF_INET
            ? withUnsafePointer(to: &ipv4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            : withUnsafePointer(to: &ipv6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        if result != 0 && errno == EADDRINUSE { throw Busy(host: host, port: port) }
    }
}
