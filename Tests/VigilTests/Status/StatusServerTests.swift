import Foundation
import Testing
import VigilConfig
import VigilModel
@testable import VigilStatus

@Suite(.serialized) struct StatusServerTests {
    final class Folder {
        let path = NSTemporaryDirectory() + "vigil-status-" + UUID().uuidString
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    func config(_ folder: Folder) throws -> AgentConfig {
        try AgentConfig.fromYAML("run_path: \(folder.path)\ncmd_address: 127.0.0.1:0", baseDirectory: folder.path)
    }

    @Test func servesJSONRoutesToTokenHoldersOnly() throws {
        let folder = Folder()
        let config = try config(folder)
        let server = try StatusServer(config: config)
        server.route("/status") { query in .object([("hello", .string(query["name"] ?? "world")), ("n", 3)]) }
        server.textRoute("/metrics", contentType: "text/plain; version=0.0.4") { "up 1\n" }
        try server.start()
        defer { server.stop() }
        #expect(server.boundPort > 0)

        var info = stat()
        #expect(stat(AuthToken.path(runPath: folder.path), &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)

        let answer = try StatusClient.get(config: config, path: "/status", query: ["name": "a b&c"])
        #expect(answer == .object([("hello", "a b&c"), ("n", 3)]))

        let address = StatusAddress(host: "127.0.0.1", port: server.boundPort)
        let anonymous = try HTTPGet.fetch(address: address, target: "/status", headers: [:], timeoutSeconds: 5)
        #expect(anonymous.status == 401)
        let wrong = try HTTPGet.fetch(address: address, target: "/status", headers: ["Authorization": "Bearer nope"], timeoutSeconds: 5)
        #expect(wrong.status == 401)
        // The scheme is case-insensitive (RFC 6750); the token is not.
        let token = try String(contentsOfFile: AuthToken.path(runPath: folder.path), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        for scheme in ["bearer", "BEARER", "Bearer"] {
            let answer = try HTTPGet.fetch(address: address, target: "/status", headers: ["Authorization": "\(scheme) \(token)"],
                                           timeoutSeconds: 5)
            #expect(answer.status == 200, "\(scheme)")
        }
        let upper = try HTTPGet.fetch(address: address, target: "/status", headers: ["Authorization": "Bearer \(token.uppercased())x"],
                                      timeoutSeconds: 5)
        #expect(upper.status == 401)
        let metrics = try HTTPGet.fetch(address: address, target: "/metrics", headers: [:], timeoutSeconds: 5)
        #expect(metrics.status == 200)
        #expect(metrics.body == "up 1\n")
        #expect(try HTTPGet.fetch(address: address, target: "/nowhere", headers: [:], timeoutSeconds: 5).status == 404)
        #expect(throws: StatusClientError.self) { try StatusClient.get(config: config, path: "/nowhere") }
    }

    @Test func clientSaysWhenTheAgentIsNotRunning() throws {
        let folder = Folder()
        let config = try config(folder)
        let server = try StatusServer(config: config)
        try server.start()
        server.stop()
        #expect {
            try StatusClient.get(config: config, path: "/status")
        } throws: { error in
            guard case .notRunning = error as? StatusClientError else { return false }
            return true
        }
    }

    @Test func addressesParse() {
        #expect(StatusAddress(parsing: "127.0.0.1:5001") == StatusAddress(host: "127.0.0.1", port: 5001))
        #expect(StatusAddress(parsing: "[::1]:80") == StatusAddress(host: "::1", port: 80))
        #expect(StatusAddress(parsing: "localhost") == nil)
        #expect(StatusAddress(parsing: "h:70000") == nil)
    }
}
