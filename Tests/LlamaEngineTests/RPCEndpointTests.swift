import Foundation
import Testing

@testable import LlamaEngine

#if canImport(Glibc)
import Glibc
#endif

/// `--rpc` workers read, and their addresses classed, without a network.
@Suite struct RPCEndpointTests {
    private func address(_ text: String) -> in_addr {
        var address = in_addr()
        #expect(inet_pton(AF_INET, text, &address) == 1)
        return address
    }

    @Test func aListOfWorkersReadsInOrder() throws {
        let workers = try RPCEndpoint.list("10.0.0.2:50052, worker-b.lan:50053")
        #expect(workers.map(\.description) == ["10.0.0.2:50052", "worker-b.lan:50053"])
        #expect(workers[1].port == 50053)
    }

    @Test func whatIsNotHostAndPortIsRefusedByName() {
        for text in ["10.0.0.2", "10.0.0.2:", ":50052", "10.0.0.2:0", "10.0.0.2:65536", "[::1]:50052", "a b:1", "h:1:2"] {
            #expect(throws: RPCEndpointError.malformed(text)) { try RPCEndpoint(parsing: text) }
        }
        #expect(throws: RPCEndpointError.duplicate("10.0.0.2:1")) { try RPCEndpoint.list("10.0.0.2:1,10.0.0.2:1") }
    }

    @Test func privateNetworksArePrivateAndTheRestIsPublic() {
        for text in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.9", "169.254.3.4", "100.64.0.1", "100.127.1.1"] {
            #expect(RPCEndpoint.isPrivate(address(text)), "\(text)")
        }
        for text in ["8.8.8.8", "172.15.255.255", "172.32.0.0", "192.169.0.1", "100.128.0.1", "1.1.1.1", "11.0.0.1"] {
            #expect(!RPCEndpoint.isPrivate(address(text)), "\(text)")
        }
    }

    @Test func aNumericHostResolvesToItself() throws {
        #expect(RPCEndpoint.text(try RPCEndpoint(parsing: "10.9.8.7:1").address()) == "10.9.8.7")
    }

    @Test func aPortNobodyListensOnIsUnreachableAtOnce() throws {
        // A socket bound but not listening: connecting to its port is refused.
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var bound = sockaddr_in()
        bound.sin_family = sa_family_t(AF_INET)
        bound.sin_addr = address("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        let endpoint = try RPCEndpoint(parsing: "127.0.0.1:\(UInt16(bigEndian: bound.sin_port))")
        let started = ContinuousClock.now
        #expect(throws: RPCEndpointError.self) { try endpoint.probe() }
        #expect(started.duration(to: .now) < .seconds(2))
    }
}
