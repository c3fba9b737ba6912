import Foundation

/// Where `hearth` finds its shipped folders (instruction templates, characters, presets, model
/// settings, models) when no flag names them: in the working directory when it has them (a
/// checkout, or a user's own, as text-generation-webui looks), else beside the installed binary
/// in `<prefix>/share/hearth` (`make install` puts the binary in `<prefix>/bin`). Nothing in the
/// binary names the prefix, so an installed tree can move.
enum InstallLayout {
    /// `name` in the working directory, else in `<prefix>/share/hearth`, else `name` as it is
    /// (the error that follows names it).
    static func directory(_ name: String) -> String {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: name) { return name }
        guard let shared = sharedDirectory?.appendingPathComponent(name).path, fileManager.fileExists(atPath: shared) else { return name }
        return shared
    }

    /// The chat page's files: `<prefix>/share/hearth/ui` when installed, else the checkout's
    /// `ui/` this binary was built from (not the working directory's: `ui` is too common a name
    /// to take from wherever hearth is started).
    static var chatPageDirectory: String {
        if let installed = sharedDirectory?.appendingPathComponent("ui").path, FileManager.default.fileExists(atPath: installed) {
            return installed
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../ui").standardized.path
    }

    /// `<prefix>/share/hearth`, from the running executable's real path.
    static var sharedDirectory: URL? {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        guard executable.path != "/proc/self/exe" else { return nil }
        return executable.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("share/hearth")
    }
}
