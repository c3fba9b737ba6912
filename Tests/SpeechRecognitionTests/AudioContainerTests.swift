import Testing

@testable import SpeechRecognition

/// Files Hearth's own decoder does not read are named by their first bytes.
@Suite struct AudioContainerTests {
    @Test(arguments: [
        (Array("OggS\0\u{2}".utf8), "Ogg"),
        ([0x1A, 0x45, 0xDF, 0xA3, 0x9F], "WebM (Matroska)"),
        ([0, 0, 0, 0x20] + Array("ftypM4A ".utf8), "MP4/M4A"),
        (Array("FORM\0\0\0\u{8}AIFF".utf8), "AIFF"),
        (Array("#!AMR\n".utf8), "AMR"),
        (Array("caff\0\u{1}".utf8), "CAF"),
        ([0xFF, 0xF1, 0x50, 0x80], "AAC (ADTS)"),
    ])
    func aContainerIsNamed(bytes: [UInt8], name: String) {
        #expect(AudioContainer.name(of: bytes) == name)
    }

    @Test func otherBytesAreNotNamed() {
        #expect(AudioContainer.name(of: []) == nil)
        #expect(AudioContainer.name(of: Array("hello, this is text".utf8)) == nil)
        // An MP3 frame header is not ADTS: its layer bits are set.
        #expect(AudioContainer.name(of: [0xFF, 0xFB, 0x90, 0x64]) == nil)
    }

    @Test func withoutFFmpegTheRefusalNamesTheContainer() {
        let message = SpeechError.needsFFmpeg(container: "Ogg").description
        #expect(message.contains("Ogg") && message.contains("ffmpeg"))
    }
}
