import Foundation

/// Cuts generated text at the first stop string, holding back any tail that could still turn
/// into one, so that a streaming client never sees part of a stop string.
///
/// Matching is on the decoded text, not on tokens: a stop string may span several tokens, and a
/// token may contain a stop string in its middle.
public struct StopStringFilter: Sendable {
    /// The result of feeding text to the filter.
    public struct Output: Sendable, Equatable {
        /// Text that is safe to send now.
        public var text: String
        /// True when a stop string was found: `text` ends just before it and generation must end.
        public var stopped: Bool
    }

    private let stops: [String]
    /// The stop string that ended the text, once one has.
    public private(set) var matched: String?
    private var held = ""
    private var isStopped = false

    /// - Parameter stops: the stop strings; empty strings are ignored.
    public init(stops: [String]) {
        self.stops = stops.filter { !$0.isEmpty }
    }

    /// Feeds newly generated text and returns what can be emitted.
    public mutating func append(_ text: String) -> Output {
        guard !isStopped else { return Output(text: "", stopped: true) }
        guard !stops.isEmpty else { return Output(text: text, stopped: false) }
        held += text
        if let (range, stop) = firstStop(in: held) {
            let emitted = String(held[..<range.lowerBound])
            matched = stop
            held = ""
            isStopped = true
            return Output(text: emitted, stopped: true)
        }
        let keep = longestStopPrefixSuffix(of: held)
        let emitted = String(held.dropLast(keep))
        held = String(held.suffix(keep))
        return Output(text: emitted, stopped: false)
    }

    /// Releases held-back text when generation ends for another reason (length, end of text).
    public mutating func flush() -> String {
        defer { held = "" }
        return isStopped ? "" : held
    }

    private func firstStop(in text: String) -> (Range<String.Index>, String)? {
        var best: (Range<String.Index>, String)?
        for stop in stops {
            if let range = text.range(of: stop), best == nil || range.lowerBound < best!.0.lowerBound {
                best = (range, stop)
            }
        }
        return best
    }

    /// The number of trailing characters of `text` that are a proper prefix of some stop string.
    private func longestStopPrefixSuffix(of text: String) -> Int {
        var longest = 0
        for stop in stops {
            var length = min(stop.count - 1, text.count)
            while length > longest {
                if stop.hasPrefix(text.suffix(length)) {
                    longest = length
                    break
                }
                length -= 1
            }
        }
        return longest
    }
}
