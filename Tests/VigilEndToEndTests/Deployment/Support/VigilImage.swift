import Foundation

/// The image scripts/build-image.sh makes from this test run's own build
/// products, built once per test process.
enum VigilImage {
    static let repository = "docker.io/library/vigil"
    static let tag = "e2e"
    static var reference: String { "\(repository):\(tag)" }

    struct Built: Sendable {
        var archive: URL
        /// The script's "image size: ..." line.
        var sizeReport: String
        var archiveBytes: Int
    }

    /// The checkout holding this file (Tests/VigilEndToEndTests/Deployment/Support/VigilImage.swift).
    static var repositoryRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { url.deleteLastPathComponent() }
        return url
    }

    /// The folder holding the test runner, which is also where `swift build` put vigil and the modules.
    static var buildProducts: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
    }

    /// Without DWARF (--strip-debug): a debug build is mostly debug info, and compressing it
    /// would take most of the test's time.
    static func build(into directory: String) throws -> Built {
        let archive = URL(fileURLWithPath: directory).appendingPathComponent("vigil-image.tar")
        let script = repositoryRoot.appendingPathComponent("scripts/build-image.sh").path
        let result = try Subprocess.run(script, ["--tag", tag, "--strip-debug", buildProducts, archive.path], timeout: 180)
        let size = result.stdout.split(separator: "\n").first { $0.hasPrefix("image size:") }.map(String.init) ?? "no size printed"
        let bytes = (try? archive.resourceValues(forKeys: [.fileSizeKey]))?.fileSize ?? 0
        return Built(archive: archive, sizeReport: size, archiveBytes: bytes)
    }
}
