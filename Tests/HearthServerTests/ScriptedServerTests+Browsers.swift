import Foundation
import HearthServer
import LoopbackHTTP
import Testing

extension ScriptedServerTests {
    /// The probe that motivated the browser policy: a page on another site posting `text/plain`
    /// to stop-generation (no preflight needed) is refused, and so is any foreign origin or a
    /// DNS-rebinding host name.
    @Test func webPagesElsewhereCannotDriveTheServer() async throws {
        let client = try await client()
        let plain = try await client.request(
            "POST",
            "/v1/internal/stop-generation",
            body: "{}",
            headers: ["Content-Type": "text/plain", "Origin": "http://localhost:3000"]
        )
        #expect(plain.status == 415)
        let foreign = try await client.request("POST", "/v1/completions", body: #"{"prompt": "x"}"#, headers: ["Origin": "https://evil.example"])
        #expect(foreign.status == 403)
        let error = try #require(foreign.json()["error"] as? [String: Any])
        #expect(error["code"] as? String == "origin_not_allowed")
        let rebound = try await client.request("GET", "/v1/models", headers: ["Host": "evil.example:5000"])
        #expect(rebound.status == 403)
        let docker = try await client.request("GET", "/v1/models", headers: ["Host": "host.docker.internal:5000"])
        #expect(docker.status == 200)
        try await expectServerStillAnswers()
    }

    /// Several keys (`--api-key-file`): any of them opens the server, and then any origin may call.
    @Test func anyOfSeveralKeysIsAccepted() async throws {
        var configuration = ServerConfiguration()
        configuration.apiKeys = ["first-key", "second-key"]
        let port = try await TestServer.start(engine: Self.engine, configuration: configuration)
        let client = TestHTTPClient(port: port)
        for key in ["first-key", "second-key"] {
            let response = try await client.request(
                "GET",
                "/v1/models",
                headers: ["Authorization": "Bearer \(key)", "Origin": "https://app.example"]
            )
            #expect(response.status == 200, "\(key)")
        }
        for header in ["Bearer first-ke", "Bearer first-key2", "first-key", "Bearer "] {
            let response = try await client.request("GET", "/v1/models", headers: ["Authorization": header])
            #expect(response.status == 401, "\(header)")
            #expect((try response.json()["error"] as? [String: Any])?["code"] as? String == "invalid_api_key")
        }
    }
}

extension ScriptedServerTests {
    /// `GET /health` answers without a key; text-generation-webui's `/v1/internal/health` wants
    /// the key, as there.
    @Test func healthChecks() async throws {
        let open = try await client().request("GET", "/health")
        #expect(open.status == 200)
        #expect(try open.json()["status"] as? String == "ok")
        var configuration = ServerConfiguration()
        configuration.apiKeys = ["k"]
        let client = TestHTTPClient(port: try await TestServer.start(engine: Self.engine, configuration: configuration))
        #expect(try await client.request("GET", "/health").status == 200)
        #expect(try await client.request("GET", "/v1/internal/health").status == 401)
        #expect(try await client.request("GET", "/v1/internal/health", headers: ["Authorization": "Bearer k"]).status == 200)
    }

    /// Behind a load balancer (`--replica-name`, `--drain-seconds`): every response names the
    /// replica, stored responses' ids begin with it, and once draining `/health` and new requests
    /// answer 503 so that the balancer sends them elsewhere.
    @Test func aReplicaNamesItselfAndDrains() async throws {
        var configuration = ServerConfiguration()
        configuration.replicaName = "r7"
        let (port, models) = try await TestServer.serve(engine: Self.engine, configuration: configuration)
        let client = TestHTTPClient(port: port)
        let listed = try await client.request("GET", "/v1/models")
        #expect(listed.headers["x-hearth-replica"] == "r7")
        let stored = try await client.request("POST", "/v1/responses", body: #"{"input": "Hi", "max_output_tokens": 4}"#)
        #expect((try stored.json()["id"] as? String)?.hasPrefix("resp_r7_") == true)
        await models.beginDraining()
        let health = try await client.request("GET", "/health")
        #expect(health.status == 503)
        #expect(try health.json()["status"] as? String == "draining")
        let refused = try await client.request("POST", "/v1/completions", body: #"{"prompt": "x", "max_tokens": 2}"#)
        #expect(refused.status == 503)
        #expect((try refused.json()["error"] as? [String: Any])?["code"] as? String == "server_shutting_down")
        #expect(refused.headers["x-hearth-replica"] == "r7")
    }

    /// A body declared larger than the limit is refused before it is sent.
    @Test func anOversizedDeclaredBodyIsRefusedAtOnce() async throws {
        let response = try await client().request(
            "POST",
            "/v1/completions",
            headers: ["Content-Type": "application/json", "Content-Length": "999999999", "Expect": "100-continue"]
        )
        #expect(response.status == 413)
        try await expectServerStillAnswers()
    }
}
