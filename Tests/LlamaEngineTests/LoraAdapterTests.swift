import Foundation
import Testing

@testable import LlamaEngine

/// Loading LoRA adapters: refusals carry llama.cpp's reason. (Adapters that load, and what they
/// do to the logits, are tested end to end in tests/python/test_lora.py.)
@Suite struct LoraAdapterTests {
    @Test func aFileThatIsNotGGUFIsRefusedWithAReason() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("not-an-adapter-\(UUID()).gguf").path
        try Data("GGUF".utf8 + Array(repeating: 0, count: 60)).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: LlamaError.adapterLoadFailed(path: path, reason: "it is not a GGUF file")) {
            try TestModel.model.loadAdapter(path: path)
        }
    }

    @Test func theModelFileItselfIsNotAnAdapter() {
        #expect(throws: LlamaError.adapterLoadFailed(path: TestModel.path, reason: "expect general.type to be 'adapter', but got: model")) {
            try TestModel.model.loadAdapter(path: TestModel.path)
        }
    }

    @Test func aMissingFileIsRefused() {
        #expect(throws: LlamaError.adapterLoadFailed(path: "/nonexistent/x.gguf", reason: "the file cannot be read")) {
            try TestModel.model.loadAdapter(path: "/nonexistent/x.gguf")
        }
    }

}
