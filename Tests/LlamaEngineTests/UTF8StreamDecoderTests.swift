import Testing

@testable import LlamaEngine

@Suite struct UTF8StreamDecoderTests {
    @Test func holdsBackASplitCharacterUntilItCompletes() {
        var decoder = UTF8StreamDecoder()
        let bytes = Array("a😀b".utf8)  // 😀 is four bytes
        #expect(decoder.append(bytes[0..<2]) == "a")
        #expect(decoder.append(bytes[2..<3]) == "")
        #expect(decoder.hasPendingBytes)
        #expect(decoder.append(bytes[3...]) == "😀b")
        #expect(!decoder.hasPendingBytes)
    }

    @Test func everySplitOfMixedTextReassemblesExactly() {
        let text = "Grüße, 世界! 👋🏽 ok"
        let bytes = Array(text.utf8)
        for cut in 0...bytes.count {
            var decoder = UTF8StreamDecoder()
            let joined = decoder.append(bytes[..<cut]) + decoder.append(bytes[cut...]) + decoder.flush()
            #expect(joined == text, "split at \(cut)")
        }
    }

    @Test func invalidBytesBecomeReplacementCharacters() {
        var decoder = UTF8StreamDecoder()
        #expect(decoder.append([0xFF, 0x41]) == "\u{FFFD}A")
        #expect(decoder.append([0xE4, 0xB8]) == "")
        #expect(decoder.flush() == "\u{FFFD}")
    }
}
