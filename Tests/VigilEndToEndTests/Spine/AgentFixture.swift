import Foundation
import VigilTestSupport
import VigilConfig

/// A private agent configuration: its own modules folder, conf.d and
/// run_path under a scratch folder the module loader trusts, and the built `vigil` binary.
struct AgentFixture {
    static let products = AgentConfig.executableDirectory()
    static let vigil = products + "/vigil"
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    let root: String
    var modules: String { root + "/modules" }
    var confd: String { root + "/conf.d" }
    var configFile: String { root + "/vigil.yaml" }

    init(extraConfig: String = "") throws {
        root = try TrustedScratch.folder("vigil-e2e")
        for dir in [root + "/modules", root + "/conf.d"] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            chmod(dir, 0o755)
        }
        try """
            hostname: e2e-host
            modules_path: [modules]
            confd_path: conf.d
            run_path: run
            log_level: info
            cmd_address: 127.0.0.1:0
            dogstatsd_port: 0
            \(extraConfig)
            """.write(toFile: configFile, atomically: true, encoding: .utf8)
    }

    func write(_ text: String, to relative: String) throws {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Compiles C into the modules folder with plain cc, as a third party would.
    func compileModule(file: String? = nil, source: String? = nil, named name: String) throws {
        var input = file
        if let source {
            input = root + "/" + name + ".c"
            try source.write(toFile: input!, atomically: true, encoding: .utf8)
        }
        try Subprocess.run("cc", ["-shared", "-fPIC", "-I", AgentFixture.repoRoot + "/CHeaders/include",
                                  input!, "-o", modules + "/" + name])
        chmod(modules + "/" + name, 0o755)
    }

    func copyBuiltModule(_ product: String, as name: String) throws {
        try FileManager.default.copyItem(atPath: AgentFixture.products + "/lib\(product).so", toPath: modules + "/" + name)
        chmod(modules + "/" + name, 0o755)
    }

    @discardableResult
    /// `environment` adds variables to the agent's own.
    func vigil(_ args: [String], check: Bool = false, timeout: Double = 60,
               environment: [String: String] = [:]) throws -> Subprocess.Result {
        try Subprocess.run(AgentFixture.vigil, args + ["-c", configFile], timeout: timeout, check: check,
                           environment: environment.isEmpty ? nil
                               : ProcessInfo.processInfo.environment.merging(environment) { _, added in added })
    }

    func json(_ args: [String], environment: [String: String] = [:]) throws -> Any {
        let result = try vigil(args, environment: environment)
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}
