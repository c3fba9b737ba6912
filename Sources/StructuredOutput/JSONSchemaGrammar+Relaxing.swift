import OrderedJSON

extension JSONSchemaGrammar {
    /// `schema` without the keywords the converter cannot express, taken out one at a time as
    /// its refusals name them (`format: uri`, `minimum` on a number, `uniqueItems`, …): a looser
    /// constraint, never a stricter one. For tools the model may call or not (`tool_choice`
    /// auto, not `strict`): there a refusal would fail every request of a client that declares
    /// such a tool, while nothing was promised about the arguments' shape.
    /// - Returns: the schema and the keywords taken out (as JSON pointers); the schema as it
    ///   was when it has a fault that taking keywords out does not mend.
    public static func relaxed(_ schema: JSON) -> (schema: JSON, dropped: [String]) {
        var current = schema
        var dropped: [String] = []
        // Each round takes one keyword out; a schema has far fewer than this.
        for _ in 0..<256 {
            var builder = GrammarBuilder()
            do {
                _ = try rule(for: current, name: "relaxed", builder: &builder)
                return (current, dropped)
            } catch .unsupportedKeyword(let keyword, let path) {
                // The path is the converter's pointer (keys as they are, unescaped), then perhaps a
                // note in parentheses after a space. A key holding "/" or " " is not found, and the
                // schema stays as it was.
                let pointer = path.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
                var segments = pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
                if segments.last != keyword { segments.append(keyword) }
                guard let removed = current.removing(Array(segments)) else { return (schema, []) }
                current = removed
                dropped.append("/" + segments.joined(separator: "/"))
            } catch {
                return (schema, [])
            }
        }
        return (schema, [])
    }
}

extension JSON {
    /// This value without the member at `pointer` (object keys and array indices); nil when
    /// there is no such member.
    fileprivate func removing(_ pointer: [String]) -> JSON? {
        guard let first = pointer.first else { return nil }
        let rest = Array(pointer.dropFirst())
        switch self {
        case .object(let members):
            guard let index = members.firstIndex(where: { $0.0 == first }) else { return nil }
            var copy = members
            if rest.isEmpty {
                copy.remove(at: index)
            } else {
                guard let inner = members[index].1.removing(rest) else { return nil }
                copy[index].1 = inner
            }
            return .object(copy)
        case .array(let items):
            guard let index = Int(first), items.indices.contains(index), !rest.isEmpty, let inner = items[index].removing(rest) else { return nil }
            var copy = items
            copy[index] = inner
            return .array(copy)
        default:
            return nil
        }
    }
}
