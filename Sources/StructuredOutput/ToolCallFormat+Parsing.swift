import OrderedJSON

/// A call read from a reply so far: its name is known; its arguments (JSON text) may still grow.
struct ParsedCall: Equatable {
    var name: String
    var arguments: String
    var complete: Bool
}

/// What a region of tool-call markup holds so far.
struct RegionParse: Equatable {
    var calls: [ParsedCall] = []
    /// Where the markup ends (the bytes after it are content again); nil while it goes on.
    var end: Int?
    /// The text is not a call after all (only for the unmarked JSON a reply may start with).
    var rejected = false
}

extension ToolCallFormat {
    /// Parses markup that follows one of ``openers`` (the opener itself not included).
    /// Re-run on the whole region as it grows: regions are short, and a parse of the whole is
    /// far simpler to get right than a resumable one.
    func parseRegion(_ bytes: [UInt8], opener: String, tools: [ToolDeclaration], final: Bool) -> RegionParse {
        var result = RegionParse()
        switch self {
        case .hermes:
            let object = Self.callObject(bytes, from: 0, final: final)
            result.add(object)
            if let end = object.end { result.end = Self.closing("</tool_call>", bytes, after: end) }
            if object.invalid { result.end = bytes.count }
        case .llama3:
            let object = Self.callObject(bytes, from: 0, final: final)
            result.add(object)
            if object.end != nil || object.invalid { result.end = object.end ?? bytes.count }
        case .mistral:
            var index = JSONScanner.skipSpace(bytes, 0)
            guard index < bytes.count else { break }
            guard bytes[index] == UInt8(ascii: "[") else {
                result.end = index
                break
            }
            index += 1
            while true {
                let object = Self.callObject(bytes, from: index, final: final)
                result.add(object)
                guard let end = object.end else {
                    if object.invalid { result.end = bytes.count }
                    break
                }
                index = JSONScanner.skipSpace(bytes, end)
                guard index < bytes.count else { break }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                result.end = bytes[index] == UInt8(ascii: "]") ? index + 1 : index
                break
            }
        case .mistralNamed:
            Self.nameThenArguments(bytes, from: 0, separators: ["[ARGS]"], final: final, into: &result) { name in
                // `[CALL_ID]id` may sit between name and arguments.
                String(name.split(separator: "[CALL_ID]").first ?? "")
            }
        case .deepseek:
            Self.sectionOfCalls(
                bytes,
                callOpen: "<｜tool▁call▁begin｜>",
                callClose: "<｜tool▁call▁end｜>",
                sectionClose: opener == "<｜tool▁calls▁begin｜>" ? "<｜tool▁calls▁end｜>" : nil,
                startsInsideCall: opener == "<｜tool▁call▁begin｜>",
                final: final,
                into: &result
            ) { bytes, start, result in
                // R1: `function<｜tool▁sep｜>NAME\n```json\n{…}\n```` ; V3.1: `NAME<｜tool▁sep｜>{…}`.
                if JSONScanner.matches(bytes, start, "function<｜tool▁sep｜>") == true {
                    let nameStart = start + "function<｜tool▁sep｜>".utf8.count
                    return Self.nameThenArguments(bytes, from: nameStart, separators: ["\n```json"], final: final, into: &result) {
                        $0
                    }
                }
                return Self.nameThenArguments(bytes, from: start, separators: ["<｜tool▁sep｜>"], final: final, into: &result) { $0 }
            }
        case .kimi:
            Self.sectionOfCalls(
                bytes,
                callOpen: "<|tool_call_begin|>",
                callClose: "<|tool_call_end|>",
                sectionClose: opener == "<|tool_calls_section_begin|>" ? "<|tool_calls_section_end|>" : nil,
                startsInsideCall: opener == "<|tool_call_begin|>",
                final: final,
                into: &result
            ) { bytes, start, result in
                Self.nameThenArguments(bytes, from: start, separators: ["<|tool_call_argument_begin|>"], final: final, into: &result) { id in
                    // `functions.NAME:0`
                    var name = Substring(id)
                    if name.hasPrefix("functions.") { name = name.dropFirst("functions.".count) }
                    if let colon = name.lastIndex(of: ":") { name = name[..<colon] }
                    return String(name)
                }
            }
        case .harmony:
            let end = Self.nameThenArguments(
                bytes,
                from: 0,
                separators: [" <|constrain|>json<|message|>", "<|constrain|>json<|message|>", "<|message|>"],
                final: final,
                into: &result
            ) { $0.trimmingSpaces }
            if let end { result.end = Self.closing("<|call|>", bytes, after: end) }
        case .gemma:
            Self.gemmaCall(bytes, final: final, into: &result)
        case .qwen3Coder, .glm:
            Self.xmlCall(bytes, format: self, tools: tools, final: final, into: &result)
        case .generic:
            result.end = 0
        }
        return result
    }

    /// A reply that starts with JSON (bare or in a ```json fence) naming a declared tool: a
    /// call, as small models write them without markup. Anything else is rejected (content).
    static func leadingJSONCall(_ bytes: [UInt8], tools: [ToolDeclaration], final: Bool) -> RegionParse {
        var result = RegionParse()
        var index = JSONScanner.skipSpace(bytes, 0)
        var fenced = false
        for fence in ["```json", "```"] {
            switch JSONScanner.matches(bytes, index, fence) {
            case nil: return result
            case true?:
                index = JSONScanner.skipSpace(bytes, index + fence.utf8.count)
                fenced = true
            case false?: continue
            }
            break
        }
        guard index < bytes.count else {
            if final { result.rejected = true }
            return result
        }
        guard bytes[index] == UInt8(ascii: "{") else {
            result.rejected = true
            return result
        }
        let object = callObject(bytes, from: index, final: final)
        if object.invalid || (object.end != nil && object.name == nil) {
            result.rejected = true
            return result
        }
        if let name = object.name, !tools.contains(where: { $0.name == name }) {
            result.rejected = true
            return result
        }
        if object.end == nil && final {
            result.rejected = object.name == nil
        }
        result.add(object)
        if let end = object.end {
            result.end = fenced ? closing("```", bytes, after: end) : end
        }
        return result
    }

    // MARK: Pieces

    struct CallObject {
        var name: String?
        var arguments: String?
        var argumentsComplete = false
        var end: Int?
        var invalid = false
    }

    /// `{"name": "…", "arguments": {…}}` (or `"parameters"`), keys in any order.
    static func callObject(_ bytes: [UInt8], from start: Int, final: Bool) -> CallObject {
        var result = CallObject()
        var index = JSONScanner.skipSpace(bytes, start)
        guard index < bytes.count else { return result }
        guard bytes[index] == UInt8(ascii: "{") else {
            result.invalid = true
            return result
        }
        index += 1
        while true {
            index = JSONScanner.skipSpace(bytes, index)
            guard index < bytes.count else { return result }
            if bytes[index] == UInt8(ascii: "}") {
                result.end = index + 1
                return result
            }
            guard bytes[index] == UInt8(ascii: "\""), case .complete(let keyEnd) = JSONScanner.stringEnd(bytes, from: index) else {
                result.invalid = bytes[index] != UInt8(ascii: "\"")
                return result
            }
            let key = (try? JSON(parsing: bytes[index..<keyEnd]))?.string ?? ""
            index = JSONScanner.skipSpace(bytes, keyEnd)
            guard index < bytes.count else { return result }
            guard bytes[index] == UInt8(ascii: ":") else {
                result.invalid = true
                return result
            }
            index = JSONScanner.skipSpace(bytes, index + 1)
            guard index < bytes.count else { return result }
            let isArguments = key == "arguments" || key == "parameters"
            let isString = bytes[index] == UInt8(ascii: "\"")
            switch JSONScanner.valueEnd(bytes, from: index, final: final) {
            case .invalid:
                result.invalid = true
                return result
            case .incomplete:
                if isArguments && !isString { result.arguments = String(bytes[index...]) }
                return result
            case .complete(let end):
                let value = (try? JSON(parsing: bytes[index..<end])) ?? .null
                if key == "name" { result.name = value.string }
                if isArguments {
                    // Arguments written as a JSON string holding JSON are unwrapped.
                    result.arguments = isString ? (value.string ?? "") : String(bytes[index..<end])
                    result.argumentsComplete = true
                }
                index = JSONScanner.skipSpace(bytes, end)
                guard index < bytes.count else { return result }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                if bytes[index] == UInt8(ascii: "}") {
                    result.end = index + 1
                    return result
                }
                result.invalid = true
                return result
            }
        }
    }

    /// Where markup ends after `end`: past `tag` (after optional whitespace) when it follows,
    /// at `end` when something else does; nil while the text may still become `tag`.
    static func closing(_ tag: String, _ bytes: [UInt8], after end: Int) -> Int? {
        let index = JSONScanner.skipSpace(bytes, end)
        switch JSONScanner.matches(bytes, index, tag) {
        case true?: return index + tag.utf8.count
        case false?: return end
        case nil: return nil
        }
    }

    /// `NAME<separator>{arguments}`; returns the index after the arguments once they are complete.
    @discardableResult
    static func nameThenArguments(
        _ bytes: [UInt8],
        from start: Int,
        separators: [String],
        final: Bool,
        into result: inout RegionParse,
        name transform: (String) -> String
    ) -> Int? {
        var found: (Int, String)?
        for separator in separators {
            if let at = JSONScanner.find(separator, in: bytes, from: start), found.map({ at < $0.0 }) ?? true { found = (at, separator) }
        }
        guard let (at, separator) = found else {
            if final { result.end = bytes.count }
            return nil
        }
        let name = transform(String(bytes[start..<at]).trimmingSpaces)
        let argumentsStart = JSONScanner.skipSpace(bytes, at + separator.utf8.count)
        guard argumentsStart < bytes.count else {
            result.calls.append(ParsedCall(name: name, arguments: "", complete: false))
            return nil
        }
        switch JSONScanner.valueEnd(bytes, from: argumentsStart, final: final) {
        case .complete(let end):
            result.calls.append(ParsedCall(name: name, arguments: String(bytes[argumentsStart..<end]), complete: true))
            // R1's fence after the arguments.
            guard let afterFence = closing("```", bytes, after: end) ?? (final ? end : nil) else { return nil }
            result.end = afterFence
            return afterFence
        case .incomplete:
            result.calls.append(ParsedCall(name: name, arguments: String(bytes[argumentsStart...]), complete: false))
            return nil
        case .invalid:
            result.calls.append(ParsedCall(name: name, arguments: "{}", complete: true))
            result.end = bytes.count
            return nil
        }
    }

    /// A section of calls, each between `callOpen` and `callClose`, ended by `sectionClose`.
    static func sectionOfCalls(
        _ bytes: [UInt8],
        callOpen: String,
        callClose: String,
        sectionClose: String?,
        startsInsideCall: Bool,
        final: Bool,
        into result: inout RegionParse,
        call: ([UInt8], Int, inout RegionParse) -> Int?
    ) {
        var index = 0
        var insideCall = startsInsideCall
        while true {
            if !insideCall {
                index = JSONScanner.skipSpace(bytes, index)
                switch JSONScanner.matches(bytes, index, callOpen) {
                case true?:
                    index += callOpen.utf8.count
                    insideCall = true
                case nil: return
                case false?:
                    if let sectionClose, JSONScanner.matches(bytes, index, sectionClose) == true {
                        result.end = index + sectionClose.utf8.count
                    } else if let sectionClose, JSONScanner.matches(bytes, index, sectionClose) == nil {
                        return
                    } else {
                        result.end = index
                    }
                    return
                }
            }
            var one = RegionParse()
            let end = call(bytes, index, &one)
            result.calls += one.calls
            guard let end else {
                if one.end != nil { result.end = bytes.count }
                return
            }
            let after = JSONScanner.skipSpace(bytes, end)
            switch JSONScanner.matches(bytes, after, callClose) {
            case true?: index = after + callClose.utf8.count
            case nil: return
            case false?: index = end
            }
            insideCall = false
            if sectionClose == nil {
                // A call without a section: one call, then content again unless another opens.
                let next = JSONScanner.skipSpace(bytes, index)
                if JSONScanner.matches(bytes, next, callOpen) == false || (final && next == bytes.count) {
                    result.end = index
                    return
                }
            }
        }
    }
}

extension RegionParse {
    mutating func add(_ object: ToolCallFormat.CallObject) {
        guard let name = object.name else { return }
        let complete = object.end != nil
        calls.append(ParsedCall(name: name, arguments: object.arguments ?? (complete ? "{}" : ""), complete: complete))
    }
}

extension String {
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
