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
        let agent = try Agent(config: config)
        // Module configure/start may block: keep them off the cooperative pool.
        try await OffPool.run { Result { try agent.start() } }.get()
        await SignalWaiter.waitForTermination()
        await agent.shutdown()
    }
}

/// Suspends until SIGTERM or SIGINT arrives.
enum SignalWaiter {
    static func waitForTermination() async {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let queue = DispatchQueue(label: "vigil-signals")
            let once = OnceFlag()
            var sources: [DispatchSourceSignal] = []
            for sig in [SIGTERM, SIGINT] {
                let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                source.setEventHandler {
                    if once.claim() {
                        sources.forEach { $0.cancel() }
                        continuation.resume()
                    }
                }
                source.resume()
                sources.append(source)
            }
        }
    }
}

final class OnceFlag: @unchecked Sendable {
    private var used = false
    private let lock = NSLock()
    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if used { return false }
        used = true
        return true
    }
}
