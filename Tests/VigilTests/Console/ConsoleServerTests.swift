import Foundation
import Glibc
import Testing
import VigilConfig
import VigilForwarding
import VigilModel
@testable import VigilConsole
@testable import VigilStatus

/// The console behind a real status server and a real local store: the
/// token never appears in what a browser gets, plots carry stored points,
/// and the web route leaves the JSON routes as they were.
@Suite(.serialized) struct ConsoleServerTests {
    @Test func theTokenNeverReachesAPageAndPlotsCarryStoredPoints() async throws {
        let dir = NSTemporaryDirectory() + "vigil-console-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try AgentConfig.fromYAML("run_path: \(dir)\ncmd_address: 127.0.0.1:0", baseDirectory: dir)
        let now = WallClock.nowSeconds()
        let forwarder = try Forwarder(config: config, hostname: "h")
        forwarder.start()
        let cpu = (0..<240).map { Point(timestamp: now - 3600 + Int64($0) * 15, value: 5e8) }
        forwarder.consume(FlushBatch(series: [
            Series(name: "container.cpu.usage", type: .gauge, points: cpu, tags: ["container_id:c1"], host: "h"),
            Series(name: "container.cpu.limit", type: .gauge, points: cpu.map { Point(timestamp: $0.timestamp, value: 2e9) },
                   tags: ["container_id:c1"], host: "h"),
        ]))
        await forwarder.stop()

        let server = try StatusServer(config: config)
        server.route("/status") { _ in .object([("hostname", "h")]) }
        let sources = ConsoleSources(hostname: "h", status: { .object([("hostname", "h")]) },
                                     workload: { kind in kind == "container" ? .array([.object([("id", "c1"), ("name", "web")])]) : .array([]) },
                                     tags: { .array([]) }, store: LocalStoreQuery(config: config))
        Console(settings: ConsoleSettings(config: config), sources: sources).register(on: server)
        try server.start()
        defer { server.stop() }
        let token = try String(contentsOfFile: AuthToken.path(runPath: dir), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let port = server.boundPort

        #expect(try RawHTTP.send(port: port, "GET /console/ HTTP/1.1").status == 401)
        #expect(try RawHTTP.send(port: port, "GET /console/login-code HTTP/1.1").status == 401)
        // The JSON routes still want the token and nothing else.
        #expect(try RawHTTP.send(port: port, "GET /status HTTP/1.1").status == 401)
        #expect(try RawHTTP.send(port: port, "GET /status HTTP/1.1", headers: ["Authorization: Bearer \(token)"]).status == 200)

        let codeAnswer = try RawHTTP.send(port: port, "GET /console/login-code HTTP/1.1", headers: ["Authorization: Bearer \(token)"])
        #expect(codeAnswer.status == 200)
        #expect(!codeAnswer.body.contains(token))
        let path = try #require(try JSONText.parse(codeAnswer.body)["path"]).stringValue
        let login = try RawHTTP.send(port: port, "GET \(path) HTTP/1.1")
        #expect(login.status == 303)
        let cookie = try #require(login.header("Set-Cookie")).split(separator: ";")[0]
        var everything = codeAnswer.body + login.raw
        for page in ["/console/", "/console/containers?range=1h", "/console/metrics?metric=container.cpu.usage",
                     "/console/images", "/console/static/console.js", "/console/static/console.css",
                     "/console/api/plot?plot=container-cpu&id=c1&range=1h&width=300",
                     "/console/api/plot.csv?plot=metric&metric=container.cpu.usage&range=1h&width=300"] {
            let answer = try RawHTTP.send(port: port, "GET \(page) HTTP/1.1", headers: ["Cookie: \(cookie)"])
            #expect(answer.status == 200, "\(page)")
            everything += answer.raw
        }
        #expect(!everything.contains(token), "the status API's token reached a console answer")

        let plot = try RawHTTP.send(port: port, "GET /console/api/plot?plot=container-cpu&id=c1&range=1h&width=300 HTTP/1.1",
                                    headers: ["Cookie: \(cookie)"])
        let json = try JSONText.parse(plot.body)
        #expect(json["labels"] == .array(["time", "usage", "limit"]))
        guard case let .array(rows)? = json["rows"] else { Issue.record("no rows"); return }
        #expect(rows.count >= 200 && rows.count <= 241, "one row per 15 s bucket over the hour: \(rows.count)")
        #expect(rows.first.flatMap { row -> JSONValue? in if case let .array(cells) = row { cells[1] } else { nil } }
                == .array([0.5, 0.5, 0.5]))

        let zipped = try RawHTTP.send(port: port, "GET /console/containers HTTP/1.1",
                                      headers: ["Cookie: \(cookie)", "Accept-Encoding: gzip, deflate"])
        #expect(zipped.header("Content-Encoding") == "gzip")
    }
}

extension JSONValue {
    var stringValue: String { if case let .string(s) = self { s } else { "" } }
}

/// One HTTP/1.1 exchange over a plain socket, keeping the answer's headers
/// (the CLI's client drops them, and these tests need Set-Cookie).
enum RawHTTP {
    struct Answer {
        var status: Int
        var raw: String
        var body: String
        func header(_ name: String) -> String? {
            for line in raw.components(separatedBy: "\r\n").dropFirst() {
                if line.isEmpty { break }
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == name.lowercased() {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }
    }

    static func send(port: Int, _ requestLine: String, headers: [String] = [], body: String = "") throws -> Answer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw StatusServerError(description: "connect failed") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var text = requestLine + "\r\nHost: 127.0.0.1:\(port)\r\n"
        for h in headers { text += h + "\r\n" }
        if !body.isEmpty { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + body
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        let raw = String(decoding: received, as: UTF8.self)
        let status = Int(raw.split(separator: " ").dropFirst().first ?? "") ?? 0
        let body = raw.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        return Answer(status: status, raw: raw, body: body)
    }
}
