import Foundation

/// Runs programs for the cgroup benchmark and finds the binaries it needs
/// beside vigil-bench (built by a plain `swift build -c release`).
enum BenchTools {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static var productsFolder: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    static func product(_ name: String) throws -> String {
        let path = productsFolder.appendingPathComponent(name).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw Failure(description: "\(path) is missing: build everything first with `swift build -c release`")
        }
        return path
    }

    /// Runs to completion and returns stdout; throws on a non-zero exit.
    @discardableResult
    static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(path) \(arguments.prefix(3).joined(separator: " ")) failed: "
                          + (String(data: errors, encoding: .utf8) ?? ""))
        }
        return String(data: data, encoding: .utf8) ?? ""
    }

    /// Starts a long-running child with posix_spawn (stdio to /dev/null);
    /// stop it with `terminate(_:)`. Foundation's Process busy-waits in
    /// waitUntilExit off the main run loop, which would skew CPU figures.
    static func spawn(_ path: String, _ arguments: [String]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_RDWR, 0) }
        let words = [path] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard rc == 0 else { throw Failure(description: "cannot start \(path): \(String(cString: strerror(rc)))") }
        return pid
    }

    static func isRunning(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    static func terminate(_ pid: pid_t) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    /// print() to a pipe is block-buffered; figures should appear as measured.
    static func say(_ line: String) {
        print(line)
        fflush(nil)   // every stream; naming `stdout` is not concurrency-safe in Swift 6
    }

    /// CPU seconds (user + system) a process has used, from /proc/<pid>/stat.
    static func cpuSeconds(of pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14, stime 15 (1-based).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// One probe measurement: a module run `runs` times over `containers` entities.
struct ProbeFigure {
    var cpuMicroseconds: Double
    var runs: Int
    var containers: Int
    var allocations: Int
    var submitted: Int

    var perContainerPerRun: Double { cpuMicroseconds / Double(runs * max(containers, 1)) }

    static func measure(module: String, runs: Int, arguments: [String], options: [String: String] = [:]) throws -> ProbeFigure {
        let probe = try BenchTools.product("vigil-module-probe")
        let library = try BenchTools.product("lib\(module).so")
        let env = Dictionary(uniqueKeysWithValues: options.map { ("VIGIL_OPTION_\($0.key)", $0.value) })
        let out = try BenchTools.run(probe, [library, "\(runs)"] + arguments, environment: env)
        var fields: [String: Double] = [:]
        for pair in out.split(whereSeparator: \.isWhitespace) {
            let kv = pair.split(separator: "=")
            if kv.count == 2, let v = Double(kv[1]) { fields[String(kv[0])] = v }
        }
        guard let cpu = fields["cpu_us"], let n = fields["containers"] else {
            throw BenchTools.Failure(description: "probe said: \(out)")
        }
        return ProbeFigure(cpuMicroseconds: cpu, runs: runs, containers: Int(n),
                           allocations: Int(fields["allocations"] ?? -1), submitted: Int(fields["submitted"] ?? -1))
    }
}
