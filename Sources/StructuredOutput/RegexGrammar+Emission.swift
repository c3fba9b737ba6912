extension RegexGrammar {
    /// What JSON must escape inside a string: control characters, `"` and `\`.
    static let jsonEscaped: [ClosedRange<UInt32>] = [0...0x1F, 0x22...0x22, 0x5C...0x5C]

    func emit(_ node: Node) -> String {
        switch node {
        case .empty: return "\"\""
        case .literal(let scalar): return literal([scalar])
        case .set(let negated, let ranges): return set(negated: negated, ranges: ranges)
        case .alternation(let branches): return "(" + branches.map(emit).joined(separator: " | ") + ")"
        case .repetition(let inner, let minimum, let maximum):
            let body = "(" + emit(inner) + ")"
            switch (minimum, maximum) {
            case (0, nil): return body + "*"
            case (1, nil): return body + "+"
            case (0, 1?): return body + "?"
            case (let low, nil): return body + "{\(low),}"
            case (let low, let high?) where low == high: return body + "{\(low)}"
            case (let low, let high?): return body + "{\(low),\(high)}"
            }
        case .sequence(let items):
            // Runs of literal characters become one string literal.
            var parts: [String] = []
            var run: [Unicode.Scalar] = []
            for item in items {
                if case .literal(let scalar) = item {
                    run.append(scalar)
                    continue
                }
                if !run.isEmpty { parts.append(literal(run)) }
                run = []
                parts.append(emit(item))
            }
            if !run.isEmpty { parts.append(literal(run)) }
            return parts.joined(separator: " ")
        }
    }

    /// Literal characters; inside a JSON string each as JSON writes it.
    func literal(_ scalars: [Unicode.Scalar]) -> String {
        guard insideJSONString else { return GrammarBuilder.literal(String(String.UnicodeScalarView(scalars))) }
        return GrammarBuilder.literal(scalars.map(Self.jsonForm).joined())
    }

    static func jsonForm(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\"": "\\\""
        case "\\": "\\\\"
        case "\n": "\\n"
        case "\t": "\\t"
        case "\r": "\\r"
        case "\u{08}": "\\b"
        case "\u{0C}": "\\f"
        case _ where scalar.value < 0x20: "\\u00" + String(scalar.value, radix: 16, uppercase: false).leftPadded(to: 2)
        default: String(scalar)
        }
    }

    func set(negated: Bool, ranges: [ClosedRange<UInt32>]) -> String {
        guard insideJSONString else { return Self.characterClass(negated: negated, ranges: ranges) }
        if negated { return Self.characterClass(negated: true, ranges: ranges + Self.jsonEscaped) }
        // A positive class: its plain characters as a class, the ones JSON escapes as literals.
        var plain: [ClosedRange<UInt32>] = []
        for range in ranges { plain += Self.subtract(Self.jsonEscaped, from: range) }
        var alternatives = plain.isEmpty ? [] : [Self.characterClass(negated: false, ranges: plain)]
        for scalar in ["\"", "\\", "\n", "\t", "\r"] as [Unicode.Scalar] where ranges.contains(where: { $0.contains(scalar.value) }) {
            alternatives.append(GrammarBuilder.literal(Self.jsonForm(scalar)))
        }
        return alternatives.count == 1 ? alternatives[0] : "(" + alternatives.joined(separator: " | ") + ")"
    }

    static func characterClass(negated: Bool, ranges: [ClosedRange<UInt32>]) -> String {
        var text = negated ? "[^" : "["
        for range in ranges {
            guard let low = Unicode.Scalar(range.lowerBound), let high = Unicode.Scalar(range.upperBound) else { continue }
            text += GrammarBuilder.classCharacter(low)
            if high != low { text += "-" + GrammarBuilder.classCharacter(high) }
        }
        return text + "]"
    }

    /// `range` without the values in `removed`.
    static func subtract(_ removed: [ClosedRange<UInt32>], from range: ClosedRange<UInt32>) -> [ClosedRange<UInt32>] {
        var pieces = [range]
        for cut in removed {
            pieces = pieces.flatMap { piece -> [ClosedRange<UInt32>] in
                guard piece.overlaps(cut) else { return [piece] }
                var kept: [ClosedRange<UInt32>] = []
                if piece.lowerBound < cut.lowerBound { kept.append(piece.lowerBound...(cut.lowerBound - 1)) }
                if piece.upperBound > cut.upperBound { kept.append((cut.upperBound + 1)...piece.upperBound) }
                return kept
            }
        }
        return pieces
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
