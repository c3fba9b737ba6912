/// One of flite's US English voices, found by its own name or by the OpenAI voice that maps
/// to it.
public struct SpeechVoice: Sendable, Equatable, Hashable {
    /// flite's name: `slt`, `rms`, `awb`, `kal16` or `kal`.
    public let name: String

    /// flite's voices, each with what it sounds like.
    public static let local: [(name: String, description: String)] = [
        ("slt", "US English, female (unit selection, 16 kHz)"),
        ("rms", "US English, male (unit selection, 16 kHz)"),
        ("awb", "Scottish English, male (unit selection, 16 kHz)"),
        ("kal16", "US English, male (diphone, 16 kHz)"),
        ("kal", "US English, male (diphone, 8 kHz)"),
    ]

    /// OpenAI's voices, each given the local voice nearest in kind: its feminine voices `slt`,
    /// its masculine ones `rms`, and `fable`, the British one, `awb`.
    public static let openAI: [String: String] = [
        "alloy": "slt", "coral": "slt", "marin": "slt", "nova": "slt", "sage": "slt", "shimmer": "slt",
        "ash": "rms", "ballad": "rms", "cedar": "rms", "echo": "rms", "onyx": "rms", "verse": "rms",
        "fable": "awb",
    ]

    /// The voice a request names (case-insensitive), or nil.
    public init?(named requested: String) {
        let lowered = requested.lowercased()
        if let mapped = Self.openAI[lowered] {
            name = mapped
        } else if Self.local.contains(where: { $0.name == lowered }) {
            name = lowered
        } else {
            return nil
        }
    }

    /// Every name ``init(named:)`` accepts, OpenAI's first.
    public static var names: [String] { openAI.keys.sorted() + local.map(\.name) }
}
