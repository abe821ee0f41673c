import ArgumentParser
import Foundation
import VigilAgent
import VigilModel

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the agent.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try options.load()
        // What the agent writes is its own unless made otherwise on purpose (the
        // DogStatsD socket folder, 0755), as systemd's UMask=0077 would have it.
        umask(0o077)
        let termination = SignalWaiter()
        let agent = try Agent(config: config)
        // Module configure/start may block: keep them off the cooperative pool.
        try await OffPool.run { Result { try agent.start() } }.get()
        await termination.wait()
        await agent.shutdown()
    }
}

/// Catches SIGTERM and SIGINT from the moment it is made, so a stop asked for
/// while the agent is still starting is kept and honoured (with the final
/// flush) once it has started, instead of killing it half-way.
final class SignalWaiter: @unchecked Sendable {
    private let lock = NSLock()
    private var signalled = false
    private var continuation: CheckedContinuation<Void, Never>?
    private var sources: [DispatchSourceSignal] = []

    init() {
        let queue = DispatchQueue(label: "vigil-signals")
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [weak self] in self?.arrived() }
            source.resume()
            sources.append(source)
        }
    }

    private func arrived() {
        lock.lock()
        signalled = true
        let waiting = continuation
        continuation = nil
        lock.unlock()
        waiting?.resume()
    }

    /// Returns once a termination signal has arrived (at once if one already has).
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if signalled {
                lock.unlock()
                continuation.resume()
            } else {
                self.continuation = continuation
                lock.unlock()
            }
        }
        sources.forEach { $0.cancel() }
    }
}
