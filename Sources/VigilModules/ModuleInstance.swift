import CVigilModule
import Foundation
import Synchronization
import VigilConfig
import VigilModel
import VigilScheduler

public struct ModuleError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// One configured instance of a module. Calls into the module are
/// serialised by `lock`, as the ABI promises modules.
public final class ModuleInstance: SchedulableCheck, FlushSource, @unchecked Sendable {
    public let module: LoadedModule
    public let context: HostContext
    public let instanceID: String
    public let checkName: String
    public let interval: Double
    public let sourceFile: String
    private let lock = NSLock()
    private var handle: UnsafeMutableRawPointer?
    /// Set when the instance runs in a child process (`isolation: process`);
    /// `handle` is then nil.
    private let process: ModuleProcess?
    private var started = false
    /// A run in progress, and a destroy asked for meanwhile: a run that
    /// never returns holds `lock` for good, so `destroy` must not wait for it.
    private let runState = Mutex<(running: Bool, destroyPending: Bool)>((false, false))

    static let errorBufferSize = 1024

    public init(module: LoadedModule, check: CheckConfig, instance: InstanceConfig,
                services: HostServices) throws(ModuleError) {
        self.module = module
        self.instanceID = instance.id
        self.checkName = check.checkName
        self.interval = instance.minCollectionInterval
        self.sourceFile = check.sourceFile
        self.context = HostContext(services: services, moduleName: module.name, checkName: check.checkName,
                                   instance: instance, initConfig: check.initConfig)
        let isolation = try IsolationSettings.resolve(config: services.config, initConfig: check.initConfig)
        let setup = InstanceSetup(path: module.path, checkName: check.checkName, instanceID: instance.id,
                                  intervalMilliseconds: UInt32(min(instance.minCollectionInterval * 1000, Double(UInt32.max))),
                                  initConfigYAML: check.initConfigYAML, instanceYAML: instance.yamlText,
                                  hostname: services.hostname)
        guard isolation.mode == .inProcess else {
            let process = ModuleProcess(context: context, setup: setup, settings: isolation,
                                        executable: services.moduleHostExecutable)
            try process.launch()
            self.process = process
            return
        }
        self.process = nil
        let (status, message, out) = setup.configure(module.descriptor, api: HostAPI.table, host: context.opaque)
        guard status == VIGIL_OK, let out else {
            throw ModuleError(description: "\(module.name): configure failed (\(Self.describe(status))): \(message)")
        }
        handle = out
    }

    deinit { destroy() }

    /// One scheduled run: the module's `run`, then the run is committed.
    public func run() -> CheckRunResult {
        let destroyed = runState.withLock { state in
            if state.destroyPending { return true }
            state.running = true
            return false
        }
        if destroyed { return CheckRunResult(error: "\(module.name) instance destroyed") }
        defer {
            // A destroy asked for while the run went on is done now, on this thread.
            let pending = runState.withLock { state in
                state.running = false
                return state.destroyPending
            }
            if pending { destroyNow() }
        }
        return runLocked()
    }

    private func runLocked() -> CheckRunResult {
        lock.lock()
        defer { lock.unlock() }
        let (status, message): (vigil_status, String)
        if let process {
            (status, message) = process.run()
        } else {
            guard let handle, let run = module.descriptor.pointee.run else {
                return CheckRunResult(error: "\(module.name) is not a check")
            }
            (status, message) = Self.callWithErrorBuffer { run(handle, $0, $1) }
        }
        let samples = context.sampler.commit(time: WallClock.now())
        var warnings = context.takeWarnings()
        let dropped = context.droppedSamples.exchange(0, ordering: .relaxed)
        if dropped > 0 {
            warnings.append("\(dropped) samples refused: a NULL name, a value that is not finite, or a control character in a name or tag")
        }
        if status != VIGIL_OK {
            let text = message.isEmpty ? Self.describe(status) : message
            context.logger.error("\(module.name) run failed: \(text)")
            return CheckRunResult(error: text, warnings: warnings, metricSamples: samples)
        }
        return CheckRunResult(warnings: warnings, metricSamples: samples)
    }

    /// Starts a collector's background work.
    public func start() throws(ModuleError) {
        lock.lock()
        defer { lock.unlock() }
        guard !started, module.descriptor.pointee.start != nil else { return }
        let (status, message): (vigil_status, String)
        if let process {
            (status, message) = process.start()
        } else {
            guard let handle, let start = module.descriptor.pointee.start else { return }
            (status, message) = Self.callWithErrorBuffer { start(handle, $0, $1) }
        }
        guard status == VIGIL_OK else {
            throw ModuleError(description: "\(module.name): start failed (\(Self.describe(status))): \(message)")
        }
        started = true
    }

    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard started else { return }
        started = false
        if let process { return process.stop() }
        guard let handle else { return }
        module.descriptor.pointee.stop?(handle)
    }

    /// Stops if needed and frees the module's instance; idempotent. While a
    /// run is in progress the destroy is left to that run's end, and this
    /// returns false at once: a run that never returns is never destroyed.
    @discardableResult
    public func destroy() -> Bool {
        let deferred = runState.withLock { state in
            state.destroyPending = true
            return state.running
        }
        if deferred { return false }
        destroyNow()
        return true
    }

    /// True while a run is in progress.
    public var isRunning: Bool { runState.withLock { $0.running } }

    private func destroyNow() {
        stop()
        lock.lock()
        defer { lock.unlock() }
        if let process {
            process.destroy()
            EntityBridge.endSubscriptions(of: context)
            return
        }
        guard let handle else { return }
        EntityBridge.endSubscriptions(of: context)
        module.descriptor.pointee.destroy(handle)
        self.handle = nil
    }

    /// The child process of an isolated instance (`vigil status`'s
    /// `module_processes`); nil in process.
    public var processStatus: JSONValue? { process?.statusJSON }

    public var isCollector: Bool { module.kinds.contains(.collector) }

    /// What this instance submitted that is ready at `now`. A collector
    /// submits outside runs, so its pending points are closed here first.
    public func flush(now: Double, force: Bool) -> FlushBatch {
        if !isCheck { context.sampler.commit(time: now) }
        return context.sampler.flush(now: now, force: force)
    }
    public var isCheck: Bool { module.kinds.contains(.check) }
    public var isReady: Bool { context.isReady }
    /// The collector's connection to its source, once it reported one (ABI 1.5).
    public var connection: ConnectionState? { context.connection.withLock { $0 } }

    static func callWithErrorBuffer(_ body: (UnsafeMutablePointer<CChar>, Int) -> vigil_status) -> (vigil_status, String) {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: errorBufferSize) { buf in
            buf[0] = 0
            let status = body(buf.baseAddress!, errorBufferSize)
            buf[errorBufferSize - 1] = 0
            return (status, String(cString: buf.baseAddress!))
        }
    }

    static func describe(_ status: vigil_status) -> String {
        switch status {
        case VIGIL_OK: "ok"
        case VIGIL_ERROR_CONFIG: "configuration error"
        case VIGIL_ERROR_UNSUPPORTED: "unsupported"
        case VIGIL_ERROR_NOT_FOUND: "not found"
        case VIGIL_ERROR_INVALID: "invalid argument"
        case VIGIL_ERROR_BUSY: "busy"
        default: "error \(status.rawValue)"
        }
    }
}
