import Foundation
import Testing
import VigilConfig

@Suite struct PrivateFoldersTests {
    func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-run-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func mode(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_mode & 0o7777) : -1
    }

    @Test func theSocketFolderIsItsOwnByDefault() throws {
        let config = try AgentConfig.fromYAML("run_path: /var/lib/vigil\n", baseDirectory: "/etc/vigil")
        #expect(config.dogstatsdSocketDirectory == "/etc/vigil/dogstatsd")
        let set = try AgentConfig.fromYAML("dogstatsd_socket_dir: /var/run/datadog\n", baseDirectory: "/etc/vigil")
        #expect(set.dogstatsdSocketDirectory == "/var/run/datadog")
        #expect(set.lintWarnings.isEmpty)
    }

    @Test func aSocketInsideRunPathIsWarnedAbout() throws {
        let config = try AgentConfig.fromYAML("run_path: /var/lib/vigil\ndogstatsd_socket: /var/lib/vigil/dsd.socket\n",
                                              baseDirectory: "/etc/vigil")
        let warnings = config.lintWarnings.map(\.message)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("dogstatsd_socket /var/lib/vigil/dsd.socket is inside run_path") == true)
        let off = try AgentConfig.fromYAML("run_path: /var/lib/vigil\ndogstatsd_socket: \"\"\n", baseDirectory: "/etc/vigil")
        #expect(off.lintWarnings.isEmpty)
    }

    @Test func aNewRunFolderIsPrivate() throws {
        let base = try scratch()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let previous = umask(0)
        defer { umask(previous) }
        #expect(try RunFolder.prepare(base + "/a/run") == nil)
        #expect(mode(base + "/a/run") == 0o700)
    }

    @Test func anEarlierAgentsOpenFolderIsTightened() throws {
        let base = try scratch()
        defer { try? FileManager.default.removeItem(atPath: base) }
        chmod(base, 0o755)
        FileManager.default.createFile(atPath: base + "/vigil.db", contents: Data())
        #expect(try RunFolder.prepare(base) == nil)
        #expect(mode(base) == 0o700)
    }

    @Test func aSharedFolderIsWarnedAboutAndLeftAlone() throws {
        let base = try scratch()
        defer { try? FileManager.default.removeItem(atPath: base) }
        FileManager.default.createFile(atPath: base + "/someone-elses-file", contents: Data())
        chmod(base, 0o755)
        let warning = try #require(try RunFolder.prepare(base))
        #expect(warning.contains("is mode 755"))
        #expect(mode(base) == 0o755)

        let sticky = try scratch()
        defer { try? FileManager.default.removeItem(atPath: sticky) }
        chmod(sticky, 0o1777)
        #expect(try RunFolder.prepare(sticky)?.contains("is mode 1777") == true)
        #expect(mode(sticky) == 0o1777)
    }
}
