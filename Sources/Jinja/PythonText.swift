import Foundation

/// Python's string operations, on Unicode scalars as Python counts them.
enum PythonText {
    /// `str.isspace` for one character.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
    }

    static func strip(_ text: String, _ characters: String?, leading: Bool, trailing: Bool) -> String {
        let set = characters.map { Set($0.unicodeScalars) }
        let shouldStrip = { (scalar: Unicode.Scalar) in set?.contains(scalar) ?? isSpace(scalar) }
        var scalars = Substring(text).unicodeScalars[...]
        if leading { scalars = scalars.drop(while: shouldStrip) }
        if trailing {
            while let last = scalars.last, shouldStrip(last) { scalars = scalars.dropLast() }
        }
        return String(String.UnicodeScalarView(scalars))
    }

    /// `str.split(sep, maxsplit)` and `str.rsplit`.
    static func split(_ text: String, _ separator: String?, limit: Int, fromEnd: Bool) throws(JinjaError) -> [String] {
        let scalars = Array(text.unicodeScalars)
        try chargeScan(scalars.count)
        guard let separator else {
            // Runs of whitespace separate; leading and trailing whitespace is dropped.
            var words: [[Unicode.Scalar]] = []
            var current: [Unicode.Scalar] = []
            var splits = 0
            let ordered = fromEnd ? scalars.reversed() : scalars
            var index = 0
            while index < ordered.count {
                let scalar = ordered[index]
                if isSpace(scalar) {
                    if !current.isEmpty {
                        words.append(current)
                        current = []
                        splits += 1
                        if limit >= 0, splits >= limit {
                            while index < ordered.count, isSpace(ordered[index]) { index += 1 }
                            if index < ordered.count { words.append(Array(ordered[index...])) }
                            index = ordered.count
                            break
                        }
                    }
                } else {
                    current.append(scalar)
                }
                index += 1
            }
            if !current.isEmpty { words.append(current) }
            let strings = words.map { String(String.UnicodeScalarView(fromEnd ? $0.reversed() : $0)) }
            return fromEnd ? strings.reversed() : strings
        }
        let needle = Array(separator.unicodeScalars)
        var parts: [String] = []
        var splits = 0
        if fromEnd {
            var end = scalars.count
            var index = scalars.count - needle.count
            while index >= 0, limit < 0 || splits < limit {
                if try matches(scalars, needle, at: index) {
                    parts.append(String(String.UnicodeScalarView(scalars[index + needle.count..<end])))
                    end = index
                    splits += 1
                    index -= needle.count
                } else {
                    index -= 1
                }
            }
            parts.append(String(String.UnicodeScalarView(scalars[0..<end])))
            return parts.reversed()
        }
        var start = 0
        var index = 0
        while index + needle.count <= scalars.count, limit < 0 || splits < limit {
            if try matches(scalars, needle, at: index) {
                parts.append(String(String.UnicodeScalarView(scalars[start..<index])))
                index += needle.count
                start = index
                splits += 1
            } else {
                index += 1
            }
        }
        parts.append(String(String.UnicodeScalarView(scalars[start...])))
        return parts
    }

    /// `str.splitlines()`: every Unicode line boundary, `\r\n` as one.
    static func splitLines(_ text: String) -> [String] {
        let breaks: Set<UInt32> = [0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029]
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n", previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = scalar == "\r"
            if breaks.contains(scalar.value) {
                lines.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    static func index(of needle: String, in text: String) throws(JinjaError) -> Int? {
        let scalars = Array(text.unicodeScalars)
        let part = Array(needle.unicodeScalars)
        guard part.count <= scalars.count else { return nil }
        guard !part.isEmpty else { return 0 }
        try chargeScan(scalars.count)
        for start in 0...(scalars.count - part.count) where try matches(scalars, part, at: start) { return start }
        return nil
    }

    static func lastIndex(of needle: String, in text: String) throws(JinjaError) -> Int? {
        let scalars = Array(text.unicodeScalars)
        let part = Array(needle.unicodeScalars)
        guard part.count <= scalars.count else { return nil }
        guard !part.isEmpty else { return scalars.count }
        try chargeScan(scalars.count)
        for start in stride(from: scalars.count - part.count, through: 0, by: -1) where try matches(scalars, part, at: start) {
            return start
        }
        return nil
    }

    /// Whether `needle` (not empty) occurs in `scalars` at `start`. A comparison that gets past
    /// the first scalar is charged to the render: a needle and a text built to match almost
    /// everywhere would otherwise cost their product.
    private static func matches(_ scalars: [Unicode.Scalar], _ needle: [Unicode.Scalar], at start: Int) throws(JinjaError) -> Bool {
        guard scalars[start] == needle[0] else { return false }
        guard needle.count > 1 else { return true }
        try RenderBudget.spend(1 + needle.count / 64)
        return scalars[start + 1..<start + needle.count].elementsEqual(needle[1...])
    }

    /// A pass over `count` scalars, charged as a fraction of a step each (a step of the
    /// interpreter costs about as much as comparing 64 scalars).
    private static func chargeScan(_ count: Int) throws(JinjaError) {
        try RenderBudget.spend(count / 64)
    }

    /// The number of lines `str.splitlines` would find, at most; for sizing an indentation.
    static func lineCount(_ text: String) -> Int {
        var count = 1
        for byte in text.utf8 where byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C || byte >= 0x80 { count += 1 }
        return count
    }

    static func count(of needle: String, in text: String) throws(JinjaError) -> Int {
        guard !needle.isEmpty else { return text.unicodeScalars.count + 1 }
        return try split(text, needle, limit: -1, fromEnd: false).count - 1
    }

    static func replace(_ text: String, _ old: String, _ new: String, limit: Int) throws(JinjaError) -> String {
        // At most one replacement per scalar of the text, and one more at its end.
        let replacements = limit < 0 ? text.unicodeScalars.count + 1 : min(limit, text.unicodeScalars.count + 1)
        try RenderBudget.reserve(bytes: RenderBudget.sum(text.utf8.count, RenderBudget.product(replacements, new.utf8.count)))
        guard !old.isEmpty else {
            // Python inserts `new` between every character (and at both ends).
            var output = new
            var done = 1
            for scalar in text.unicodeScalars {
                output.unicodeScalars.append(scalar)
                if limit < 0 || done < limit {
                    output += new
                    done += 1
                }
            }
            return output
        }
        return try split(text, old, limit: limit, fromEnd: false).joined(separator: new)
    }

    /// `str.title()`: a letter after a non-letter is upper-cased, every other letter lower-cased.
    static func title(_ text: String) -> String {
        var output = ""
        var previousCased = false
        for character in text {
            output += previousCased ? character.lowercased() : character.uppercased()
            previousCased = character.isCased
        }
        return output
    }

    static func capitalize(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst().lowercased()
    }

    /// Jinja2's `title` filter: words begin after whitespace, `-`, and opening brackets.
    static func titleFilter(_ text: String) -> String {
        var output = ""
        var atWordStart = true
        for character in text {
            let isSeparator = character.isWhitespace || "-({[<".contains(character)
            if isSeparator {
                output.append(character)
                atWordStart = true
            } else {
                output += atWordStart ? character.uppercased() : character.lowercased()
                atWordStart = false
            }
        }
        return output
    }

    /// `str.format` with `{}`, `{0}` and `{name}` fields.
    static func format(_ template: String, _ arguments: Value.Arguments) throws(JinjaError) -> String {
        var output = ""
        var automatic = 0
        var scalars = Substring(template).unicodeScalars[...]
        while let scalar = scalars.first {
            scalars = scalars.dropFirst()
            if scalar == "{", scalars.first == "{" || scalar == "}" && scalars.first == "}" {
                output.unicodeScalars.append(scalar)
                scalars = scalars.dropFirst()
                continue
            }
            guard scalar == "{", let close = scalars.firstIndex(of: "}") else {
                output.unicodeScalars.append(scalar)
                continue
            }
            let field = String(String.UnicodeScalarView(scalars[..<close]))
            scalars = scalars[scalars.index(after: close)...]
            let value: Value?
            if field.isEmpty {
                value = automatic < arguments.positional.count ? arguments.positional[automatic] : nil
                automatic += 1
            } else if let index = Int(field) {
                value = index < arguments.positional.count ? arguments.positional[index] : nil
            } else {
                value = arguments.keyword.first { $0.0 == field }?.1
            }
            try RenderBudget.append(value?.text ?? "", to: &output)
        }
        return output
    }

    /// Copies `format`, replacing each `%x` directive by `expand(x)`; a lone trailing `%` stays.
    private static func expandingDirectives(
        _ format: String,
        _ expand: (Unicode.Scalar) throws(JinjaError) -> String
    ) throws(JinjaError) -> String {
        var output = ""
        var scalars = Substring(format).unicodeScalars[...]
        while let scalar = scalars.first {
            scalars = scalars.dropFirst()
            guard scalar == "%", let code = scalars.first else {
                output.unicodeScalars.append(scalar)
                continue
            }
            scalars = scalars.dropFirst()
            try RenderBudget.append(try expand(code), to: &output)
        }
        return output
    }

    /// `format % values` with `%s`, `%d`, `%i`, `%f`, `%r` and `%%`.
    static func percentFormat(_ format: String, _ values: Value) throws(JinjaError) -> String {
        var arguments: [Value]
        if case .array(let items) = values { arguments = items } else { arguments = [values] }
        return try expandingDirectives(format) { code throws(JinjaError) in
            if code == "%" { return "%" }
            guard !arguments.isEmpty else { throw runtimeError("not enough arguments for format string") }
            let argument = arguments.removeFirst()
            switch code {
            case "s": return argument.text
            case "r": return argument.repr
            case "d", "i":
                guard let number = argument.number else { throw runtimeError("%d format: a real number is required") }
                guard number.isFinite else { throw runtimeError("cannot convert float \(Value.pythonFloat(number)) to integer") }
                if case .int(let integer) = argument { return String(integer) }
                // Every double past 2^53 is an integer: its exact decimal digits, as Python's.
                return String(format: "%.0f", number.rounded(.towardZero))
            case "f": return String(format: "%.6f", argument.number ?? 0)
            default: throw runtimeError("unsupported format character '\(code)'")
            }
        }
    }

    /// `datetime.strftime` for the directives chat templates use.
    static func strftime(_ format: String, date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone.current
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        let days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        let (year, month, day) = (parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
        let (hour, minute, second) = (parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
        let weekday = (parts.weekday ?? 1) - 1
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        // Never throws: every directive expands.
        return
            (try? expandingDirectives(format) { code in
                switch code {
                case "Y": return String(year)
                case "y": return two(year % 100)
                case "m": return two(month)
                case "d": return two(day)
                case "e": return day < 10 ? " \(day)" : "\(day)"
                case "B": return months[month - 1]
                case "b", "h": return String(months[month - 1].prefix(3))
                case "A": return days[weekday]
                case "a": return String(days[weekday].prefix(3))
                case "H": return two(hour)
                case "I": return two(hour % 12 == 0 ? 12 : hour % 12)
                case "p": return hour < 12 ? "AM" : "PM"
                case "M": return two(minute)
                case "S": return two(second)
                case "j":
                    let dayOfYear = calendar.ordinality(of: .day, in: .year, for: date) ?? 1
                    return String(repeating: "0", count: max(0, 3 - String(dayOfYear).count)) + String(dayOfYear)
                case "%": return "%"
                default: return "%" + String(code)
                }
            }) ?? format
    }
}
