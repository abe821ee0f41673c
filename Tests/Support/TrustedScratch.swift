import Foundation

/// Scratch folders that the module loader trusts. The loader refuses a module
/// in any folder another user could write, and the usual temporary folder
/// (`/tmp`, mode 1777) is such a folder; so tests that load modules work
/// under a root-owned 0755 folder when they run as root (as CI does), and in
/// the temporary folder otherwise.
public enum TrustedScratch {
    public static var base: String {
        geteuid() == 0 ? "/run/vigil-tests" : FileManager.default.temporaryDirectory.path
    }

    /// A new empty folder, mode 0755, named `<prefix>-<uuid>`.
    public static func folder(_ prefix: String) throws -> String {
        let path = base + "/" + prefix + "-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(base, 0o755)
        chmod(path, 0o755)
        return path
    }
}
