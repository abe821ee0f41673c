import CVigilModule
import Foundation
import Synchronization
import VigilModel
import VigilScheduler

/// One isolated instance's child process, seen from the agent: it is
/// started, configured, sent the module's entry points, watched, killed
/// when it hangs or outgrows its memory limit, and started again with
/// backoff after it dies. Whatever the child does, the agent's threads wait
/// on it only up to a deadline.
final class ModuleProcess: @unchecked Sendable {
    let context: HostContext
    let setup: InstanceSetup
    let settings: IsolationSettings
    let executable: String

    private let condition = NSCondition()
    private var pid: pid_t = 0
    private var channel: FrameChannel?
    private var calls: ProcessHostCalls?
    private var nextRequest: UInt32 = 1
    private var answers: [UInt32: (vigil_status, String)] = [:]
    /// Bumped at each start, so a dead child's reader cannot touch its successor.
    private var generation = 0
    private var alive = false
    private var destroyed = false
    /// Set when the agent kills the child, so its death is reported with the reason.
    private var killReason: String?
    private var collectorStarted = false
    private var startedAt = 0.0

    private(set) var restarts = 0
    private var failures = 0
    private var consecutiveFailures = 0
    private var lastFailure: (reason: String, at: Double)?
    private var restartAt: Double?
    private var lastRSS = 0

    init(context: HostContext, setup: InstanceSetup, settings: IsolationSettings, executable: String) {
        self.context = context
        self.setup = setup
        self.settings = settings
        self.executable = executable
    }

    // MARK: entry points

    /// Starts the child and configures the module in it.
    func launch() throws(ModuleError) {
        let (status, message) = spawnAndConfigure()
        guard status == VIGIL_OK else {
            condition.withLock {
                destroyed = true
                if alive { kill(pid, SIGKILL) }
            }
            throw ModuleError(description: "\(context.moduleName): configure failed (\(ModuleInstance.describe(status))): \(message)")
        }
        ModuleProcessWatch.shared.add(self)
    }

    func run() -> (vigil_status, String) {
        let timeout = settings.runTimeout > 0 ? settings.runTimeout : .infinity
        return command(.run, timeout: timeout, onTimeout: "hung: run did not return within module_run_timeout (\(Int(settings.runTimeout)) s)")
    }

    func start() -> (vigil_status, String) {
        condition.withLock { collectorStarted = true }
        return command(.start, timeout: settings.callTimeout, onTimeout: "hung: start did not return within \(Int(settings.callTimeout)) s")
    }

    func stop() {
        condition.withLock { collectorStarted = false }
        _ = command(.stop, timeout: settings.callTimeout, onTimeout: "hung: stop did not return within \(Int(settings.callTimeout)) s")
    }

    /// Destroys the instance in the child and lets the child exit; a child
    /// that does not comply in time is killed. No restart follows.
    func destroy() {
        let wasAlive = condition.withLock { () -> Bool in
            destroyed = true
            restartAt = nil
            return alive
        }
        ModuleProcessWatch.shared.remove(self)
        if wasAlive {
            _ = command(.destroy, timeout: settings.callTimeout, onTimeout: "destroy did not return within \(Int(settings.callTimeout)) s")
            waitForExit(timeout: 2)
        }
        let child = condition.withLock { alive ? pid : 0 }
        if child > 0 { kill(child, SIGKILL) }
    }

    /// Sends a command and waits for its answer, the child's death, or the
    /// deadline (after which the child is killed with `onTimeout` as reason).
    private func command(_ kind: FrameKind, timeout: Double, onTimeout: String,
                         payload: [UInt8] = []) -> (vigil_status, String) {
        condition.lock()
        guard alive, let channel else {
            let why = downReason
            condition.unlock()
            return (VIGIL_ERROR_UNSUPPORTED, why)
        }
        let request = nextRequest
        nextRequest &+= 1
        let gen = generation
        condition.unlock()
        guard channel.send(kind, request: request, payload) else { return (VIGIL_ERROR_UNSUPPORTED, "module process gone") }
        let deadline = Date(timeIntervalSinceNow: min(timeout, 1e9))
        condition.lock()
        defer { condition.unlock() }
        while answers[request] == nil, alive, generation == gen {
            if !condition.wait(until: deadline) {
                if answers[request] == nil, alive, generation == gen {
                    killLocked(onTimeout)
                    return (VIGIL_ERROR_BUSY, "\(onTimeout): module process killed")
                }
            }
        }
        if let answer = answers.removeValue(forKey: request) { return answer }
        return (VIGIL_ERROR_UNSUPPORTED, lastFailure?.reason ?? "module process gone")
    }

    /// Why a command cannot be sent now (called with `condition` held).
    private var downReason: String {
        var text = "module process down"
        if let lastFailure { text += " (\(lastFailure.reason))" }
        if let restartAt { text += "; restart in \(max(0, Int((restartAt - MonotonicClock.seconds()).rounded(.up)))) s" }
        return text
    }

    // MARK: the child's life

    private func spawnAndConfigure() -> (vigil_status, String) {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            return (VIGIL_ERROR_UNSUPPORTED, "socketpair: \(String(cString: strerror(errno)))")
        }
        let child: pid_t
        switch ChildSpawn.spawn(executable: executable, arguments: ["vigil", "module-host"], socket: fds[1]) {
        case let .success(spawned): child = spawned
        case let .failure(error):
            close(fds[0])
            close(fds[1])
            return (VIGIL_ERROR_UNSUPPORTED, "cannot start \(executable) module-host: \(error)")
        }
        close(fds[1])
        let channel = FrameChannel(fd: fds[0])
        let calls = ProcessHostCalls(context: context, channel: channel)
        let gen = condition.withLock { () -> Int in
            generation += 1
            pid = child
            self.channel = channel
            self.calls = calls
            alive = true
            killReason = nil
            startedAt = MonotonicClock.seconds()
            answers.removeAll()
            return generation
        }
        let reader = Thread { [self] in readLoop(channel, calls, child, gen) }
        reader.name = "vigil-isolated-\(context.moduleName)"
        reader.start()
        return command(.configure, timeout: settings.callTimeout,
                       onTimeout: "hung: configure did not return within \(Int(settings.callTimeout)) s",
                       payload: setup.encoded)
    }

    private func readLoop(_ channel: FrameChannel, _ calls: ProcessHostCalls, _ child: pid_t, _ gen: Int) {
        while let frame = channel.receive() {
            if frame.kind == .done {
                let answer: (vigil_status, String) = frame.payload.withUnsafeBytes { b in
                    var r = ByteReader(b)
                    guard let raw = try? r.u32(), let message = try? r.string() else { return (VIGIL_ERROR_INVALID, "malformed answer") }
                    return (vigil_status(rawValue: raw), message)
                }
                condition.withLock {
                    answers[frame.request] = answer
                    condition.broadcast()
                }
            } else if !calls.apply(frame) {
                context.logger.error("[\(context.moduleName)] module process sent a malformed \(frame.kind) frame; stopping it")
                kill(child, SIGKILL)
                break
            }
        }
        channel.hangUp()
        kill(child, SIGKILL)
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0, errno == EINTR {}
        calls.endSubscriptions()
        died(generation: gen, status: status)
    }

    private func died(generation gen: Int, status: Int32) {
        condition.lock()
        defer { condition.unlock() }
        guard generation == gen else { return }
        alive = false
        channel = nil
        condition.broadcast()
        if destroyed, killReason == nil { return }
        let reason = killReason ?? Self.describe(exitStatus: status)
        failures += 1
        // A child that stayed up a while starts its backoff again.
        if MonotonicClock.seconds() - startedAt > settings.backoffReset { consecutiveFailures = 0 }
        consecutiveFailures += 1
        lastFailure = (reason, WallClock.now())
        if !destroyed {
            let delay = min(settings.backoffCap, settings.backoffBase * pow(2, Double(consecutiveFailures - 1)))
            restartAt = MonotonicClock.seconds() + delay
            context.logger.error("[\(context.moduleName)] module process \(pid) for \(context.instanceID) \(reason); restarting in \(Scheduler.seconds(delay))")
        }
    }

    /// Called with `condition` held.
    private func killLocked(_ reason: String) {
        guard alive, pid > 0 else { return }
        killReason = reason
        kill(pid, SIGKILL)
        context.logger.error("[\(context.moduleName)] module process \(pid) for \(context.instanceID) killed: \(reason)")
    }

    private func waitForExit(timeout: Double) {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        while alive, condition.wait(until: deadline) {}
        condition.unlock()
    }

    // MARK: watching (from ModuleProcessWatch's thread)

    /// Kills a child over its memory limit; restarts a dead one whose backoff has passed.
    func watch() {
        condition.lock()
        let (child, isAlive, due) = (pid, alive, restartAt.map { MonotonicClock.seconds() >= $0 } ?? false)
        condition.unlock()
        if isAlive, child > 0 {
            let rss = Self.residentBytes(of: child)
            condition.withLock { lastRSS = rss }
            if settings.memoryLimit > 0, rss > settings.memoryLimit {
                condition.withLock {
                    killLocked("memory limit: RSS \(rss >> 20) MiB over module_memory_limit (\(settings.memoryLimit >> 20) MiB)")
                }
            }
        } else if !isAlive, due {
            let wasStarted = condition.withLock { () -> Bool in
                restartAt = nil
                restarts += 1
                return collectorStarted
            }
            // On a thread of its own: a module that hangs in configure must not stall the watch.
            let thread = Thread { [self] in restart(collector: wasStarted) }
            thread.name = "vigil-module-restart"
            thread.start()
        }
    }

    private func restart(collector wasStarted: Bool) {
        let (status, message) = spawnAndConfigure()
        if status != VIGIL_OK {
            context.logger.error("[\(context.moduleName)] restart of \(context.instanceID) failed: \(message)")
            if condition.withLock({ alive }) { condition.withLock { killLocked("configure failed after restart: \(message)") } }
            return
        }
        context.logger.info("[\(context.moduleName)] module process for \(context.instanceID) restarted (restart \(restarts))")
        if wasStarted { _ = start() }
    }

    static func residentBytes(of pid: pid_t) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func describe(exitStatus status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "exited with status \((status >> 8) & 0xff)" }
        let name = String(cString: strsignal(signal))
        return "killed by signal \(signal) (\(name))"
    }

    // MARK: status

    var statusJSON: JSONValue {
        condition.lock()
        defer { condition.unlock() }
        var fields: [(String, JSONValue)] = [
            ("module", .string(context.moduleName)), ("instance", .string(context.instanceID)),
            ("state", .string(alive ? "running" : destroyed ? "stopped" : "restarting")),
            ("pid", .int(alive ? Int64(pid) : 0)), ("rss_bytes", .int(Int64(alive ? lastRSS : 0))),
            ("memory_limit_bytes", .int(Int64(settings.memoryLimit))),
            ("restarts", .int(Int64(restarts))), ("failures", .int(Int64(failures))),
        ]
        if let lastFailure {
            fields.append(("last_failure", .object([("reason", .string(lastFailure.reason)), ("at", .int(Int64(lastFailure.at)))])))
        }
        if let restartAt {
            fields.append(("restart_in_seconds", .double(max(0, restartAt - MonotonicClock.seconds()))))
        }
        return .object(fields)
    }
}
