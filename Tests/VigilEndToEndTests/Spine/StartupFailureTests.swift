import Foundation
import Testing

/// Issue 16 item 6: an agent that cannot have its status API, its DogStatsD
/// socket or its run folder stops at once with the reason and a non-zero
/// code, instead of running on half-blind; and `vigil status` tells another
/// program on the agent's address from a refused token.
@Suite(.serialized) struct StartupFailureTests {
    /// Replaces one of the fixture's own settings.
    func setting(_ f: AgentFixture, _ line: String, to replacement: String) throws {
        let text = try String(contentsOfFile: f.configFile, encoding: .utf8)
        try #require(text.contains(line))
        try text.replacingOccurrences(of: line, with: replacement).write(toFile: f.configFile, atomically: true, encoding: .utf8)
    }

    /// `vigil run` that is expected to stop by itself.
    func runExpectingExit(_ f: AgentFixture) throws -> (status: Int32, log: String) {
        let pid = try Subprocess.spawn(AgentFixture.vigil, ["run", "-c", f.configFile],
                                       stdoutPath: f.root + "/out.log", stderrPath: f.root + "/err.log")
        let status = Subprocess.wait(pid: pid, timeout: 20)
        if status == nil { kill(pid, SIGKILL); _ = Subprocess.wait(pid: pid, timeout: 5) }
        let log = (try? String(contentsOfFile: f.root + "/err.log", encoding: .utf8)) ?? ""
        return (status ?? -1, log)
    }

    /// A Python HTTP server on a free port that answers every GET with a page, as another program would.
    func otherProgram() throws -> (Process, Int) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", """
            import http.server, sys
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(401); self.end_headers(); self.wfile.write(b"<html>login</html>")
                def log_message(self, *a): pass
            s = http.server.HTTPServer(("127.0.0.1", 0), H)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """]
        let out = Pipe()
        p.standardOutput = out
        // Not the test's own stderr: a leftover child holding it would keep `swift test` waiting.
        p.standardError = FileHandle.nullDevice
        try p.run()
        var line = Data()
        while !line.contains(10), let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty { line += byte }
        return (p, Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0)
    }

    @Test func aTakenCmdAddressStopsTheAgentAndStatusNamesTheOtherProgram() throws {
        let (other, port) = try otherProgram()
        defer {
            kill(other.processIdentifier, SIGKILL)
            other.waitUntilExit()
        }
        let f = try AgentFixture()
        defer { f.remove() }
        try setting(f, "cmd_address: 127.0.0.1:0", to: "cmd_address: 127.0.0.1:\(port)")
        let (status, log) = try runExpectingExit(f)
        #expect(status != 0)
        #expect(log.contains("cannot listen on 127.0.0.1:\(port) (cmd_address)"), "\(log)")

        // A token file from an earlier run, and the address answered by someone else.
        try FileManager.default.createDirectory(atPath: f.root + "/run", withIntermediateDirectories: true)
        try "0123".write(toFile: f.root + "/run/auth_token", atomically: true, encoding: .utf8)
        let answer = try f.vigil(["status"])
        #expect(answer.status != 0)
        #expect(answer.stderr.contains("another process answers on the agent's address (HTTP 401), not a Vigil agent"))
        #expect(!answer.stderr.contains("refused the token"))
    }

    @Test func aSocketAnotherAgentListensOnStopsTheSecond() throws {
        let first = try AgentFixture()
        defer { first.remove() }
        let pid = try Subprocess.spawn(AgentFixture.vigil, ["run", "-c", first.configFile],
                                       stdoutPath: first.root + "/out.log", stderrPath: first.root + "/err.log")
        defer { kill(pid, SIGKILL); _ = Subprocess.wait(pid: pid, timeout: 10) }
        let socket = first.root + "/dogstatsd/dsd.socket"
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: socket) && Date() < deadline { usleep(50_000) }

        let second = try AgentFixture(extraConfig: "dogstatsd_socket_dir: \(first.root)/dogstatsd")
        defer { second.remove() }
        let (status, log) = try runExpectingExit(second)
        #expect(status != 0)
        #expect(log.contains("another process is listening on \(socket)"), "\(log)")
        // The first agent still has its socket.
        var info = stat()
        #expect(stat(socket, &info) == 0)
        let send = "import socket,sys; s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM); s.connect(sys.argv[1])"
        #expect(try Subprocess.run("/usr/bin/python3", ["-c", send, socket], timeout: 10, check: false).status == 0)
    }

    @Test func aRunPathThatCannotBeMadeStopsTheAgent() throws {
        let f = try AgentFixture()
        defer { f.remove() }
        try setting(f, "run_path: run", to: "run_path: /proc/vigil-cannot-be-here")
        let (status, log) = try runExpectingExit(f)
        #expect(status != 0)
        #expect(log.contains("vigil-cannot-be-here"), "\(log)")
    }
}
