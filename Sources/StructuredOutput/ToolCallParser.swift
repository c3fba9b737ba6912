/// What a reply holds, in order: content, and tool calls as they open and their arguments grow.
public enum ToolCallEvent: Sendable, Equatable {
    case content(String)
    /// A call starts: its position among the reply's calls and the function's name.
    case begin(index: Int, name: String)
    /// More of a call's arguments (JSON text; the fragments concatenate to the whole).
    case arguments(index: Int, String)
}

/// Reads tool calls out of a reply in the model's own format, incrementally: text before a
/// call is content; the markup never is, not even in part (a piece that could be the start of
/// an opener is held back until it is certain); a call is announced once its name is known and
/// its arguments stream as they are generated. ``whole(_:format:tools:parallel:)`` is the fold of
/// the same steps, as ``ReasoningSplitter``'s is.
public struct ToolCallParser: Sendable {
    private enum State: Sendable {
        /// The reply's start: bare or fenced JSON here may be a call.
        case leading
        case text
        case region(opener: String)
    }

    public let format: ToolCallFormat
    let tools: [ToolDeclaration]
    let maximumCalls: Int
    private var state: State = .leading
    private var buffer: [UInt8] = []
    /// For each call of the current region: its index among the reply's calls (nil when over
    /// the limit) and how many bytes of its arguments were sent.
    private var regionCalls: [(index: Int?, sent: Int)] = []
    public private(set) var callCount = 0
    /// Whitespace held back: it is content only if more content follows.
    private var pendingSpace = ""

    /// - Parameter parallel: false allows one call (`parallel_tool_calls: false`).
    public init(format: ToolCallFormat, tools: [ToolDeclaration], parallel: Bool = true) {
        self.format = format
        self.tools = tools
        self.maximumCalls = parallel ? Int.max : 1
    }

    public mutating func feed(_ text: String) -> [ToolCallEvent] {
        buffer += text.utf8
        return drain(final: false)
    }

    /// Everything still held, at the end of the reply.
    public mutating func finish() -> [ToolCallEvent] {
        var events = drain(final: true)
        if callCount == 0 && !pendingSpace.isEmpty { events.append(.content(pendingSpace)) }
        pendingSpace = ""
        return events
    }

    /// A whole reply: its content and its calls, the fold of ``feed(_:)`` and ``finish()``.
    public static func whole(
        _ text: String,
        format: ToolCallFormat,
        tools: [ToolDeclaration],
        parallel: Bool = true
    ) -> (content: String, calls: [(name: String, arguments: String)]) {
        var parser = ToolCallParser(format: format, tools: tools, parallel: parallel)
        var content = ""
        var calls: [(name: String, arguments: String)] = []
        for event in parser.feed(text) + parser.finish() {
            switch event {
            case .content(let text): content += text
            case .begin(_, let name): calls.append((name, ""))
            case .arguments(let index, let fragment): calls[index].arguments += fragment
            }
        }
        return (content, calls)
    }

    private mutating func drain(final: Bool) -> [ToolCallEvent] {
        var events: [ToolCallEvent] = []
        while true {
            switch state {
            case .leading:
                guard !tools.isEmpty else {
                    state = .text
                    continue
                }
                let parse = ToolCallFormat.leadingJSONCall(buffer, tools: tools, final: final)
                if parse.rejected {
                    state = .text
                    continue
                }
                report(parse, into: &events)
                guard let end = parse.end ?? (final ? buffer.count : nil) else { return events }
                buffer.removeFirst(min(end, buffer.count))
                state = .text
            case .text:
                if let (at, opener) = firstOpener() {
                    content(String(buffer[..<at]), into: &events)
                    buffer.removeFirst(at + opener.utf8.count)
                    state = .region(opener: opener)
                    regionCalls = []
                    continue
                }
                let held = final ? 0 : heldBack()
                content(String(buffer[..<(buffer.count - held)]), into: &events)
                buffer.removeFirst(buffer.count - held)
                return events
            case .region(let opener):
                let parse = format.parseRegion(buffer, opener: opener, tools: tools, final: final)
                report(parse, into: &events)
                if let end = parse.end {
                    buffer.removeFirst(min(end, buffer.count))
                    state = .text
                    continue
                }
                guard final else { return events }
                if parse.calls.isEmpty { content(opener + String(buffer[...]), into: &events) }
                buffer = []
                state = .text
            }
        }
    }

    /// Announces new calls and sends what their arguments grew by.
    private mutating func report(_ parse: RegionParse, into events: inout [ToolCallEvent]) {
        for (position, call) in parse.calls.enumerated() {
            if position == regionCalls.count {
                let index: Int? = callCount < maximumCalls ? callCount : nil
                if let index {
                    callCount += 1
                    events.append(.begin(index: index, name: call.name))
                }
                regionCalls.append((index, 0))
            }
            let bytes = Array(call.arguments.utf8)
            guard let index = regionCalls[position].index, bytes.count > regionCalls[position].sent else { continue }
            events.append(.arguments(index: index, String(bytes[regionCalls[position].sent...])))
            regionCalls[position].sent = bytes.count
        }
        if parse.end != nil { regionCalls = [] }
    }

    private mutating func content(_ text: String, into events: inout [ToolCallEvent]) {
        // Trailing whitespace waits: before a call it is dropped, before more content it is sent.
        let scalars = text.unicodeScalars
        guard let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else {
            pendingSpace += text
            return
        }
        events.append(.content(pendingSpace + String(scalars[...last])))
        pendingSpace = String(scalars[scalars.index(after: last)...])
    }

    private func firstOpener() -> (Int, String)? {
        var best: (Int, String)?
        for opener in format.openers {
            if let at = JSONScanner.find(opener, in: buffer, from: 0), best.map({ at < $0.0 }) ?? true { best = (at, opener) }
        }
        return best
    }

    /// How many bytes at the end of the buffer could begin an opener.
    private func heldBack() -> Int {
        var longest = 0
        for opener in format.openers {
            let bytes = Array(opener.utf8)
            for length in stride(from: min(bytes.count - 1, buffer.count), to: longest, by: -1)
            where Array(buffer.suffix(length)) == Array(bytes.prefix(length)) {
                longest = length
                break
            }
        }
        return longest
    }
}
