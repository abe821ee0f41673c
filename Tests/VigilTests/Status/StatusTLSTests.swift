import Foundation
import Testing
import VigilConfig
import VigilModel
@testable import VigilStatus

/// Issue 20 item 5: a `cmd_address` other hosts can reach needs TLS or an
/// explicit `cmd_insecure: true`; with TLS the CLI trusts the agent's own
/// certificate and nothing else, and plain HTTP gets no answer.
@Suite(.serialized) struct StatusTLSTests {
    final class Folder {
        let path = NSTemporaryDirectory() + "vigil-tls-" + UUID().uuidString
        init() { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        /// A self-signed certificate and key made by openssl, as an operator would.
        func certificate(_ name: String) throws -> (cert: String, key: String) {
            let cert = path + "/\(name).pem", key = path + "/\(name).key"
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            p.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                           "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=\(name)"]
            p.standardError = FileHandle.nullDevice
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            try #require(p.terminationStatus == 0)
            return (cert, key)
        }
    }

    func config(_ folder: Folder, _ yaml: String) throws -> AgentConfig {
        try AgentConfig.fromYAML("run_path: \(folder.path)\n\(yaml)\n", baseDirectory: folder.path)
    }

    @Test func aReachableAddressNeedsTLSOrSaysItIsInsecure() throws {
        let folder = Folder()
        let open = try config(folder, "cmd_address: 0.0.0.0:5001")
        #expect { try StatusServer(config: open) } throws: { error in
            "\(error)".contains("cmd_address 0.0.0.0:5001 is reachable from other hosts: set cmd_tls_cert_file")
        }
        let insecure = try config(folder, "cmd_address: 0.0.0.0:0\ncmd_insecure: true")
        _ = try StatusServer(config: insecure)
        #expect(insecure.lintWarnings.contains { $0.message.contains("travel in clear text (cmd_insecure)") })

        let half = try config(folder, "cmd_address: 127.0.0.1:0\ncmd_tls_cert_file: /x.pem")
        #expect { try StatusServer(config: half) } throws: { error in "\(error)".contains("cmd_tls_key_file is not set") }
    }

    @Test func theCLITalksTLSAndPlainHTTPGetsNoAnswer() throws {
        let folder = Folder()
        let (cert, key) = try folder.certificate("vigil-agent")
        let yaml = "cmd_address: 127.0.0.1:0\ncmd_tls_cert_file: \(cert)\ncmd_tls_key_file: \(key)"
        let config = try config(folder, yaml)
        #expect(config.lintWarnings.isEmpty)
        let server = try StatusServer(config: config)
        server.route("/status") { _ in .object([("ok", true)]) }
        try server.start()
        defer { server.stop() }
        #expect(try StatusClient.get(config: config, path: "/status") == .object([("ok", true)]))
        #expect(server.statusSnapshot()["tls"] == .bool(true))

        let address = StatusAddress(host: "127.0.0.1", port: server.boundPort)
        let plain = try? HTTPGet.fetch(address: address, target: "/status", headers: [:], timeoutSeconds: 3)
        #expect(plain == nil || plain?.status != 200)

        // A client that trusts another certificate refuses this server.
        let (other, otherKey) = try folder.certificate("someone-else")
        let stranger = try self.config(folder, "cmd_address: 127.0.0.1:\(server.boundPort)\ncmd_tls_cert_file: \(other)\ncmd_tls_key_file: \(otherKey)")
        #expect(throws: StatusClientError.self) { try StatusClient.get(config: stranger, path: "/status", timeoutSeconds: 3) }
    }

    @Test func anUnreadableCertificateStopsTheStartWithItsName() throws {
        let folder = Folder()
        try "not a certificate".write(toFile: folder.path + "/bad.pem", atomically: true, encoding: .utf8)
        let config = try config(folder, "cmd_address: 127.0.0.1:0\ncmd_tls_cert_file: bad.pem\ncmd_tls_key_file: bad.pem")
        let server = try StatusServer(config: config)
        #expect { try server.start() } throws: { error in "\(error)".contains("cannot use cmd_tls_cert_file \(folder.path)/bad.pem") }
    }
}
