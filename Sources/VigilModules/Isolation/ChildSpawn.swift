import Foundation

/// Starts `vigil module-host` with the socket on fd 3, default signal
/// dispositions and an empty signal mask: the agent blocks the signals it
/// handles on a thread of its own, and a child must not inherit that.
enum ChildSpawn {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let socketDescriptor: Int32 = 3

    static func spawn(executable: String, arguments: [String], socket: Int32) -> Result<pid_t, Failure> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the copy; the original keeps it and closes at exec.
        posix_spawn_file_actions_adddup2(&actions, socket, socketDescriptor)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for arg in argv { free(arg) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, &argv, environ)
        guard result == 0 else { return .failure(Failure(description: String(cString: strerror(result)))) }
        return .success(pid)
    }

    /// The agent's own executable: the child is the same binary.
    static func agentExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
