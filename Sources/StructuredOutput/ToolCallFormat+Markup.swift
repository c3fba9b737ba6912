import OrderedJSON

extension ToolCallFormat {
    /// Qwen3-Coder's `<function=NAME><parameter=KEY>value</parameter>…</function>` and GLM's
    /// `NAME<arg_key>KEY</arg_key><arg_value>value</arg_value>…`, after `<tool_call>`. The
    /// arguments are built as a JSON object, a member per finished parameter: a value is a
    /// string when the tool's schema says so (or it is not JSON), else the JSON it spells.
    static func xmlCall(_ bytes: [UInt8], format: ToolCallFormat, tools: [ToolDeclaration], final: Bool, into result: inout RegionParse) {
        let text = String(bytes[...])
        let isCoder = format == .qwen3Coder
        var rest = Substring(text)
        func skipSpace() { rest = rest.drop { $0.isWhitespace } }
        skipSpace()
        let name: String
        if isCoder {
            guard rest.count >= "<function=".count else { return }
            guard rest.hasPrefix("<function=") else {
                result.end = bytes.count
                return
            }
            rest = rest.dropFirst("<function=".count)
            guard let close = rest.firstIndex(of: ">") else { return }
            name = String(rest[..<close]).trimmingSpaces
            rest = rest[rest.index(after: close)...]
        } else {
            guard let stop = rest.firstIndex(where: { $0 == "\n" || $0 == "<" }) else {
                if final { result.end = bytes.count }
                return
            }
            name = String(rest[..<stop]).trimmingSpaces
            rest = rest[stop...]
        }
        let tool = tools.first { $0.name == name }
        var members: [String] = []
        let (keyOpen, keyClose, valueOpen, valueClose, callEnd) =
            isCoder
            ? ("<parameter=", ">", "", "</parameter>", "</function>")
            : ("<arg_key>", "</arg_key>", "<arg_value>", "</arg_value>", "</tool_call>")
        var finished = false
        while true {
            skipSpace()
            if rest.hasPrefix(keyOpen) {
                let afterKey = rest.dropFirst(keyOpen.count)
                guard let keyEnd = afterKey.firstRange(of: keyClose) else { break }
                let key = String(afterKey[..<keyEnd.lowerBound]).trimmingSpaces
                var valueText = afterKey[keyEnd.upperBound...]
                if !valueOpen.isEmpty {
                    valueText = valueText.drop { $0.isWhitespace }
                    guard valueText.count >= valueOpen.count else { break }
                    guard valueText.hasPrefix(valueOpen) else {
                        finished = true
                        break
                    }
                    valueText = valueText.dropFirst(valueOpen.count)
                }
                guard let valueEnd = valueText.firstRange(of: valueClose) else { break }
                var value = String(valueText[..<valueEnd.lowerBound])
                if value.hasPrefix("\n") { value.removeFirst() }
                if value.hasSuffix("\n") { value.removeLast() }
                members.append(JSON.string(key).serialized + ": " + jsonValue(value, type: tool?.parameterType(key)))
                rest = valueText[valueEnd.upperBound...]
                continue
            }
            if rest.hasPrefix(callEnd) {
                rest = rest.dropFirst(callEnd.count)
                finished = true
            } else if !callEnd.hasPrefix(rest) && !keyOpen.hasPrefix(rest) {
                finished = true
            }
            break
        }
        let arguments = "{" + members.joined(separator: ", ")
        guard finished || final else {
            result.calls.append(ParsedCall(name: name, arguments: arguments, complete: false))
            return
        }
        result.calls.append(ParsedCall(name: name, arguments: arguments + "}", complete: true))
        if isCoder {
            // `</tool_call>` follows `</function>`.
            skipSpace()
            if rest.hasPrefix("</tool_call>") {
                rest = rest.dropFirst("</tool_call>".count)
            } else if "</tool_call>".hasPrefix(rest) && !final {
                result.calls[result.calls.count - 1].complete = false
                result.calls[result.calls.count - 1].arguments = arguments
                return
            }
        }
        result.end = bytes.count - rest.utf8.count
    }

    /// A parameter's text as a JSON value.
    static func jsonValue(_ text: String, type: String?) -> String {
        if type == "string" { return JSON.string(text).serialized }
        if let value = try? JSON(parsing: text) { return value.serialized }
        return JSON.string(text).serialized
    }

    /// Gemma 4's `call:NAME{key:<|"|>text<|"|>,n:1}<tool_call|>`: keys bare, strings between
    /// `<|"|>`. Converted to JSON when the call is complete.
    static func gemmaCall(_ bytes: [UInt8], final: Bool, into result: inout RegionParse) {
        let text = String(bytes[...])
        guard text.count >= "call:".count else { return }
        guard text.hasPrefix("call:") else {
            result.end = bytes.count
            return
        }
        let body = text.dropFirst("call:".count)
        guard let brace = body.firstIndex(of: "{") else { return }
        let name = String(body[..<brace]).trimmingSpaces
        guard let close = body.firstRange(of: "}<tool_call|>") else {
            result.calls.append(ParsedCall(name: name, arguments: "", complete: false))
            if final { result.end = bytes.count }
            return
        }
        let arguments = gemmaToJSON(String(body[brace..<body.index(after: close.lowerBound)]))
        result.calls.append(ParsedCall(name: name, arguments: arguments, complete: true))
        result.end = bytes.count - body[close.upperBound...].utf8.count
    }

    /// Rewrites Gemma's argument notation as JSON: quotes bare keys, turns `<|"|>…<|"|>` into
    /// JSON strings.
    static func gemmaToJSON(_ text: String) -> String {
        if let json = try? JSON(parsing: text) { return json.serialized }
        var output = ""
        var rest = Substring(text)
        let quote = "<|\"|>"
        while let first = rest.first {
            if rest.hasPrefix(quote) {
                rest = rest.dropFirst(quote.count)
                let end = rest.firstRange(of: quote)
                output += JSON.string(String(rest[..<(end?.lowerBound ?? rest.endIndex)])).serialized
                rest = end.map { rest[$0.upperBound...] } ?? ""
            } else if first.isLetter || first == "_" {
                let word = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                rest = rest.dropFirst(word.count)
                let isKey = rest.first == ":"
                output += isKey || !["true", "false", "null"].contains(String(word)) ? JSON.string(String(word)).serialized : String(word)
            } else {
                output.append(first)
                rest = rest.dropFirst()
            }
        }
        return (try? JSON(parsing: output))?.serialized ?? "{}"
    }
}
