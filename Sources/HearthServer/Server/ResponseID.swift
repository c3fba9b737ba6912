import Foundation

/// Identifiers and timestamps for response objects.
enum ResponseID {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    /// `prefix` followed by 24 random alphanumerics, e.g. `chatcmpl-…`.
    static func make(_ prefix: String) -> String {
        prefix + String((0..<24).map { _ in alphabet.randomElement()! })
    }

    /// Seconds since 1970, for `created`.
    static var now: Int { Int(Date().timeIntervalSince1970) }
}
