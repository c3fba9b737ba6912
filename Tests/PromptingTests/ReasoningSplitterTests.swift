import Testing

@testable import Prompting

@Suite struct ReasoningSplitterTests {
    /// Feeds `pieces` one at a time and collects what comes out.
    func stream(_ pieces: [String], insideReasoning: Bool = false) -> (reasoning: [String], content: [String]) {
        var splitter = ReasoningSplitter(insideReasoning: insideReasoning)
        var reasoning: [String] = []
        var content: [String] = []
        for piece in pieces + [""] {
            let part = piece.isEmpty ? splitter.finish() : splitter.feed(piece)
            if !part.reasoning.isEmpty { reasoning.append(part.reasoning) }
            if !part.content.isEmpty { content.append(part.content) }
        }
        return (reasoning, content)
    }

    @Test func splitsAWholeReply() {
        #expect(ReasoningSplitter.split("<think>\nstep one\n</think>\n\nThe answer.")! == ("step one", "The answer."))
        #expect(ReasoningSplitter.split("<seed:think>hm</seed:think>ok")! == ("hm", "ok"))
        #expect(ReasoningSplitter.split("[THINK]draft[/THINK]Answer")! == ("draft", "Answer"))
        #expect(ReasoningSplitter.split("<|channel>thought\nplan\n<channel|>Done")! == ("plan", "Done"))
        #expect(ReasoningSplitter.split("no thinking here") == nil)
        #expect(ReasoningSplitter.split("Mentioning <think> later is content") == nil)
        #expect(ReasoningSplitter.split("already thinking</think>done", insideReasoning: true)! == ("already thinking", "done"))
    }

    @Test func neverLeaksAPartialTagWhileStreaming() {
        let (reasoning, content) = stream(["<th", "ink>ab", "c</th", "ink>", "\n\nAns", "wer"])
        #expect(reasoning.joined() == "abc")
        #expect(content.joined() == "Answer")
        #expect(!(reasoning + content).contains { $0.contains("<") || $0.contains(">") })
    }

    @Test func plainRepliesPassThrough() {
        let (reasoning, content) = stream(["Hel", "lo ", "<b>world</b>"])
        #expect(reasoning.isEmpty)
        #expect(content.joined() == "Hello <b>world</b>")
    }

    @Test func anUnclosedBlockIsAllReasoning() {
        let (reasoning, content) = stream(["<think>still going", " </thi"])
        #expect(reasoning.joined() == "still going </thi")
        #expect(content.isEmpty)
    }
}

@Suite struct ReplyPrefixFilterTests {
    @Test func removesALeadingNameWholeOrStreamed() {
        #expect(ReplyPrefixFilter.filtered("  AI: Hello there", prefixes: ["AI:", "You:"]) == "Hello there")
        #expect(ReplyPrefixFilter.filtered(" Hello", prefixes: ["AI:"]) == "Hello")
        #expect(ReplyPrefixFilter.filtered("AIs are great", prefixes: ["AI:"]) == "AIs are great")
        #expect(ReplyPrefixFilter.filtered(" Hello", prefixes: []) == " Hello")
        var filter = ReplyPrefixFilter(prefixes: ["Juniper Hale:", "You:"])
        let pieces = [" Jun", "iper", " Hale:", " ", "Hi", " there"].map { filter.feed($0) } + [filter.finish()]
        #expect(pieces.joined() == "Hi there")
        #expect(pieces.prefix(4).allSatisfy { $0.isEmpty })
    }
}
