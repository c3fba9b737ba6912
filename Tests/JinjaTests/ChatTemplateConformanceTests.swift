import Foundation
import Testing

@testable import Jinja

/// Every real chat template in `../shared/chat-templates`, rendered on every conversation in
/// `Conversations/`, must equal what Python's jinja2 produced (`Expected/`, written by
/// `scripts/render_chat_templates.py`) byte for byte, or fail where Python failed.
@Suite struct ChatTemplateConformanceTests {
    static let packageRoot = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let templateDirectory = packageRoot.deletingLastPathComponent().appending(path: "shared/chat-templates")
    static let resources = packageRoot.appending(path: "Tests/JinjaTests")

    static var templateNames: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: templateDirectory.path)) ?? []
        return files.filter { $0.hasSuffix(".jinja") }.map { String($0.dropLast(6)) }.sorted()
    }

    /// strftime_now's clock in the reference script: 2026-01-15 10:30 local time.
    static let now: Date = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        return calendar.date(from: DateComponents(year: 2026, month: 1, day: 15, hour: 10, minute: 30))!
    }()

    /// Where Hearth knowingly differs, by template and conversation: Hearth has no lazy
    /// generators, so `map(...) | tojson` serializes the list (as llama.cpp does) where Python
    /// raises "Object of type generator is not JSON serializable".
    static let knownDeviations: [String: Set<String>] = [
        "llama-cpp-deepseek-r1": ["tools"]
    ]

    static func conversations() throws -> [(String, [String: Value])] {
        let directory = resources.appending(path: "Conversations")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            let text = try String(contentsOf: directory.appending(path: name), encoding: .utf8)
            guard case .object(let object) = try Value(jsonText: text) else { throw JinjaError.runtime("not an object", line: 0, column: 0) }
            var context = Dictionary(uniqueKeysWithValues: object.pairs)
            context["bos_token"] = "<s>"
            context["eos_token"] = "</s>"
            context["tools"] = context["tools"] ?? Value.none
            return (String(name.dropLast(5)), context)
        }
    }

    @Test(
        .enabled(if: !templateNames.isEmpty, "../shared/chat-templates is absent: the conformance corpus is skipped"),
        arguments: templateNames
    )
    func rendersLikePythonJinja2(template name: String) throws {
        let source = try String(contentsOf: Self.templateDirectory.appending(path: name + ".jinja"), encoding: .utf8)
        let expectedText = try String(contentsOf: Self.resources.appending(path: "Expected/\(name).json"), encoding: .utf8)
        guard case .object(let expected) = try Value(jsonText: expectedText) else { Issue.record("bad expected file"); return }
        let template = try Template(source)
        for (conversation, context) in try Self.conversations() where !(Self.knownDeviations[name]?.contains(conversation) ?? false) {
            guard case .object(let result) = expected[conversation] else {
                Issue.record("no expected output for \(conversation): run scripts/render_chat_templates.py")
                continue
            }
            if case .string(let output) = result["output"] {
                do {
                    let rendered = try template.render(context, now: Self.now)
                    if rendered != output {
                        Issue.record("\(conversation): \(Self.firstDifference(rendered, output))")
                    }
                } catch {
                    Issue.record("\(conversation): Python rendered, Swift threw \(error)")
                }
            } else {
                let message = result["error"]?.text ?? ""
                do {
                    let rendered = try template.render(context, now: Self.now)
                    Issue.record("\(conversation): Python raised \(message), Swift rendered \(rendered.prefix(200))")
                } catch .raised(let raised) {
                    #expect(message == "TemplateError: " + raised, "\(conversation)")
                } catch {
                    // Python failed with a type or undefined error; failing is what matters.
                }
            }
        }
    }

    static func firstDifference(_ actual: String, _ expected: String) -> String {
        let a = Array(actual.unicodeScalars)
        let b = Array(expected.unicodeScalars)
        let index = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
        func context(_ scalars: [Unicode.Scalar]) -> String {
            let slice = scalars[max(0, index - 60)..<min(scalars.count, index + 60)]
            return String(String.UnicodeScalarView(slice)).debugDescription
        }
        return "differs at scalar \(index) (lengths \(a.count) vs \(b.count))\n  swift:  \(context(a))\n  python: \(context(b))"
    }
}
