import Foundation
import Testing

/// What another local user gets from a running agent's folders: the DogStatsD
/// socket, and nothing else. The token and the store are the agent's user's
/// alone, and the socket's folder holds the socket only, so a container that
/// mounts it sees nothing more; the socket comes back at the same path when
/// the agent restarts, so such a mount keeps working.
@Suite(.serialized) struct PrivateFilesTests {
    static let nobody = ["--reuid=65534", "--regid=65534", "--clear-groups"]

    func mode(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_mode & 0o7777) : -1
    }

    /// Runs `arguments` as user nobody.
    func asNobody(_ arguments: [String]) throws -> Subprocess.Result {
        try Subprocess.run("/usr/bin/setpriv", Self.nobody + arguments, timeout: 20, check: false)
    }

    func start(_ f: AgentFixture, log: String) throws -> pid_t {
        let pid = try Subprocess.spawn(AgentFixture.vigil, ["run", "-c", f.configFile],
                                       stdoutPath: f.root + "/\(log).out", stderrPath: f.root + "/\(log).err")
        // Started: its status API answers (the socket is bound before it does).
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, received(f) < 0 { usleep(100_000) }
        return pid
    }

    func received(_ f: AgentFixture) -> Int {
        let status = try? f.json(["status", "--json"]) as? [String: Any]
        let listeners = (status?["dogstatsd"] as? [String: Any])?["listeners"] as? [String: Any]
        return (listeners?["uds_datagram"] as? [String: Any])?["metrics"] as? Int ?? -1
    }

    @Test func anotherUserReachesTheSocketAndNothingElse() throws {
        let f = try AgentFixture(extraConfig: "flush_interval: 1")
        defer { f.remove() }
        let pid = try start(f, log: "first")
        defer { kill(pid, SIGKILL); _ = Subprocess.wait(pid: pid, timeout: 10) }
        let run = f.root + "/run", sockets = f.root + "/dogstatsd"
        Thread.sleep(forTimeInterval: 1.5)

        #expect(mode(run) == 0o700)
        for file in ["auth_token", "vigil.db", "vigil.db-wal", "vigil.db-shm"] {
            #expect(mode(run + "/" + file) == 0o600, "\(file)")
        }
        #expect(mode(sockets) == 0o755)
        #expect(try FileManager.default.contentsOfDirectory(atPath: sockets) == ["dsd.socket"])

        for secret in ["auth_token", "vigil.db"] {
            let read = try asNobody(["cat", run + "/" + secret])
            #expect(read.status != 0)
            #expect(read.stdout.isEmpty)
            #expect(read.stderr.contains("Permission denied"))
        }
        #expect(try asNobody(["ls", run]).status != 0)

        let send = "import socket,sys; s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM); s.sendto(b'private.files:1|c', sys.argv[1])"
        let sent = try asNobody(["/usr/bin/python3", "-c", send, sockets + "/dsd.socket"])
        #expect(sent.status == 0, "\(sent.stderr)")
        let deadline = Date().addingTimeInterval(10)
        while received(f) < 1 && Date() < deadline { usleep(100_000) }
        #expect(received(f) == 1)
    }

    @Test func aClientHoldingTheSocketFolderReconnectsAfterARestart() throws {
        let f = try AgentFixture(extraConfig: "flush_interval: 1")
        defer { f.remove() }
        let socket = f.root + "/dogstatsd/dsd.socket"
        var pid = try start(f, log: "first")
        kill(pid, SIGTERM)
        #expect(Subprocess.wait(pid: pid, timeout: 20) == 0)
        // What a container mounting the folder holds on to: the folder's inode.
        var before = stat()
        #expect(stat(f.root + "/dogstatsd", &before) == 0)

        pid = try start(f, log: "second")
        defer { kill(pid, SIGKILL); _ = Subprocess.wait(pid: pid, timeout: 10) }
        var after = stat()
        #expect(stat(f.root + "/dogstatsd", &after) == 0)
        #expect(after.st_ino == before.st_ino)
        let send = "import socket,sys; s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM); s.sendto(b'after.restart:1|c', sys.argv[1])"
        #expect(try Subprocess.run("/usr/bin/python3", ["-c", send, socket], timeout: 20, check: false).status == 0)
        let deadline = Date().addingTimeInterval(10)
        while received(f) < 1 && Date() < deadline { usleep(100_000) }
        #expect(received(f) == 1)
    }
}
