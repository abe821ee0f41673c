/// Which files of a root filesystem hold package facts, and how to read each.
/// Paths are relative to the root, without a leading "/".
public enum CatalogedFile: String, Codable, Sendable {
    case osRelease, dpkgStatus, dpkgStatusD, dpkgCopyright, apkInstalled
    case pythonMetadata, npmPackage, rpmSQLite, rpmBerkeleyDB, javaArchive, goBinary

    /// Files larger than this are skipped (and counted): they are not package databases.
    static let textLimit = 64 << 20
    static let archiveLimit = 32 << 20
    /// A host's rpm database can pass 100 MiB (headers carry every file's name and digest).
    static let rpmDatabaseLimit = 256 << 20

    /// The reader for `path`, or nil when it holds nothing we catalog. Go binaries are
    /// recognised by content (`GoBuildInfoScanner`), so any executable may be one.
    public static func kind(of path: String, executable: Bool) -> CatalogedFile? {
        switch path {
        case "etc/os-release", "usr/lib/os-release": return .osRelease
        case "var/lib/dpkg/status": return .dpkgStatus
        case "lib/apk/db/installed": return .apkInstalled
        case "var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite": return .rpmSQLite
        case "var/lib/rpm/Packages", "usr/lib/sysimage/rpm/Packages": return .rpmBerkeleyDB
        default: break
        }
        if path.hasPrefix("var/lib/dpkg/status.d/") {
            return path.hasSuffix(".md5sums") ? nil : .dpkgStatusD
        }
        if path.hasPrefix("usr/share/doc/") && path.hasSuffix("/copyright")
            && path.split(separator: "/").count == 5 { return .dpkgCopyright }
        if path.hasSuffix(".dist-info/METADATA") || path.hasSuffix(".egg-info/PKG-INFO") || path.hasSuffix(".egg-info") {
            return .pythonMetadata
        }
        if path == "package.json" || path.hasSuffix("/package.json") { return .npmPackage }
        for suffix in [".jar", ".war", ".ear", ".jpi", ".hpi"] where path.hasSuffix(suffix) { return .javaArchive }
        return executable ? .goBinary : nil
    }

    var sizeLimit: Int {
        switch self {
        case .javaArchive: Self.archiveLimit
        case .rpmSQLite, .rpmBerkeleyDB: Self.rpmDatabaseLimit
        default: Self.textLimit
        }
    }
}

/// What one file says: packages, the distribution, or a Debian package's licenses.
public struct FileFindings: Codable, Sendable, Hashable {
    public var packages: [FoundPackage] = []
    public var os: OSRelease?
    /// For usr/share/doc/<package>/copyright: that package and its licenses.
    public var licensedPackage: String?
    public var licenses: [String] = []

    public init() {}

    var isEmpty: Bool { packages.isEmpty && os == nil && licensedPackage == nil }
}

/// Reads one file's content into findings.
public enum Catalogers {
    public static func read(_ kind: CatalogedFile, path: String, content: [UInt8], layer: String) -> FileFindings {
        var findings = FileFindings()
        switch kind {
        case .osRelease:
            findings.os = OSRelease.parse(String(decoding: content, as: UTF8.self))
        case .dpkgStatus, .dpkgStatusD:
            findings.packages = DpkgCataloger.packages(String(decoding: content, as: UTF8.self), path: path, layer: layer)
        case .dpkgCopyright:
            findings.licensedPackage = String(path.split(separator: "/")[3])
            findings.licenses = DpkgCataloger.copyrightLicenses(String(decoding: content, as: UTF8.self))
        case .apkInstalled:
            findings.packages = ApkCataloger.packages(String(decoding: content, as: UTF8.self), path: path, layer: layer)
        case .pythonMetadata:
            findings.packages = PythonCataloger.packages(String(decoding: content, as: UTF8.self), path: path, layer: layer)
        case .npmPackage:
            findings.packages = NpmCataloger.packages(content, path: path, layer: layer)
        case .rpmSQLite:
            findings.packages = RpmCataloger.packages(sqlite: content, path: path, layer: layer)
        case .rpmBerkeleyDB:
            findings.packages = RpmBerkeleyDB.packages(content, path: path, layer: layer)
        case .javaArchive:
            findings.packages = JavaCataloger.packages(archive: content, path: path, layer: layer)
        case .goBinary:
            findings.packages = GoBuildInfo.packages(content, path: path, layer: layer)
        }
        return findings
    }
}
