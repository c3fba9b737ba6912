import OpenAIAPI
import OrderedJSON
import Testing

/// Ollama's `keep_alive` values, as its clients send them.
@Suite struct OllamaKeepAliveTests {
    private func read(_ value: JSON) throws -> OllamaKeepAlive? { try OllamaKeepAlive.read(["keep_alive": value]) }

    @Test func durationsNumbersAndForever() throws {
        #expect(try read("5m") == .idle(.seconds(300)))
        #expect(try read("1h30m") == .idle(.seconds(5400)))
        #expect(try read("10s") == .idle(.seconds(10)))
        #expect(try read("1.5s") == .idle(.milliseconds(1500)))
        #expect(try read("250ms") == .idle(.milliseconds(250)))
        #expect(try read("0") == .idle(.zero))
        #expect(try read(0) == .idle(.zero))
        #expect(try read(30) == .idle(.seconds(30)))
        #expect(try read(2.5) == .idle(.milliseconds(2500)))
        #expect(try read(-1) == .forever)
        #expect(try read("-1") == .forever)
        #expect(try read("-1m") == .forever)
        #expect(try OllamaKeepAlive.read([:]) == nil)
        #expect(try read(.null) == nil)
    }

    /// Durations past Int64's milliseconds once trapped; longer than ten years now means for ever.
    @Test func hugeDurationsKeepTheModelLoaded() throws {
        #expect(try read(1e308) == .forever)
        #expect(try read(1e16) == .forever)
        #expect(try read(.int(.max)) == .forever)
        #expect(try read("1e300") == .forever)
        #expect(try read("inf") == .forever)
        #expect(try read("2562047788015216h") == .forever)
        #expect(try read("87600h") == .idle(.seconds(87600 * 3600)))
        #expect(throws: OpenAIError.self) { try read("nan") }
    }

    @Test(arguments: ["soon", "", "5", "5 minutes", "m", "5x", "-"] as [String])
    func anythingElseIsA400NamingTheField(text: String) throws {
        guard text != "5" else {
            #expect(try read(.string(text)) == .idle(.seconds(5)))
            return
        }
        let error = #expect(throws: OpenAIError.self) { try read(.string(text)) }
        #expect(error?.param == "keep_alive" && error?.status == 400)
    }
}
