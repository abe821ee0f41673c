import Foundation
import Logging
import VigilAutodiscovery
import VigilConfig
import VigilModel
import VigilModules

/// Runs the instances of one check a few times outside the daemon, for
/// `vigil check`. Collectors start first and get a bounded wait for their
/// first sync, so tags and templates resolve as they would in `vigil run`.
public enum OneShotRunner {
    public static func run(config: AgentConfig, checkName: String, times: Int, pauseMillis: Int,
                           collectorWait: Double = 15) -> CheckReport {
        let logger = Logger.vigil(level: config.logLevel)
        let (services, store, tagger) = HostServices.make(config: config, logger: logger)
        let setup = CheckSetup(config: config, logger: logger)
        var report = CheckReport()
        report.errors += setup.confd.errors.filter { $0.file.contains("/\(checkName).") }.map(\.description)
        guard setup.modules.modules[checkName] != nil else {
            let refusal = setup.modules.records.first { $0.name == checkName }
            if case let .refused(reason)? = refusal?.status {
                report.errors.append("module \(checkName) refused: \(reason)")
            } else {
                report.errors.append("no module named \(checkName) in \(config.modulesPath.joined(separator: ", "))")
            }
            return report
        }
        setup.instantiate(services: services, only: [checkName])
        report.errors += setup.errors
        setup.startCollectors(logger: logger)
        for id in setup.waitForCollectors(timeout: collectorWait) {
            logger.warning("collector \(id) did not finish its first sync in \(Int(collectorWait)) s")
        }
        let autodiscovery = Autodiscovery(
            templates: setup.confd.configs.filter { $0.isTemplate && $0.checkName == checkName },
            modules: setup.modules.modules, services: services, store: store, tagger: tagger,
            schedule: { _ in }, unschedule: { _ in })
        let discovered = autodiscovery.resolveNow().filter { $0.checkName == checkName }
        let checks = setup.instances.filter { $0.checkName == checkName && $0.isCheck } + discovered
        if checks.isEmpty, report.errors.isEmpty {
            report.errors.append("no instance of \(checkName) configured in \(config.confdPath.joined(separator: ", "))")
        }
        var hung = Set<String>()
        for round in 0..<max(1, times) {
            if round > 0, pauseMillis > 0 { Thread.sleep(forTimeInterval: Double(pauseMillis) / 1000) }
            for instance in checks where !hung.contains(instance.instanceID) {
                // A run that never returns must not hang the command: past
                // module_run_timeout it is reported and left behind.
                let result = config.moduleRunTimeout > 0
                    ? OffPool.call("vigil-check-run", within: config.moduleRunTimeout) { instance.run() }
                    : instance.run()
                guard let result else {
                    hung.insert(instance.instanceID)
                    report.errors.append("\(instance.instanceID): run exceeded module_run_timeout (\(config.moduleRunTimeout) s) and was abandoned")
                    continue
                }
                if let error = result.error { report.errors.append("\(instance.instanceID): \(error)") }
            }
        }
        let now = WallClock.now()
        for instance in checks { report.batch.append(instance.flush(now: now, force: true)) }
        autodiscovery.stop()
        for line in setup.shutdown(within: config.stopTimeout) { logger.error("abandoned \(line)") }
        return report
    }
}
