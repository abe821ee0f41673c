import Foundation
import Testing
import VigilConfig
@testable import VigilDogStatsD

@Suite(.serialized) struct ListenerSetupTests {
    @Test func datagramSocketModeAndStatus() throws {
        let fixture = try DogStatsDFixture()
        var st = stat()
        #expect(lstat(fixture.socketPath, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o722)
        #expect((st.st_mode & S_IFMT) == S_IFSOCK)
        let listeners = fixture.server.statusSnapshot()["listeners"]
        #expect(listeners?["uds_datagram"] != nil && listeners?["uds_stream"] != nil && listeners?["udp"] != nil)
        // By default readers parse in place: no queue.
        #expect(fixture.server.statusSnapshot()["queue_capacity"] == .int(0))
        let queued = try DogStatsDFixture(extraYAML: "dogstatsd_pipeline_count: 2\ndogstatsd_queue_size: 64")
        #expect(queued.server.statusSnapshot()["queue_capacity"] == .int(64))
        #expect(queued.server.statusSnapshot()["pipeline"] == .string("2 worker(s) behind a queue"))
    }

    @Test func staleSocketIsReplacedAndOtherFilesRefused() throws {
        let dir = "/tmp/vigil-dsd-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try AgentConfig.fromYAML("run_path: \(dir)\ndogstatsd_socket_dir: \(dir)\ndogstatsd_port: 0\n",
                                              baseDirectory: dir)

        // A socket file left by a crashed agent.
        let first = try DogStatsDServer(config: config, hostname: "h", tagProvider: nil)
        try first.start()
        // While the first listens, a second agent on the same path is refused and takes nothing.
        let rival = try DogStatsDServer(config: config, hostname: "h", tagProvider: nil)
        #expect(throws: DogStatsDError.socketInUse(path: "\(dir)/dsd.socket")) { try rival.start() }
        #expect(SocketSupport.answers(path: "\(dir)/dsd.socket", type: Int32(SOCK_DGRAM.rawValue)))
        let stale = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(stale) }
        first.stop()
        _ = try runProcess("/usr/bin/env", ["python3", "-c", "import socket;s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM);s.bind('\(dir)/dsd.socket')"])
        let second = try DogStatsDServer(config: config, hostname: "h", tagProvider: nil)
        try second.start()
        second.stop()

        try "not a socket".write(toFile: "\(dir)/dsd.socket", atomically: true, encoding: .utf8)
        let third = try DogStatsDServer(config: config, hostname: "h", tagProvider: nil)
        #expect(throws: DogStatsDError.notASocket(path: "\(dir)/dsd.socket")) { try third.start() }
        #expect(try String(contentsOfFile: "\(dir)/dsd.socket", encoding: .utf8) == "not a socket")
    }

    @Test func malformedTrafficDoesNotStopAListener() throws {
        let fixture = try DogStatsDFixture()
        let script = """
            import socket
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.connect("\(fixture.socketPath)")
            for p in [b"\\xff\\xfe|||", b"_e{99,1}:x|y", b":::|c", b"x:1|c|@-1", b"ok:1|c"]:
                s.send(p)
            t = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            t.connect("\(fixture.streamPath)")
            t.sendall((2**31).to_bytes(4, "little"))
            t.close()
            u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            u.connect("\(fixture.streamPath)")
            msg = b"ok2:1|c"
            u.sendall(len(msg).to_bytes(4, "little") + msg)
            u.close()
            """
        let result = try runProcess("/usr/bin/env", ["python3", "-c", script])
        #expect(result.status == 0, "\(result.output)")
        #expect(fixture.wait { fixture.server.totals().metrics == 2 })
        let errors = fixture.server.statusSnapshot()["parse_errors"]
        #expect(errors?["frame_too_large"] == .int(1))
        #expect(errors?["invalid_sample_rate"] == .int(1))
        #expect(errors?["event_length_mismatch"] == .int(1) || errors?["invalid_event_header"] == .int(1))
        let names = Set(fixture.server.flush(now: Date().timeIntervalSince1970 + 20, force: true).series.map(\.name))
        #expect(names == ["ok", "ok2"])
    }
}
