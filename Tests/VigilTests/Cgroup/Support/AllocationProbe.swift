import Foundation

/// Runs a module under `vigil-module-probe` (Tools/), a minimal C host that
/// counts every allocation the process makes while the module runs, the open
/// descriptors and the CPU time, so "steady state allocates nothing per
/// container and leaks no fd" is measured rather than assumed.
enum AllocationProbe {
    struct Result {
        var allocations: Int
        var fdsBefore: Int
        var fdsAfter: Int
        var fdsAfterDestroy: Int
        var fdsAtStart: Int
        var submitted: Int
        var cpuMicroseconds: Double
    }

    /// Runs `product` over `containers` for `runs` measured runs, with
    /// instance options as `options`.
    static func run(product: String, runs: Int, containers: [(id: String, pid: Int, path: String)],
                    options: [String: String] = [:]) throws -> Result {
        try run(product: product, runs: runs, arguments: containers.map { "\($0.id):\($0.pid):\($0.path)" },
                options: options)
    }

    static func run(product: String, runs: Int, arguments: [String], options: [String: String] = [:]) throws -> Result {
        let probe = try ModuleHarness.productPath("vigil-module-probe")
        let module = try ModuleHarness.productPath("lib\(product).so")
        let environment = Dictionary(uniqueKeysWithValues: options.map { ("VIGIL_OPTION_\($0.key)", $0.value) })
        let out = try execute(probe, [module, "\(runs)"] + arguments, environment: environment)
        var fields: [String: Double] = [:]
        for pair in out.split(whereSeparator: \.isWhitespace) {
            let kv = pair.split(separator: "=")
            if kv.count == 2, let v = Double(kv[1]) { fields[String(kv[0])] = v }
        }
        guard let a = fields["allocations"], let b = fields["fds_before"], let c = fields["fds_after"],
              let d = fields["fds_after_destroy"], let e = fields["fds_at_start"],
              let s = fields["submitted"], let cpu = fields["cpu_us"] else {
            throw ModuleHarness.Failure(description: "probe said: \(out)")
        }
        return Result(allocations: Int(a), fdsBefore: Int(b), fdsAfter: Int(c), fdsAfterDestroy: Int(d),
                      fdsAtStart: Int(e), submitted: Int(s), cpuMicroseconds: cpu)
    }

    /// posix_spawn with stdout to a file; waits at most 60 s.
    static func execute(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-probe-out-\(UUID().uuidString)").path
        defer { unlink(output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, path, &actions, nil, argv, envp) == 0 else {
            throw ModuleHarness.Failure(description: "cannot start \(path)")
        }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(60)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline { kill(pid, SIGKILL); waitpid(pid, &status, 0); throw ModuleHarness.Failure(description: "\(path) timed out") }
            usleep(10_000)
        }
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard status == 0 else { throw ModuleHarness.Failure(description: "\(path) failed (\(status)): \(text)") }
        return text
    }
}
