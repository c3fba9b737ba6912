/// One choice's reply on its way to the client, after the engine has cut it at its stop
/// strings: a leading speaker name is dropped (chat modes), the reasoning block is split from
/// the answer, and a name that opens the answer after the reasoning is dropped too.
///
/// Streamed and non-streamed replies both go through ``feed(_:)`` and ``finish()``; a whole
/// reply is the fold of the same pieces (``whole(_:namePrefixes:insideReasoning:)``), so the two
/// can never disagree.
public struct ReplyPipeline: Sendable {
    /// What a step made certain: new reasoning text and new answer text.
    public struct Piece: Sendable, Equatable {
        public var reasoning: String
        public var content: String

        public init(reasoning: String = "", content: String = "") {
            self.reasoning = reasoning
            self.content = content
        }

        public var isEmpty: Bool { reasoning.isEmpty && content.isEmpty }

        static func + (lhs: Piece, rhs: Piece) -> Piece {
            Piece(reasoning: lhs.reasoning + rhs.reasoning, content: lhs.content + rhs.content)
        }
    }

    /// A whole reply: `reasoning` is nil when the reply had no reasoning block.
    public struct Reply: Sendable, Equatable {
        public var reasoning: String?
        public var content: String
    }

    private var leadingName: ReplyPrefixFilter
    private var splitter: ReasoningSplitter
    private var answerName: ReplyPrefixFilter

    /// - Parameters:
    ///   - namePrefixes: speaker names (`AI:`) a chat-mode reply may start with.
    ///   - insideReasoning: the prompt left a reasoning block open, so the reply starts in it.
    public init(namePrefixes: [String], insideReasoning: Bool) {
        leadingName = ReplyPrefixFilter(prefixes: namePrefixes)
        splitter = ReasoningSplitter(insideReasoning: insideReasoning)
        answerName = ReplyPrefixFilter(prefixes: namePrefixes)
    }

    /// Feeds generated text; returns what is now certain.
    public mutating func feed(_ text: String) -> Piece {
        afterSplit(splitter.feed(leadingName.feed(text)))
    }

    /// Releases whatever is held back, at the end of generation.
    public mutating func finish() -> Piece {
        var piece = afterSplit(splitter.feed(leadingName.finish()))
        piece = piece + afterSplit(splitter.finish())
        if splitter.sawReasoning { piece.content += answerName.finish() }
        return piece
    }

    /// The whole reply, as the fold of its streamed pieces.
    public static func whole(_ text: String, namePrefixes: [String], insideReasoning: Bool) -> Reply {
        var pipeline = ReplyPipeline(namePrefixes: namePrefixes, insideReasoning: insideReasoning)
        let piece = pipeline.feed(text) + pipeline.finish()
        return Reply(reasoning: pipeline.sawReasoning ? piece.reasoning : nil, content: piece.content)
    }

    /// Whether the reply had a reasoning block.
    public var sawReasoning: Bool { splitter.sawReasoning }

    /// The answer after a reasoning block may open with the speaker's name again.
    private mutating func afterSplit(_ part: (reasoning: String, content: String)) -> Piece {
        Piece(reasoning: part.reasoning, content: splitter.sawReasoning ? answerName.feed(part.content) : part.content)
    }
}
