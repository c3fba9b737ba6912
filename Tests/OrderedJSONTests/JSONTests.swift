import Foundation
import OrderedJSON
import Testing

@Suite struct JSONParsingTests {
    @Test func objectsKeepTheirOrderAndIntegersStayIntegers() throws {
        let value = try JSON(parsing: #"{"z": 1, "a": [true, null, 2.5, -0, 1e3], "m": {"k": "v"}}"#)
        #expect(value.serialized == #"{"z":1,"a":[true,null,2.5,0,1000.0],"m":{"k":"v"}}"#)
        #expect(value["z"] == .int(1))
        #expect(value["missing"] == nil)
    }

    @Test func aRepeatedKeyKeepsItsPlaceAndTakesTheLastValue() throws {
        #expect(try JSON(parsing: #"{"a": 1, "b": 2, "a": 3}"#).serialized == #"{"a":3,"b":2}"#)
    }

    @Test func escapesAndSurrogatePairsDecode() throws {
        let value = try JSON(parsing: #""q\" b\\ s\/ n\n t\t u\u00e9 e\ud83d\ude00 lone\ud800x""#)
        #expect(value == .string("q\" b\\ s/ n\n t\t u\u{e9} e😀 lone\u{FFFD}x"))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "NaN", "[1 2]", "\"\u{01}\"", "\"\\x\"", "tru", "{1: 2}", "1e999",
        "[1] 2", "\"\\u12\"",
    ])
    func malformedTextIsRefused(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSON(parsing: text) }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: JSONParseError.self) { try JSON(parsing: [0x22, 0xFF, 0x22]) }
    }

    @Test func nestingIsBounded() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSON(parsing: deep) }
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        _ = try JSON(parsing: fine)
    }

    @Test func agreesWithFoundationOnNumbers() throws {
        for text in ["0", "-12", "9223372036854775807", "9223372036854775808", "1.5e-7", "-0.0", "123456789012345678901234567890"] {
            let mine = try JSON(parsing: text)
            let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed) as? NSNumber
            switch mine {
            case .int(let value): #expect(theirs?.int64Value == Int64(value), "\(text)")
            case .double(let value): #expect(theirs?.doubleValue == value, "\(text)")
            default: Issue.record("\(text) is not a number")
            }
        }
    }
}

@Suite struct JSONDecodingTests {
    struct Body: Decodable, Equatable {
        var name: String
        var count: Int?
        var ratio: Double
        var tags: [String]
        var extra: JSON?
    }

    @Test func decodesLikeJSONDecoder() throws {
        let text = #"{"name": "n", "ratio": 2, "tags": ["a"], "extra": {"z": 1, "a": 2}, "count": null}"#
        let body = try JSON(parsing: text).decode(Body.self)
        #expect(body.name == "n")
        #expect(body.count == nil)
        #expect(body.ratio == 2)
        #expect(body.extra?.serialized == #"{"z":1,"a":2}"#)
    }

    @Test func errorsCarryThePathLikeJSONDecoder() throws {
        func error(_ text: String) -> DecodingError? {
            do {
                _ = try JSON(parsing: text).decode(Body.self)
                return nil
            } catch { return error as? DecodingError }
        }
        guard case .keyNotFound(let key, _) = error(#"{"ratio": 1, "tags": []}"#) else { Issue.record("no keyNotFound"); return }
        #expect(key.stringValue == "name")
        guard case .typeMismatch(_, let context) = error(#"{"name": "n", "ratio": 1, "tags": [1]}"#) else { Issue.record("no typeMismatch"); return }
        #expect(context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue } == ["tags", "0"])
        guard case .dataCorrupted = error(#"{"name": "n", "ratio": 1, "tags": [], "count": 1e30}"#) else { Issue.record("no dataCorrupted"); return }
        guard case .valueNotFound = error(#"{"name": null, "ratio": 1, "tags": []}"#) else { Issue.record("no valueNotFound"); return }
    }
}

@Suite struct JSONWritingTests {
    @Test func objectsKeepTheirKeyOrder() {
        let value = JSON.object([("z", .int(1)), ("a", .null), ("m", .array([.bool(true), .double(0.5)]))])
        #expect(value.serialized == #"{"z":1,"a":null,"m":[true,0.5]}"#)
    }

    @Test func stringsAreEscapedAsJSONRequiresAndParseBack() throws {
        let tricky = "quote \" backslash \\ newline \n tab \t bell \u{07} slash / emoji 😀 中文"
        let text = JSON.string(tricky).serialized
        #expect(text.contains(#"\u0007"#))
        #expect(text.contains("/"))
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed) as? String
        #expect(parsed == tricky)
    }

    @Test func nonFiniteNumbersBecomeNull() {
        #expect(JSON.double(.nan).serialized == "null")
    }

    @Test func ensureASCIIWritesPythonsEscapes() {
        var output = ""
        JSON.writeString("é 😀 \u{7F}", to: &output, ensureASCII: true)
        #expect(output == #""\u00e9 \ud83d\ude00 \u007f""#)
    }
}
