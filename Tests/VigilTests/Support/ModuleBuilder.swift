import Foundation
import VigilTestSupport

/// Builds module `.so` files with plain `cc` against the public header, the
/// way a third party would, into a private folder the loader trusts.
struct ModuleBuilder {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var headerDirectory: String { repoRoot.appendingPathComponent("CHeaders/include").path }
    /// Frozen copies of earlier headers, e.g. `frozenHeaderDirectory("1.0")`.
    static func frozenHeaderDirectory(_ version: String) -> String {
        repoRoot.appendingPathComponent("Tests/ABI/\(version)").path
    }
    static var exampleSource: String { repoRoot.appendingPathComponent("Plugins/example/example.c").path }

    let directory: URL

    init() throws {
        directory = URL(fileURLWithPath: try TrustedScratch.folder("vigil-modules"))
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Compiles C source text (or a file) into `name`, against the current
    /// header unless `headers` names another folder holding vigil_module.h.
    @discardableResult
    func compile(source: String? = nil, file: String? = nil, into name: String, flags: [String] = [],
                 headers: String = ModuleBuilder.headerDirectory) throws -> String {
        var input = file
        if let source {
            let src = path(name + ".c")
            try source.write(toFile: src, atomically: true, encoding: .utf8)
            input = src
        }
        let out = path(name)
        try run("/usr/bin/cc", ["-shared", "-fPIC", "-O1", "-I", headers] + flags + [input!, "-o", out])
        chmod(out, 0o755)
        if source != nil { try? FileManager.default.removeItem(atPath: input!) }
        return out
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    func run(_ tool: String, _ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let err = Pipe()
        p.standardError = err
        try p.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        if p.terminationStatus != 0 {
            throw BuildError(message: "\(tool) \(args.joined(separator: " ")): \(String(decoding: data, as: UTF8.self))")
        }
    }

    struct BuildError: Error, CustomStringConvertible { var message: String; var description: String { message } }
}
