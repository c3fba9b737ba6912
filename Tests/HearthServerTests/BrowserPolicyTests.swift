import OpenAIAPI
import Testing

@testable import HearthServer

/// Which requests a browser page may make. No server involved.
@Suite struct BrowserPolicyTests {
    func status(
        _ policy: BrowserPolicy,
        method: String = "POST",
        host: String? = "127.0.0.1:5000",
        origin: String? = nil,
        contentType: String? = "application/json",
        hasBody: Bool = true
    ) -> Int? {
        policy.refusal(method: method, host: host, origin: origin, contentType: contentType, hasBody: hasBody)?.status
    }

    @Test(arguments: ["127.0.0.1:5000", "localhost", "LOCALHOST:80", "[::1]:5000", "[::1]", "host.docker.internal:5000"])
    func namesOfThisMachineAreAcceptedHosts(host: String) {
        #expect(status(BrowserPolicy(), host: host) == nil)
    }

    @Test(arguments: ["evil.example", "evil.example:5000", "127.0.0.1.evil.example", "[::2]:5000", "192.168.1.2:5000"])
    func otherHostsAreRefusedOnLoopback(host: String) {
        #expect(status(BrowserPolicy(), host: host) == 403)
        var listening = BrowserPolicy()
        listening.checksHost = false
        #expect(status(listening, host: host) == nil)
        var allowed = BrowserPolicy()
        allowed.allowedHosts = ["evil.example", "127.0.0.1.evil.example", "::2", "192.168.1.2"]
        #expect(status(allowed, host: host) == nil)
    }

    @Test func foreignOriginsNeedAKeyOrAnAllowance() {
        let page = "https://evil.example"
        #expect(status(BrowserPolicy(), origin: page) == 403)
        #expect(status(BrowserPolicy(), origin: "null") == 403)
        for origin in ["http://localhost:3000", "http://127.0.0.1:5000", "https://[::1]:8443"] {
            #expect(status(BrowserPolicy(), origin: origin) == nil, "\(origin)")
        }
        var keyed = BrowserPolicy()
        keyed.keyRequired = true
        #expect(status(keyed, origin: page) == nil)
        var narrowed = keyed
        narrowed.allowedOrigins = ["https://app.example"]
        #expect(status(narrowed, origin: page) == 403)
        #expect(status(narrowed, origin: "https://app.example") == nil)
        var allowed = BrowserPolicy()
        allowed.allowedOrigins = [page]
        #expect(status(allowed, origin: page) == nil)
    }

    @Test func theServersOwnPageMayCallAtAnIPAddress() {
        var listening = BrowserPolicy()
        listening.checksHost = false
        #expect(status(listening, host: "192.168.1.20:5000", origin: "http://192.168.1.20:5000") == nil)
        #expect(status(listening, host: "[fe80::1]:5000", origin: "http://[fe80::1]:5000") == nil)
        // A DNS-rebinding page: its Origin is the Host it sends, but under the attacker's name.
        #expect(status(listening, host: "evil.example:5000", origin: "http://evil.example:5000") == 403)
        #expect(status(listening, host: "192.168.1.20:5000", origin: "http://192.168.1.20:6000") == 403)
        listening.allowedHosts = ["hearth.lan"]
        #expect(status(listening, host: "hearth.lan:5000", origin: "https://hearth.lan:5000") == nil)
    }

    @Test func bodiesMustBeJSON() {
        #expect(status(BrowserPolicy(), contentType: "text/plain") == 415)
        #expect(status(BrowserPolicy(), contentType: "application/x-www-form-urlencoded") == 415)
        // No Content-Type: JSON from a program, refused from a page (which always sends Origin).
        #expect(status(BrowserPolicy(), contentType: nil) == nil)
        #expect(status(BrowserPolicy(), origin: "http://localhost:3000", contentType: nil) == 415)
        #expect(status(BrowserPolicy(), contentType: nil, hasBody: false) == nil)
        #expect(status(BrowserPolicy(), contentType: "application/json; charset=utf-8") == nil)
        #expect(status(BrowserPolicy(), method: "GET", contentType: nil, hasBody: false) == nil)
    }
}
