/// What kind of file a recording is, read from its first bytes: to name it when it cannot be
/// decoded.
enum AudioContainer {
    /// The container's name, or nil when the bytes start like none Hearth knows.
    static func name(of bytes: [UInt8]) -> String? {
        func starts(_ text: String, at offset: Int = 0) -> Bool {
            bytes.count >= offset + text.utf8.count && bytes[offset..<(offset + text.utf8.count)].elementsEqual(text.utf8)
        }
        if starts("OggS") { return "Ogg" }
        if bytes.starts(with: [0x1A, 0x45, 0xDF, 0xA3]) { return "WebM (Matroska)" }
        if starts("ftyp", at: 4) { return "MP4/M4A" }
        if starts("FORM") && (starts("AIFF", at: 8) || starts("AIFC", at: 8)) { return "AIFF" }
        if starts("#!AMR") { return "AMR" }
        if starts("caff") { return "CAF" }
        if bytes.count >= 2 && bytes[0] == 0xFF && bytes[1] & 0xF6 == 0xF0 { return "AAC (ADTS)" }
        return nil
    }
}
