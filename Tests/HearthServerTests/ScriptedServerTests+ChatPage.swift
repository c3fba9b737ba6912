import Foundation
import HearthServer
import LoopbackHTTP
import Prompting
import Testing

/// The chat page's routes on a scripted server with an API key: the page needs none, its API
/// calls do. The page itself is driven in a browser by tests/python/test_chat_page.py.
@Suite struct ChatPageRouteTests {
    /// A page folder and prompt folders of a few files each, made once.
    private static let folders: URL = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-chat-page-\(UUID().uuidString)")
        let files = [
            "ui/index.html": "<!doctype html><title>Hearth</title>", "ui/app.js": "export const x = 1;", "ui/notes.txt": "skipped",
            "ui/.hidden.js": "skipped", "characters/Assistant.yaml": "name: AI", "characters/Pirate.json": "{}",
            "templates/ChatML.yaml": "instruction_template: x", "templates/Zephyr.jinja": "x", "templates/README.md": "x",
            "presets/Precise.yaml": "temperature: 0.7",
        ]
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? text.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }()

    private static let port = Task<Int, any Error> {
        var configuration = ServerConfiguration()
        configuration.apiKeys = ["k"]
        configuration.chatPage = try ChatPage(directory: folders.appendingPathComponent("ui").path)
        configuration.promptLibrary = PromptLibrary(
            instructionTemplateDirectory: folders.appendingPathComponent("templates").path,
            characterDirectory: folders.appendingPathComponent("characters").path
        )
        configuration.presetDirectory = folders.appendingPathComponent("presets").path
        return try await TestServer.start(engine: ScriptedServerTests.engine, configuration: configuration)
    }

    private func client() async throws -> TestHTTPClient { TestHTTPClient(port: try await Self.port.value) }

    @Test func thePageIsServedWithoutAKeyUnderAStrictPolicy() async throws {
        let page = try await client().request("GET", "/")
        #expect(page.status == 200)
        #expect(page.body == "<!doctype html><title>Hearth</title>")
        #expect(page.headers["content-type"] == "text/html; charset=utf-8")
        let policy = try #require(page.headers["content-security-policy"])
        #expect(policy.contains("script-src 'self'") && policy.contains("default-src 'none'") && !policy.contains("unsafe"))
        #expect(page.headers["x-content-type-options"] == "nosniff")
        #expect(try await client().request("HEAD", "/").status == 200)
    }

    @Test func assetsRevalidateAndNothingElseIsServed() async throws {
        let client = try await client()
        let script = try await client.request("GET", "/ui/app.js")
        #expect(script.status == 200 && script.headers["content-type"] == "text/javascript; charset=utf-8")
        let etag = try #require(script.headers["etag"])
        let again = try await client.request("GET", "/ui/app.js", headers: ["If-None-Match": etag])
        #expect(again.status == 304 && again.body.isEmpty)
        for path in ["/ui/notes.txt", "/ui/.hidden.js", "/ui/missing.js", "/ui/..%2Fui%2Fapp.js", "/ui/"] {
            #expect(try await client.request("GET", path).status == 404, "\(path)")
        }
    }

    @Test func chatOptionsListWhatRequestsMayName() async throws {
        let client = try await client()
        #expect(try await client.request("GET", "/v1/internal/chat-options").status == 401)
        let options = try await client.request("GET", "/v1/internal/chat-options", headers: ["Authorization": "Bearer k"]).json()
        #expect(options["modes"] as? [String] == ["instruct", "chat", "chat-instruct"])
        #expect(options["characters"] as? [String] == ["Assistant", "Pirate"])
        #expect(options["instruction_templates"] as? [String] == ["ChatML", "Zephyr"])
        #expect(options["presets"] as? [String] == ["Precise"])
    }

    @Test func aFolderWithoutAnIndexIsNoPage() {
        #expect(throws: ChatPageError.unreadable("/nonexistent")) { try ChatPage(directory: "/nonexistent") }
        let templates = Self.folders.appendingPathComponent("templates").path
        #expect(throws: ChatPageError.missingIndex(templates)) { try ChatPage(directory: templates) }
    }

    /// The shipped page: small, and loading nothing from another host.
    @Test func theShippedPageIsSmallAndSelfContained() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../ui").standardized
        let page = try ChatPage(directory: folder.path)
        #expect(page.totalBytes <= 150_000)
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            for match in text.matches(of: /(src|href)="([^"]*)"/) {
                #expect(match.output.2.hasPrefix("/ui/"), "\(name) loads \(match.output.2)")
            }
            #expect(!text.contains("<script>") && !text.contains("style=\""), "\(name) has inline script or style")
        }
    }
}
