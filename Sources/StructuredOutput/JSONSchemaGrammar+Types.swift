import OrderedJSON

extension JSONSchemaGrammar {
    /// The string formats with a grammar; the same shapes as llama.cpp's.
    static let formats: [String: String] = [
        "date": #"[0-9]{4} "-" ( "0" [1-9] | "1" [0-2] ) "-" ( "0" [1-9] | [1-2] [0-9] | "3" [0-1] )"#,
        "time":
            #"([01] [0-9] | "2" [0-3]) ":" [0-5] [0-9] ":" [0-5] [0-9] ( "." [0-9]{3} )? ( "Z" | ( "+" | "-" ) ( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] )"#,
        "uuid":
            #"[0-9a-fA-F]{8} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{12}"#,
    ]

    mutating func stringRule(_ schema: JSON, name: String, path: String, builder: inout GrammarBuilder) throws(StructuredOutputError) -> String {
        let shapes = ["format", "pattern"].filter { schema[$0] != nil }
        let lengths = ["minLength", "maxLength"].filter { schema[$0] != nil }
        if shapes.count + (lengths.isEmpty ? 0 : 1) > 1 {
            let second = shapes.count > 1 ? shapes[1] : lengths[0]
            throw .unsupportedKeyword(second, path: "\(path)/\(second) (beside '\(shapes[0])')")
        }
        if case .string(let format)? = schema["format"] {
            _ = builder.primitive(.space)
            switch format {
            case "date", "time", "uuid":
                let inner = builder.add("\(format)-format", Self.formats[format]!)
                return builder.add(name, "\"\\\"\" \(inner) \"\\\"\" space")
            case "date-time":
                let date = builder.add("date-format", Self.formats["date"]!)
                let time = builder.add("time-format", Self.formats["time"]!)
                return builder.add(name, "\"\\\"\" \(date) \"T\" \(time) \"\\\"\" space")
            default:
                throw .unsupportedKeyword("format", path: "\(path)/format ('\(format)'; supported: date, time, date-time, uuid)")
            }
        } else if schema["format"] != nil {
            throw .invalidSchema("'format' must be a string", path: path + "/format")
        }
        if let pattern = schema["pattern"] {
            guard case .string(let text) = pattern else { throw .invalidSchema("'pattern' must be a string", path: path + "/pattern") }
            let inner: String
            do {
                inner = try RegexGrammar.rule(for: text, name: name + "-pattern", insideJSONString: true, builder: &builder)
            } catch {
                throw .unsupportedKeyword("pattern", path: "\(path)/pattern (\(error))")
            }
            _ = builder.primitive(.space)
            return builder.add(name, "\"\\\"\" \(inner) \"\\\"\" space")
        }
        let minimum = try Self.count(schema, "minLength", path: path) ?? 0
        let maximum = try Self.count(schema, "maxLength", path: path)
        if minimum == 0 && maximum == nil { return builder.primitive(.string) }
        if let maximum, maximum < minimum { throw .invalidSchema("'maxLength' is below 'minLength'", path: path + "/maxLength") }
        let char = builder.primitive(.char)
        _ = builder.primitive(.space)
        return builder.add(name, "\"\\\"\" \(char){\(minimum),\(maximum.map(String.init) ?? "")} \"\\\"\" space")
    }

    mutating func integerRule(_ schema: JSON, name: String, path: String, builder: inout GrammarBuilder) throws(StructuredOutputError) -> String {
        /// The bound as the nearest whole number inside it.
        func bound(_ keyword: String) throws(StructuredOutputError) -> Int? {
            guard let value = schema[keyword] else { return nil }
            let number: Double
            switch value {
            case .int(let int) where int.magnitude < 1_000_000_000_000_000: number = Double(int)
            case .double(let double) where double.isFinite && abs(double) < 1e15: number = double
            default: throw .unsupportedKeyword(keyword, path: "\(path)/\(keyword) (a number of at most 15 digits)")
            }
            switch keyword {
            case "minimum": return Int(number.rounded(.up))
            case "exclusiveMinimum": return Int(number.rounded(.down)) + 1
            case "maximum": return Int(number.rounded(.down))
            default: return Int(number.rounded(.up)) - 1
            }
        }
        let lows = [try bound("minimum"), try bound("exclusiveMinimum")].compactMap { $0 }
        let highs = [try bound("maximum"), try bound("exclusiveMaximum")].compactMap { $0 }
        let low = lows.max()
        let high = highs.min()
        if low == nil && high == nil { return builder.primitive(.integer) }
        if let low, let high, low > high { throw .invalidSchema("no integer lies between the bounds", path: path) }
        _ = builder.primitive(.space)
        return builder.add(name, "(\(IntegerRangeGrammar.expression(from: low, to: high))) space")
    }

    mutating func objectRule(_ schema: JSON, name: String, path: String, builder: inout GrammarBuilder) throws(StructuredOutputError) -> String {
        var properties: [(String, JSON)] = []
        switch schema["properties"] {
        case nil: break
        case .object(let list)?: properties = list
        default: throw .invalidSchema("'properties' must be an object", path: path + "/properties")
        }
        var required: Set<String> = []
        switch schema["required"] {
        case nil: break
        case .array(let names)?:
            for (index, item) in names.enumerated() {
                guard case .string(let key) = item else { throw .invalidSchema("'required' lists property names", path: "\(path)/required/\(index)") }
                required.insert(key)
                if !properties.contains(where: { $0.0 == key }) { properties.append((key, .bool(true))) }
            }
        default: throw .invalidSchema("'required' must be a list", path: path + "/required")
        }
        _ = builder.primitive(.space)
        if properties.isEmpty {
            // A map: any keys, values as `additionalProperties` says.
            switch schema["additionalProperties"] {
            case .bool(false)?: return builder.add(name, #""{" space "}" space"#)
            case nil, .bool(true)?: return builder.primitive(.object)
            case let valueSchema?:
                let value = try visit(valueSchema, name: name + "-value", path: path + "/additionalProperties", builder: &builder)
                let key = builder.primitive(.string)
                let pair = builder.add(name + "-kv", "\(key) \":\" space \(value)")
                return builder.add(name, "\"{\" space ( \(pair) ( \",\" space \(pair) )* )? \"}\" space")
            }
        }
        // Declared properties only, in declared order: required ones always, optional ones maybe.
        var pairs: [(rule: String, required: Bool)] = []
        for (key, valueSchema) in properties {
            let escapedKey = Self.pointerToken(key)
            let value = try visit(valueSchema, name: "\(name)-\(key)", path: "\(path)/properties/\(escapedKey)", builder: &builder)
            let keyLiteral = GrammarBuilder.literal(JSON.string(key).serialized)
            pairs.append((builder.add("\(name)-\(key)-kv", "\(keyLiteral) space \":\" space \(value)"), required.contains(key)))
        }
        return builder.add(name, "\"{\" space \(Self.members(pairs, name: name, builder: &builder)) \"}\" space")
    }

    /// The members of an object in order, each optional one present or not, with commas only
    /// between members that are there.
    static func members(_ pairs: [(rule: String, required: Bool)], name: String, builder: inout GrammarBuilder) -> String {
        // after(i): what may follow member i, given that something came before.
        var after: [String] = Array(repeating: "", count: pairs.count + 1)
        for index in stride(from: pairs.count - 1, through: 0, by: -1) {
            var alternatives: [String] = []
            var mayEnd = false
            for next in (index + 1)..<(pairs.count + 1) {
                if next == pairs.count {
                    mayEnd = true
                    break
                }
                alternatives.append("\",\" space \(pairs[next].rule)\(after[next].isEmpty ? "" : " " + after[next])")
                if pairs[next].required { break }
            }
            if !alternatives.isEmpty {
                after[index] = builder.add("\(name)-after-\(index)", "( \(alternatives.joined(separator: " | ")) )\(mayEnd ? "?" : "")")
            }
        }
        // The first member present: the first required one, or any optional one before it.
        var firsts: [String] = []
        for index in pairs.indices {
            firsts.append("\(pairs[index].rule)\(after[index].isEmpty ? "" : " " + after[index])")
            if pairs[index].required { return "( \(firsts.joined(separator: " | ")) )" }
        }
        return firsts.isEmpty ? "" : "( \(firsts.joined(separator: " | ")) )?"
    }

    mutating func arrayRule(_ schema: JSON, name: String, path: String, builder: inout GrammarBuilder) throws(StructuredOutputError) -> String {
        let minimum = try Self.count(schema, "minItems", path: path) ?? 0
        let maximum = try Self.count(schema, "maxItems", path: path)
        if let maximum, maximum < minimum { throw .invalidSchema("'maxItems' is below 'minItems'", path: path + "/maxItems") }
        _ = builder.primitive(.space)
        if let prefix = schema["prefixItems"] {
            guard case .array(let tuple) = prefix else { throw .invalidSchema("'prefixItems' must be a list", path: path + "/prefixItems") }
            guard minimum <= tuple.count, (maximum ?? tuple.count) >= tuple.count else {
                throw .unsupportedKeyword(minimum > tuple.count ? "minItems" : "maxItems", path: "\(path) (beside 'prefixItems')")
            }
            var items: [String] = []
            for (index, item) in tuple.enumerated() {
                items.append(try visit(item, name: "\(name)-\(index)", path: "\(path)/prefixItems/\(index)", builder: &builder))
            }
            let body = items.isEmpty ? "" : items.joined(separator: " \",\" space ")
            return builder.add(name, "\"[\" space \(body) \"]\" space")
        }
        let item: String
        switch schema["items"] {
        case nil, .bool(true)?: item = builder.primitive(.value)
        case .bool(false)?: return builder.add(name, #""[" space "]" space"#)
        case let itemSchema?: item = try visit(itemSchema, name: name + "-item", path: path + "/items", builder: &builder)
        }
        if maximum == 0 { return builder.add(name, #""[" space "]" space"#) }
        let more = "( \",\" space \(item) ){\(max(minimum - 1, 0)),\(maximum.map { String($0 - 1) } ?? "")}"
        let list = minimum == 0 ? "( \(item) \(more) )?" : "\(item) \(more)"
        return builder.add(name, "\"[\" space \(list) \"]\" space")
    }

    /// A property name as a JSON pointer token.
    static func pointerToken(_ key: String) -> String {
        key.replacing("~", with: "~0").replacing("/", with: "~1")
    }
}
