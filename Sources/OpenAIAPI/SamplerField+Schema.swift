import Foundation
import OrderedJSON

extension SamplerField {
    /// The field's JSON Schema, from its kind, range, default and summary: what the OpenAPI
    /// document says of it.
    public var jsonSchema: JSON {
        var members: [(String, JSON)]
        switch kind {
        case .number(let range): members = [("type", "number"), ("minimum", .double(range.lowerBound)), ("maximum", .double(range.upperBound))]
        case .integer(let range): members = [("type", "integer"), ("minimum", .int(range.lowerBound)), ("maximum", .int(range.upperBound))]
        case .flag: members = [("type", "boolean")]
        case .breakers, .stages: members = [("anyOf", [["type": "string"], ["type": "array", "items": ["type": "string"]]])]
        }
        let value: JSON =
            switch defaultValue {
            case .number(let number): .double(number)
            case .integer(let integer): .int(integer)
            case .flag(let flag): .bool(flag)
            case .list(let items): .array(items.map(JSON.string))
            }
        members += [("default", value), ("description", .string(summary.replacingOccurrences(of: "`", with: "")))]
        return .object(members)
    }
}
