import Foundation

/// Builds layer tarballs and folders with real tools (GNU tar, gzip, zstd, python3's zipfile).
struct SBOMFixtures {
    let directory: URL

    init(_ name: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-sbom-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// Writes `files` (relative path → content) under a new folder and returns it.
    func folder(_ name: String, _ files: [String: String], executable: Set<String> = []) throws -> URL {
        let root = directory.appendingPathComponent(name)
        for (path, content) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: url)
            if executable.contains(path) { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
        }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    /// A tar of `folder`'s content (paths relative to it), compressed with `compression` ("", "gzip", "zstd").
    func layer(of folder: URL, compression: String = "gzip") throws -> [UInt8] {
        let out = directory.appendingPathComponent(UUID().uuidString + ".tar")
        try run("/bin/tar", ["--format=gnu", "-cf", out.path, "-C", folder.path, "."])
        var path = out.path
        if compression == "gzip" { try run("/bin/gzip", ["-kn", out.path]); path += ".gz" }
        if compression == "zstd" { try run("/usr/bin/zstd", ["-q", out.path, "-o", out.path + ".zst"]); path += ".zst" }
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "\(tool) \(arguments) failed"])
        }
    }

    static let dpkgStatus = """
        Package: base-files
        Status: install ok installed
        Architecture: amd64
        Version: 12.4+deb12u5

        Package: libc6
        Status: install ok installed
        Architecture: amd64
        Source: glibc (2.36-9+deb12u4)
        Version: 2.36-9+deb12u4
        Description: GNU C Library: Shared libraries
         Contains the standard libraries.

        Package: removed-tool
        Status: deinstall ok config-files
        Architecture: amd64
        Version: 1.0

        """

    static let osRelease = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n"

    static func pythonMetadata(_ name: String, _ version: String, license: String = "MIT") -> String {
        "Metadata-Version: 2.1\nName: \(name)\nVersion: \(version)\nLicense: \(license)\nClassifier: License :: OSI Approved :: MIT License\n\nA description: not a field.\nName: not-this\n"
    }
}
