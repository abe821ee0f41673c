import Foundation
import Synchronization

/// One thread for every isolated instance: four times a second it reads each
/// child's RSS against its memory limit and restarts the children whose
/// backoff has passed.
final class ModuleProcessWatch: Sendable {
    static let shared = ModuleProcessWatch()
    static let period = 0.25

    private let processes = Mutex<[ObjectIdentifier: ModuleProcess]>([:])
    private let started = Atomic<Bool>(false)

    func add(_ process: ModuleProcess) {
        processes.withLock { $0[ObjectIdentifier(process)] = process }
        if started.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            let thread = Thread { [self] in loop() }
            thread.name = "vigil-module-watch"
            thread.start()
        }
    }

    func remove(_ process: ModuleProcess) {
        _ = processes.withLock { $0.removeValue(forKey: ObjectIdentifier(process)) }
    }

    private func loop() {
        while true {
            Thread.sleep(forTimeInterval: Self.period)
            for process in processes.withLock({ Array($0.values) }) { process.watch() }
        }
    }
}
