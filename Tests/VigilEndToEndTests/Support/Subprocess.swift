import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs external programs for end-to-end tests with a hard time limit.
///
/// Built on posix_spawn + waitpid rather than Foundation's Process, whose reaping of
/// killed children proved unreliable here. Output goes to files rather than pipes so a
/// chatty child can never block on a full pipe while we wait for it.
enum Subprocess {
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct Failure: Error, CustomStringConvertible {
        var command: [String]
        var result: Result?
        var reason: String
        var description: String {
            var text = "\(command.joined(separator: " ")): \(reason)"
            if let result {
                text += "\nstdout: \(result.stdout.prefix(2000))\nstderr: \(result.stderr.prefix(2000))"
            }
            return text
        }
    }

    /// Runs `executable` (absolute path, or a name looked up in PATH) and waits at most `timeout` seconds.
    /// Throws `Failure` when it times out (the child is killed) or, with `check`, when it exits non-zero.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 30,
                    check: Bool = true, environment: [String: String]? = nil) throws -> Result {
        let command = [executable] + arguments
        let outputDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("vigil-subprocess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outputDirectory) }
        let stdoutPath = outputDirectory.appendingPathComponent("stdout").path
        let stderrPath = outputDirectory.appendingPathComponent("stderr").path
        let pid = try spawn(executable, arguments, stdoutPath: stdoutPath, stderrPath: stderrPath,
                            environment: environment)
        let status = wait(pid: pid, timeout: timeout)
        let finalStatus = status ?? killAndReap(pid: pid)
        let result = Result(
            status: finalStatus,
            stdout: (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")
        if status == nil {
            throw Failure(command: command, result: result, reason: "timed out after \(timeout) s")
        }
        if check && result.status != 0 {
            throw Failure(command: command, result: result, reason: "exit status \(result.status)")
        }
        return result
    }

    /// Starts a child with stdin on /dev/null and stdout/stderr appended to the given files.
    static func spawn(_ executable: String, _ arguments: [String], stdoutPath: String, stderrPath: String,
                      environment: [String: String]? = nil) throws -> pid_t {
        let path = try resolve(executable)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Default signal dispositions: the test runner may have changed SIGPIPE and friends.
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var noneBlocked = sigset_t()
        sigemptyset(&noneBlocked)
        posix_spawnattr_setsigmask(&attributes, &noneBlocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let env = ProcessInfo.processInfo.environment.merging(environment ?? [:]) { $1 }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let error = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard error == 0 else {
            throw Failure(command: [path] + arguments, result: nil, reason: "cannot start: \(String(cString: strerror(error)))")
        }
        return pid
    }

    /// Waits for `pid` to exit and reaps it; nil when it is still running after `timeout` seconds.
    /// The result is the exit status, or 128 + signal number when killed by a signal.
    static func wait(pid: pid_t, timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { return decode(status) }
            if reaped < 0 && errno != EINTR { return -1 }  // not our child any more: nothing to wait for
            if Date() >= deadline { return nil }
            usleep(5_000)
        }
    }

    /// SIGKILLs and reaps a child; returns its status.
    @discardableResult
    static func killAndReap(pid: pid_t) -> Int32 {
        kill(pid, SIGKILL)
        return wait(pid: pid, timeout: 30) ?? -1
    }

    /// Asks a child to stop with SIGTERM, then SIGKILLs it after `grace` seconds.
    static func terminate(pid: pid_t, grace: TimeInterval = 10) {
        kill(pid, SIGTERM)
        if wait(pid: pid, timeout: grace) == nil { killAndReap(pid: pid) }
    }

    /// Waits until `condition` holds, polling every `interval` seconds; returns false on timeout.
    static func poll(timeout: TimeInterval, interval: TimeInterval = 0.05, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if try condition() { return true }
            if Date() >= deadline { return false }
            usleep(UInt32(interval * 1_000_000))
        }
    }

    static func resolve(_ executable: String) throws -> String {
        if executable.contains("/") { return executable }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in (path + ":/usr/local/sbin:/usr/sbin:/sbin").split(separator: ":") {
            let candidate = "\(directory)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw Failure(command: [executable], result: nil, reason: "not found in PATH")
    }

    private static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
