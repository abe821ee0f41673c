import Foundation
import Logging
import Synchronization
import VigilAutodiscovery
import VigilConfig
import VigilConsole
import VigilDogStatsD
import VigilForwarding
import VigilModel
import VigilModules
import VigilScheduler
import VigilStatus
import VigilWorkload

/// The daemon: modules and their checks, the scheduler, the flush loop and
/// forwarding, wired in the order data flows through them.
public final class Agent: @unchecked Sendable {
    public let config: AgentConfig
    public let logger: Logger
    public let services: HostServices
    public let setup: CheckSetup
    public let scheduler: Scheduler
    public let forwarder: Forwarder
    public let workload: WorkloadStore
    public let tagger: Tagger
    public let dogstatsd: DogStatsDServer
    public let statusServer: StatusServer
    public let autodiscovery: Autodiscovery
    public let startedAt = Date()
    private var flushTask: Task<Void, Never>?
    /// Every long-lived component's heartbeat: `/health/live`, `/health/ready`, `vigil health`.
    public let health = HealthRegistry()
    private let flushedOnce = Atomic<Bool>(false)
    private let flushLock = NSLock()
    // Guarded by flushLock.
    private var firstFlushLogged = false
    private let heapTrim = HeapTrim()

    public init(config: AgentConfig) throws {
        self.config = config
        let logger = Logger.vigil(level: config.logLevel)
        self.logger = logger
        if let warning = try RunFolder.prepare(config.runPath) { logger.warning("\(warning)") }
        (services, workload, tagger) = HostServices.make(config: config, logger: logger)
        dogstatsd = try DogStatsDServer(config: config, hostname: config.hostname, tagProvider: tagger)
        statusServer = try StatusServer(config: config)
        setup = CheckSetup(config: config, logger: logger)
        let scheduler = Scheduler(runners: config.checkRunners, runTimeout: config.moduleRunTimeout, logger: logger)
        self.scheduler = scheduler
        autodiscovery = Autodiscovery(
            templates: setup.confd.configs.filter(\.isTemplate), modules: setup.modules.modules, services: services,
            store: workload, tagger: tagger,
            schedule: { scheduler.schedule($0) }, unschedule: { scheduler.unschedule(instanceID: $0.instanceID) })
        forwarder = try Forwarder(config: config, hostname: config.hostname)
    }

    public func start() throws {
        logger.info("vigil \(VigilVersion.string) starting on \(config.hostname)")
        for warning in config.lintWarnings { logger.warning("\(warning)") }
        raiseOpenFileLimit()
        forwarder.start(health: health)
        registerRoutes()
        // Without its status API (health probes included) or its DogStatsD sockets the
        // agent would look up while half of it is missing: it stops and says why.
        try statusServer.start()
        try dogstatsd.start(health: health)
        for listener in dogstatsd.listenerDescriptions { logger.info("DogStatsD listening on \(listener)") }
        setup.instantiate(services: services)
        setup.startCollectors(logger: logger)
        for instance in setup.instances where instance.isCheck {
            scheduler.schedule(instance)
        }
        logger.info("\(Self.countByName(setup.instances.filter(\.isCheck), "check instance")) scheduled; \(Self.countByName(setup.instances.filter(\.isCollector), "collector")) started")
        scheduler.start(health: health)
        autodiscovery.start()
        let interval = Double(config.flushInterval)
        let flushBeat = health.register("flush", deadline: 2 * interval + 30)
        flushTask = Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                if Task.isCancelled { break }
                self?.flush(force: false)
                flushBeat.beat()
            }
        }
    }

    /// Stops intake and checks, flushes every pending sample, and returns
    /// once forwarding has persisted them — within `stop_timeout`, whatever
    /// a module does. Module calls cannot be interrupted: a run, stop or
    /// destroy that has not returned in its share of the time is abandoned
    /// (named in the log) and the shutdown goes on without it.
    public func shutdown() async {
        let budget = config.stopTimeout
        let deadline = MonotonicClock.seconds() + budget
        @Sendable func left() -> Double { max(0, deadline - MonotonicClock.seconds()) }
        logger.info("vigil stopping (stop_timeout \(Scheduler.seconds(budget)))")
        flushTask?.cancel()
        let watchdog = ShutdownWatchdog(deadline: deadline + 1, budget: budget, logger: logger)
        await OffPool.run { [self] in
            dogstatsd.stop()
            autodiscovery.stop()
            // Runs in progress still add samples: they get a third of the time.
            watchdog.phase("waiting for check runs")
            for run in scheduler.stop(timeout: budget / 3) {
                logger.error("stop: abandoning check \(run.checkName) (\(run.instanceID)): its run has not returned after \(Scheduler.seconds(run.runningSeconds)); its module's destroy will be skipped")
            }
            watchdog.phase("stopping collectors")
            let collectors = setup.runningInstances.filter(\.isCollector)
            if !collectors.isEmpty, OffPool.call("vigil-stop-collectors", within: left() / 3, {
                for instance in collectors { instance.stop() }
                return true
            }) == nil {
                logger.error("stop: abandoning collectors: a collector's stop has not returned (\(collectors.map(\.instanceID).joined(separator: ", ")))")
            }
            watchdog.phase("flushing")
            flush(force: true)
        }
        watchdog.phase("forwarding")
        // Destroys get what forwarding leaves, at least a second.
        await forwarder.stop(within: max(0, left() - 1))
        statusServer.stop()
        watchdog.phase("destroying module instances")
        let abandoned = await OffPool.run { [self] in setup.shutdown(within: left()) }
        for line in abandoned { logger.error("stop: abandoned \(line)") }
        watchdog.done()
        logger.info("vigil stopped")
    }

    /// Collects every source's ready data and hands it to forwarding.
    public func flush(force: Bool) {
        flushLock.lock()
        defer { flushLock.unlock() }
        let now = WallClock.now()
        var batch = FlushBatch()
        for instance in setup.runningInstances + autodiscovery.instances {
            batch.append(instance.flush(now: now, force: force))
        }
        batch.append(dogstatsd.flush(now: now, force: force))
        defer { flushedOnce.store(true, ordering: .releasing) }
        if !batch.isEmpty, !firstFlushLogged {
            firstFlushLogged = true
            logger.info("first flush: \(batch.series.count) series, \(batch.sketches.count) sketches, \(batch.events.count) events, \(batch.serviceChecks.count) service checks to \(forwarder.destinationNames.joined(separator: ", "))")
        }
        forwarder.consume(batch)
        heapTrim.afterFlush()
    }

    /// A collector in `vigil status`: synced or not, and its connection as it last reported it.
    static func collectorJSON(_ instance: ModuleInstance) -> JSONValue {
        .object([("check", .string(instance.checkName)), ("instance", .string(instance.instanceID)),
                 ("synced", .bool(instance.isReady)), ("connection", instance.connection?.json ?? .null)])
    }

    static func timeText(_ unixSeconds: Double) -> String {
        Date(timeIntervalSince1970: unixSeconds.rounded()).ISO8601Format()
    }

    /// "2 check instances (cgroup, network)": a count and the distinct names.
    static func countByName(_ instances: [ModuleInstance], _ noun: String) -> String {
        let names = Array(Set(instances.map(\.checkName))).sorted()
        return "\(instances.count) \(noun)\(instances.count == 1 ? "" : "s")" + (names.isEmpty ? "" : " (\(names.joined(separator: ", ")))")
    }

    public func statusSnapshot() -> JSONValue {
        let uptime = Date().timeIntervalSince(startedAt)
        return .object([
            ("version", .string(VigilVersion.string)),
            ("hostname", .string(config.hostname)),
            ("uptime_seconds", .double(uptime.rounded())),
            ("config_file", config.file.map { .string($0) } ?? .null),
            ("process", ProcessUsage.snapshot(uptimeSeconds: uptime)),
            ("modules", .array(setup.modules.records.map(\.json))),
            ("configuration_errors", .array((setup.confd.errors.map(\.description) + setup.errors).map { .string($0) })),
            (scheduler.statusSectionName, scheduler.statusSnapshot()),
            ("collectors", .array(setup.runningInstances.filter(\.isCollector).map(Self.collectorJSON))),
            ("module_processes", .array(setup.runningInstances.compactMap(\.processStatus))),
            (dogstatsd.statusSectionName, dogstatsd.statusSnapshot()),
            (forwarder.statusSectionName, forwarder.statusSnapshot()),
            (workload.statusSectionName, workload.statusSnapshot()),
            ("gates", setup.gatesJSON(services.gates)),
            (statusServer.statusSectionName, statusServer.statusSnapshot()),
            ("health", readiness().json),
        ])
    }

    /// The cgroup check keeps each container's files open between runs
    /// within a budget of half the soft limit; hosts with many containers
    /// need the hard limit, as Go programs get by default.
    private func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 {
            logger.warning("cannot raise the open-file limit to \(limit.rlim_max)")
        }
    }

    /// Ready: every component on time, the first flush made, and every collector synced.
    public func readiness() -> HealthRegistry.Verdict {
        var conditions = [(met: flushedOnce.load(ordering: .acquiring), waitingFor: "the first flush")]
        for instance in setup.instances where instance.isCollector {
            conditions.append((instance.isReady, "collector \(instance.checkName) (\(instance.instanceID)) to sync"))
            if let connection = instance.connection, !connection.connected {
                conditions.append((false, "collector \(instance.checkName) (\(instance.instanceID)) to reconnect (disconnected since \(Self.timeText(connection.since)): \(connection.detail))"))
            }
        }
        return health.readiness(conditions: conditions)
    }

    private func registerRoutes() {
        statusServer.probeRoute("/health/live") { [health] in
            let verdict = health.liveness()
            return (verdict.healthy, verdict.json)
        }
        statusServer.probeRoute("/health/ready") { [weak self] in
            guard let verdict = self?.readiness() else { return (false, .null) }
            return (verdict.healthy, verdict.json)
        }
        statusServer.route("/status") { [weak self] _ in self?.statusSnapshot() ?? .null }
        statusServer.route("/workload") { [weak self] query in
            self?.workload.listingJSON(kind: query["kind"].flatMap { EntityKind(name: $0) }) ?? .null
        }
        statusServer.route("/configcheck") { [weak self] _ in self?.autodiscovery.statusSnapshot() ?? .null }
        statusServer.route("/tagger") { [weak self] _ in self?.tagger.listingJSON() ?? .null }
        registerConsole()
        if forwarder.settings.prometheusScrape {
            statusServer.textRoute("/metrics", contentType: Forwarder.prometheusContentType) { [weak self] in
                self?.forwarder.prometheusText() ?? ""
            }
        }
    }
}
