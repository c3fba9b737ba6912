import Testing

@testable import LlamaEngine

@Suite struct StopStringFilterTests {
    @Test func cutsBeforeTheStopStringAcrossPieces() {
        var filter = StopStringFilter(stops: ["\n\nUser:"])
        #expect(filter.append("Hello") == .init(text: "Hello", stopped: false))
        #expect(filter.append(" there\n") == .init(text: " there", stopped: false))
        #expect(filter.append("\nUs") == .init(text: "", stopped: false))
        #expect(filter.append("er: hi") == .init(text: "", stopped: true))
        #expect(filter.flush() == "")
    }

    @Test func releasesAHeldPrefixThatDidNotBecomeAStop() {
        var filter = StopStringFilter(stops: ["END"])
        #expect(filter.append("the EN") == .init(text: "the ", stopped: false))
        #expect(filter.append("D") == .init(text: "", stopped: true))

        var other = StopStringFilter(stops: ["END"])
        #expect(other.append("the EN").text == "the ")
        #expect(other.append("ding") == .init(text: "ENding", stopped: false))
        #expect(other.append("E").text == "")
        #expect(other.flush() == "E")
    }

    @Test func earliestOfSeveralStopsWins() {
        var filter = StopStringFilter(stops: ["b", "abc"])
        #expect(filter.append("xxabcx") == .init(text: "xx", stopped: true))
        // The filter names the stop string it met (Anthropic's `stop_sequence`).
        #expect(filter.matched == "abc")
        #expect(StopStringFilter(stops: ["b"]).matched == nil)
    }

    @Test func withoutStopsTextPassesStraightThrough() {
        var filter = StopStringFilter(stops: ["", ""])
        #expect(filter.append("abc") == .init(text: "abc", stopped: false))
    }
}
