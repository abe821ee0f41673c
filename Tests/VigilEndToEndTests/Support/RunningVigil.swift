import Foundation

/// `vigil run` on a fixture's configuration, its stderr kept for the test's messages;
/// killed when released unless `stop` saw it exit.
final class RunningVigil {
    let fixture: AgentFixture
    let pid: pid_t
    private var exited = false

    init(_ fixture: AgentFixture, environment: [String: String]? = nil) throws {
        self.fixture = fixture
        pid = try Subprocess.spawn(AgentFixture.vigil, ["run", "-c", fixture.configFile],
                                   stdoutPath: fixture.root + "/out.log", stderrPath: fixture.root + "/err.log",
                                   environment: environment)
    }

    deinit { if !exited { Subprocess.killAndReap(pid: pid) } }

    var socket: String { fixture.root + "/dogstatsd/dsd.socket" }
    func log() -> String { (try? String(contentsOfFile: fixture.root + "/err.log", encoding: .utf8)) ?? "" }

    /// Sends SIGTERM (unless the test already did) and waits for the exit status.
    func stop(timeout: TimeInterval, signal: Bool = true) -> Int32? {
        if signal { kill(pid, SIGTERM) }
        let status = Subprocess.wait(pid: pid, timeout: timeout)
        exited = status != nil
        return status
    }
}
