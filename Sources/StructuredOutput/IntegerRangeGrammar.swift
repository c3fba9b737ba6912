/// GBNF for the decimal integers in a range, digit by digit (no leading zeros, no `-0`).
///
/// The classic construction: a range is split by number of digits, and each equal-length
/// range by its first digit into a low edge, a full middle and a high edge.
enum IntegerRangeGrammar {
    /// Integers have at most this many digits, as the `integer` primitive allows.
    static let maximumDigits = 16

    /// An expression for the integers in `low...high`; an open side is unbounded.
    static func expression(from low: Int?, to high: Int?) -> String {
        var alternatives: [String] = []
        if low.map({ $0 < 0 }) ?? true {
            let closestToZero = min(high ?? -1, -1)
            if low.map({ $0 <= closestToZero }) ?? true {
                alternatives.append("\"-\" (\(nonNegative(from: -closestToZero, to: low.map { -$0 })))")
            }
        }
        if high.map({ $0 >= 0 }) ?? true {
            let from = max(low ?? 0, 0)
            if high.map({ from <= $0 }) ?? true { alternatives.append(nonNegative(from: from, to: high)) }
        }
        return alternatives.joined(separator: " | ")
    }

    /// The integers in `low...high` (or `low...` when `high` is nil), `low` ≥ 0.
    static func nonNegative(from low: Int, to high: Int?) -> String {
        let lowDigits = String(low).count
        var alternatives: [String] = []
        if let high {
            let highDigits = String(high).count
            for length in lowDigits...highDigits {
                let from = length == lowDigits ? low : power(length - 1)
                let to = length == highDigits ? high : power(length) - 1
                alternatives.append(sameLength(Array(String(from)), Array(String(to))))
            }
        } else {
            alternatives.append(sameLength(Array(String(low)), Array(repeating: "9", count: lowDigits)))
            if lowDigits < maximumDigits { alternatives.append("[1-9] [0-9]{\(lowDigits),\(maximumDigits - 1)}") }
        }
        return alternatives.joined(separator: " | ")
    }

    /// The numbers from `low` to `high`, written with the same number of digits.
    static func sameLength(_ low: [Character], _ high: [Character]) -> String {
        guard let first = low.first, let last = high.first else { return "" }
        if low == high { return "\"\(String(low))\"" }
        let rest = low.count - 1
        let tail = rest > 0 ? " [0-9]{\(rest)}" : ""
        if first == last {
            return "\"\(first)\" (\(sameLength(Array(low.dropFirst()), Array(high.dropFirst()))))"
        }
        if low.dropFirst().allSatisfy({ $0 == "0" }) && high.dropFirst().allSatisfy({ $0 == "9" }) {
            return "[\(first)-\(last)]\(tail)"
        }
        var alternatives = ["\"\(first)\" (\(sameLength(Array(low.dropFirst()), Array(repeating: "9", count: rest))))"]
        let firstValue = first.wholeNumberValue!
        let lastValue = last.wholeNumberValue!
        if lastValue - firstValue >= 2 { alternatives.append("[\(firstValue + 1)-\(lastValue - 1)]\(tail)") }
        alternatives.append("\"\(last)\" (\(sameLength(Array(repeating: "0", count: rest), Array(high.dropFirst()))))")
        return "(" + alternatives.joined(separator: " | ") + ")"
    }

    static func power(_ exponent: Int) -> Int {
        (0..<exponent).reduce(1) { result, _ in result * 10 }
    }
}
