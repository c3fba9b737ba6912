import Foundation
import MultipartKit
import NIOCore
import OpenAIAPI

/// A `multipart/form-data` body, its parts read by MultipartKit's parser: each field's value,
/// and for a file its name and content type.
struct MultipartForm {
    struct Part {
        var name: String
        var filename: String?
        var contentType: String?
        var body: ByteBuffer

        var text: String { String(buffer: body) }
    }

    var parts: [Part]

    /// Parses `body`, sent with `contentType` (which names the boundary).
    init(_ body: ByteBuffer, contentType: String?) throws(OpenAIError) {
        guard BrowserPolicy.mediaType(contentType) == "multipart/form-data", let boundary = Self.boundary(in: contentType ?? "") else {
            throw OpenAIError.invalidRequest("Send the request as multipart/form-data (a file upload), as OpenAI's clients do.", param: "file")
        }
        var parts: [Part] = []
        var headers: [(String, String)] = []
        var current = ByteBuffer()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in headers.append((name.lowercased(), value)) }
        parser.onBody = { chunk in current.writeBuffer(&chunk) }
        parser.onPartComplete = {
            let disposition = headers.first { $0.0 == "content-disposition" }?.1 ?? ""
            parts.append(
                Part(
                    name: Self.parameter("name", in: disposition) ?? "",
                    filename: Self.parameter("filename", in: disposition),
                    contentType: headers.first { $0.0 == "content-type" }?.1,
                    body: current
                )
            )
            headers = []
            current = ByteBuffer()
        }
        do {
            try parser.execute(body)
        } catch {
            throw OpenAIError.invalidRequest("The multipart/form-data body could not be read: \(error).", param: "file")
        }
        self.parts = parts
    }

    /// The first part named `name`.
    func part(_ name: String) -> Part? { parts.first { $0.name == name } }

    /// Every value of a list field (`timestamp_granularities[]`, or repeated without `[]`).
    func values(_ name: String) -> [String] { parts.filter { $0.name == name || $0.name == name + "[]" }.map(\.text) }

    static func boundary(in contentType: String) -> String? {
        parameter("boundary", in: contentType).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `key=value` or `key="value"` among a header's `;`-separated parameters.
    static func parameter(_ key: String, in header: String) -> String? {
        for item in header.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}
