import Foundation
import Testing
import VigilConfig
import VigilModel
@testable import VigilStatus

/// Issue 20 item 5: what a local user without the token gets from the status
/// API by holding connections open or trickling a request: bounded
/// descriptors, connections closed, and the owner's own requests still answered.
@Suite(.serialized) struct StatusServerLimitsTests {
    final class Folder {
        let path = NSTemporaryDirectory() + "vigil-limits-" + UUID().uuidString
        init() { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    func server(_ folder: Folder, yaml: String = "cmd_address: 127.0.0.1:0", limits: ConnectionLimits) throws
        -> (StatusServer, AgentConfig)
    {
        let config = try AgentConfig.fromYAML("run_path: \(folder.path)\n\(yaml)\n", baseDirectory: folder.path)
        let server = try StatusServer(config: config, limits: limits)
        server.route("/status") { _ in .object([("ok", true)]) }
        try server.start()
        return (server, config)
    }

    /// A connected TCP socket to the server, nothing sent.
    func connect(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return rc == 0 ? fd : -1
    }

    /// True when the server has closed `fd` within `seconds`.
    func closedByServer(_ fd: Int32, within seconds: Double) -> Bool {
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }

    @Test func connectionsBeyondThePeerLimitAreClosedAtOnce() throws {
        let folder = Folder()
        var limits = ConnectionLimits()
        limits.perPeer = 4
        limits.requestSeconds = 30
        let (server, _) = try server(folder, limits: limits)
        defer { server.stop() }
        let held = (0..<4).map { _ in connect(server.boundPort) }
        // held[3] is closed below: closing it again here would close whatever descriptor
        // another suite was given that number meanwhile (it once was an event loop's epoll).
        defer { held.prefix(3).forEach { close($0) } }
        Thread.sleep(forTimeInterval: 0.3)
        let extra = connect(server.boundPort)
        defer { close(extra) }
        #expect(closedByServer(extra, within: 2))
        #expect(!closedByServer(held[0], within: 0.3))
        #expect(server.connections.totals.open == 4)
        #expect(server.connections.totals.refused == 1)

        // Once one is let go, the owner gets in again.
        close(held[3])
        Thread.sleep(forTimeInterval: 0.3)
        let address = StatusAddress(host: "127.0.0.1", port: server.boundPort)
        #expect(try HTTPGet.fetch(address: address, target: "/status", headers: [:], timeoutSeconds: 5).status == 401)
    }

    @Test func idleAndTricklingConnectionsAreClosedAtTheDeadline() throws {
        let folder = Folder()
        var limits = ConnectionLimits()
        limits.requestSeconds = 1
        let (server, config) = try server(folder, limits: limits)
        defer { server.stop() }

        let idle = connect(server.boundPort)
        defer { close(idle) }
        let started = Date()
        #expect(closedByServer(idle, within: 4))
        #expect(Date().timeIntervalSince(started) > 0.7)

        let slow = connect(server.boundPort)
        defer { close(slow) }
        var closed = false
        for byte in Array("GET /status HTTP/1.1\r\nHost: x\r\n".utf8) {
            var b = byte
            if send(slow, &b, 1, Int32(MSG_NOSIGNAL)) != 1 { closed = true; break }
            usleep(150_000)
        }
        #expect(closed || closedByServer(slow, within: 1))
        #expect(server.connections.totals.timedOut == 2)
        #expect(try StatusClient.get(config: config, path: "/status") == .object([("ok", true)]))
        Thread.sleep(forTimeInterval: 0.3)
        #expect(server.connections.totals.open == 0)
    }
}
